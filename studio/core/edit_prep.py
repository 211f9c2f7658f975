"""Preflight for edits: sources the API accepts, the output size, and the mask, before any request.

Bike4Mind's adapter silently dropped `mask` and `size` and a 1600x1000 source came back
1024x1536; so the size sent is always explicit: the source's own when the model accepts it,
else the nearest valid size with the same aspect (said before sending).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from . import mask_ops
from .errors import ImageInputError
from .images import ImageFile, inspect_image
from .registry import ModelSpec
from .sizes import Size, nearest_valid_size, size_problem


@dataclass(frozen=True)
class PreparedEdit:
    images: tuple[ImageFile, ...]
    mask: ImageFile | None
    size: str  # what the request sends as `size`
    notices: tuple[str, ...]


def _encode(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.convert("RGB").save(buf, "JPEG", quality=95)
    else:
        im.save(buf, "PNG", optimize=fmt == "png-small")
    return buf.getvalue()


def fit_source(image: ImageFile, spec: ModelSpec) -> tuple[ImageFile, list[str]]:
    """An input image the model accepts: other formats become PNG; an image over the byte limit
    is re-encoded (PNG, then high-quality JPEG when it has no alpha), then downscaled until it fits."""
    notices: list[str] = []
    limit = spec.max_input_image_bytes
    if image.format in spec.input_image_formats and (not limit or len(image.data) < limit):
        return image, notices
    stem = image.filename.rsplit(".", 1)[0]
    with Image.open(io.BytesIO(image.data)) as im:
        im.load()
        pic = im.convert("RGBA" if image.has_alpha else "RGB")
    if image.format not in spec.input_image_formats:
        notices.append(f"image {image.filename!r} is {image.format.upper()}; converted to PNG for {spec.id}")
    data = _encode(pic, "png-small")
    fmt = "png"
    if limit and len(data) >= limit and not image.has_alpha:
        data, fmt = _encode(pic, "jpeg"), "jpeg"
    scale = 1.0
    while limit and len(data) >= limit:
        scale *= 0.8
        w, h = max(16, int(pic.width * scale)), max(16, int(pic.height * scale))
        data = _encode(pic.resize((w, h), Image.Resampling.LANCZOS), fmt if fmt == "jpeg" else "png-small")
    if limit and (len(image.data) >= limit):
        what = f"re-encoded as {fmt.upper()}" + (
            f" and downscaled to {int(pic.width * scale)}x{int(pic.height * scale)}" if scale < 1 else ""
        )
        notices.append(
            f"image {image.filename!r} is {len(image.data):,} bytes, over the API's {limit:,}; {what} "
            f"({len(data):,} bytes)"
        )
    out = inspect_image(data, f"{stem}.{'jpg' if fmt == 'jpeg' else 'png'}", role="image")
    return out, notices


def output_size(source: Size, spec: ModelSpec) -> tuple[str, str | None]:
    """The size to request for an edit of `source`, and a notice when it is not the source's own."""
    if size_problem(source, spec.size_rules) is None:
        return str(source), None
    best = nearest_valid_size(source, spec.size_rules)
    return str(best), f"the source is {source}, which {spec.id} cannot return; the edit will come back {best}"


def prepare_edit(
    images: tuple[ImageFile, ...],
    painted: Image.Image | None,
    spec: ModelSpec,
    *,
    mask_file: ImageFile | None = None,
) -> PreparedEdit:
    """Everything checked before sending an edit: formats and byte limits of the images, the
    mask as an RGBA PNG at the first image's exact size (from a painted mask, or a mask file
    resampled to fit), and the output size. Refusals raise ImageInputError; nothing is sent."""
    if not images:
        raise ImageInputError("image: an edit needs at least one input image")
    if spec.max_input_images and len(images) > spec.max_input_images:
        raise ImageInputError(
            f"image: {spec.id} takes at most {spec.max_input_images} input images ({len(images)} given)"
        )
    notices: list[str] = []
    fitted: list[ImageFile] = []
    for image in images:
        out, more = fit_source(image, spec)
        fitted.append(out)
        notices.extend(more)
    first = images[0].size  # the mask follows the source's pixel grid, whatever was re-encoded
    mask = None
    label = "mask"
    if mask_file is not None:
        label = f"mask {mask_file.filename!r}"
        painted = mask_ops.painted_from_api(mask_file, (first.width, first.height))
        if mask_file.size != first:
            notices.append(
                f"mask {mask_file.filename!r} is {mask_file.size}; resampled to the image's {first}"
            )
    if painted is not None:
        if painted.size != (first.width, first.height):
            painted = painted.resize((first.width, first.height), Image.Resampling.NEAREST)
        sent_size = fitted[0].size
        to_send = (
            painted
            if sent_size == first
            else painted.resize((sent_size.width, sent_size.height), Image.Resampling.NEAREST)
        )
        mask = mask_ops.to_api_mask(to_send, max_bytes=spec.mask_max_bytes or None, label=label)
    size, notice = output_size(first, spec)
    if notice:
        notices.append(notice)
    return PreparedEdit(tuple(fitted), mask, size, tuple(notices))
