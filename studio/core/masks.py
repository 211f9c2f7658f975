"""Masks as OpenAI wants them: an RGBA PNG at the first image's exact size, alpha 0 = edit here."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from .errors import ImageInputError
from .images import ImageFile, inspect_image
from .sizes import Size


@dataclass(frozen=True)
class PreparedMask:
    mask: ImageFile
    edit_fraction: float  # share of pixels the mask opens for editing
    notices: tuple[str, ...]


def prepare_mask(mask: ImageFile, image_size: Size, *, max_bytes: int) -> PreparedMask:
    """Check and normalise a mask for the edit endpoint.

    A mask of another size is resampled to the image's size (with a notice, never a refusal);
    a mask without transparency, or one that is transparent everywhere, is refused: the first
    would edit nothing, the second is the same as sending no mask.
    """
    notices: list[str] = []
    with Image.open(io.BytesIO(mask.data)) as im:
        if "A" not in im.getbands() and "transparency" not in im.info:
            raise ImageInputError(
                f"mask {mask.filename!r} has no alpha channel: transparent pixels (alpha 0) mark the area to edit",
                param="mask",
            )
        original_mode = im.mode
        rgba = im.convert("RGBA")
    if rgba.size != (image_size.width, image_size.height):
        notices.append(
            f"mask {mask.filename!r} is {rgba.width}x{rgba.height}; resampled to the image's {image_size}"
        )
        rgba = rgba.resize((image_size.width, image_size.height), Image.Resampling.NEAREST)
    alpha = rgba.getchannel("A")
    hist = alpha.histogram()
    total = image_size.width * image_size.height
    open_px = hist[0]
    if open_px == 0:
        raise ImageInputError(f"mask {mask.filename!r} is empty: no pixel is transparent, so nothing would be edited", param="mask")
    if open_px == total:
        raise ImageInputError(
            f"mask {mask.filename!r} is transparent everywhere: it protects nothing (send the edit without a mask)",
            param="mask",
        )
    data = mask.data
    if notices or mask.format != "png" or original_mode != "RGBA" or len(data) > max_bytes:
        buf = io.BytesIO()
        rgba.save(buf, "PNG", optimize=True)
        data = buf.getvalue()
        if mask.format != "png":
            notices.append(f"mask {mask.filename!r} was {mask.format.upper()}; converted to PNG")
    if len(data) > max_bytes:
        raise ImageInputError(f"mask {mask.filename!r} is {len(data):,} bytes as PNG; the API takes at most {max_bytes:,}", param="mask")
    name = mask.filename.rsplit(".", 1)[0] + ".png"
    return PreparedMask(inspect_image(data, name, role="mask"), open_px / total, tuple(notices))
