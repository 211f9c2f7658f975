"""Pure mask operations on Pillow "L" images where 255 = "edit here" (the painter's convention).

The API's convention is the other way round (an RGBA PNG whose alpha 0 marks the area to edit);
`to_api_mask` and `painted_from_api` convert between the two. Everything here keeps the mask at
the source image's pixel size: nothing depends on zoom or on the display.
"""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageMorph

from .errors import ImageInputError
from .images import ImageFile, inspect_image

_DILATE8 = ImageMorph.MorphOp(op_name="dilation8")
_DILATE4 = ImageMorph.MorphOp(op_name="dilation4")


def blank(size: tuple[int, int]) -> Image.Image:
    return Image.new("L", size, 0)


def binary(painted: Image.Image, threshold: int = 1) -> Image.Image:
    """0/255: every pixel painted at least `threshold` becomes 255."""
    return painted.point(lambda v: 255 if v >= threshold else 0)


def coverage(painted: Image.Image) -> float:
    """Share of pixels painted at all (0..1)."""
    hist = painted.histogram()
    return 1.0 - hist[0] / (painted.width * painted.height)


def invert(painted: Image.Image) -> Image.Image:
    return ImageChops.invert(painted)


def _crop_box(mask: Image.Image, margin: int) -> tuple[int, int, int, int] | None:
    box = mask.getbbox()
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return (
        max(0, x0 - margin),
        max(0, y0 - margin),
        min(mask.width, x1 + margin),
        min(mask.height, y1 + margin),
    )


def _dilate(region: Image.Image, px: int) -> Image.Image:
    """Dilate a 0/255 region by px pixels; ImageMorph skips a 1-pixel border, so pad by one."""
    padded = Image.new("L", (region.width + 2, region.height + 2), 0)
    padded.paste(region, (1, 1))
    for step in range(px):
        _, padded = (_DILATE8 if step % 2 == 0 else _DILATE4).apply(padded)
    return padded.crop((1, 1, region.width + 1, region.height + 1))


def grow(painted: Image.Image, px: int) -> Image.Image:
    """Dilate the painted area by `px` pixels (an octagon, close to a disc), binarised.

    Works on the painted area's bounding box plus the margin, so a small mask on a 4K image costs
    little. Alternates 8- and 4-neighbour 1-pixel steps (C code in Pillow's ImageMorph).
    """
    mask = binary(painted)
    if px <= 0:
        return mask
    box = _crop_box(mask, px)
    if box is None:
        return mask
    out = blank(mask.size)
    out.paste(_dilate(mask.crop(box), px), box[:2])
    return out


def shrink(painted: Image.Image, px: int) -> Image.Image:
    """Erode the painted area by `px` pixels, binarised. The image's border does not erode it
    (outside the picture counts as painted); only the painted area's bounding box is worked on."""
    mask = binary(painted)
    box = _crop_box(mask, 1)
    if px <= 0 or box is None:
        return mask
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    # pad by px: with "painted" where the box touches the image border, "unpainted" elsewhere
    padded = Image.new("L", (w + 2 * px, h + 2 * px), 0)
    draw = ImageDraw.Draw(padded)
    if x0 == 0:
        draw.rectangle((0, 0, px - 1, h + 2 * px), fill=255)
    if y0 == 0:
        draw.rectangle((0, 0, w + 2 * px, px - 1), fill=255)
    if x1 == mask.width:
        draw.rectangle((w + px, 0, w + 2 * px, h + 2 * px), fill=255)
    if y1 == mask.height:
        draw.rectangle((0, h + px, w + 2 * px, h + 2 * px), fill=255)
    padded.paste(mask.crop(box), (px, px))
    eroded = invert(_dilate(invert(padded), px)).crop((px, px, px + w, px + h))
    out = blank(mask.size)
    out.paste(eroded, (x0, y0))
    return out


def feather(painted: Image.Image, px: int) -> Image.Image:
    """Soften the mask's edge over about `px` pixels on each side (Gaussian, sigma px/2)."""
    if px <= 0:
        return painted.copy()
    return painted.filter(ImageFilter.GaussianBlur(px / 2))


def flood_fill(painted: Image.Image, point: tuple[int, int], *, erase: bool = False) -> Image.Image:
    """Fill the connected area of equal value around `point` (e.g. the inside of an outline)."""
    out = painted.copy()
    x, y = point
    if not (0 <= x < out.width and 0 <= y < out.height):
        return out
    ImageDraw.floodfill(out, (x, y), 0 if erase else 255, thresh=0)
    return out


def changed_box(before: Image.Image, after: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels that differ (None when equal)."""
    return ImageChops.difference(before, after).getbbox()


def to_api_mask(
    painted: Image.Image, *, filename: str = "mask.png", max_bytes: int | None = None, label: str = "mask"
) -> ImageFile:
    """The mask as the edit endpoint wants it: an RGBA PNG, the same size, alpha 0 = edit here.

    Every pixel painted at all is opened for editing (a feathered edge is repainted by the model
    and blended back by the drift guard); everything else is fully opaque (protected).
    """
    edit = binary(painted)
    hist = edit.histogram()
    total = painted.width * painted.height
    if hist[255] == 0:
        raise ImageInputError(
            f"{label} is empty: no pixel is marked to edit (paint it, or make it transparent "
            "in a mask file), so nothing would be edited",
            param="mask",
        )
    if hist[255] == total:
        raise ImageInputError(
            f"{label} covers the whole image: it protects nothing (send the edit without a mask)",
            param="mask",
        )
    rgba = Image.new("RGBA", painted.size, (0, 0, 0, 255))
    rgba.putalpha(ImageChops.invert(edit))
    buf = io.BytesIO()
    rgba.save(buf, "PNG", optimize=True)
    data = buf.getvalue()
    if max_bytes is not None and len(data) >= max_bytes:
        raise ImageInputError(
            f"{label} is {len(data):,} bytes as PNG; the API takes masks under {max_bytes:,}", param="mask"
        )
    return inspect_image(data, filename, role="mask")


def painted_from_api(mask: ImageFile, size: tuple[int, int] | None = None) -> Image.Image:
    """An API mask (alpha 0 = edit) as a painted "L" mask, resampled to `size` if given."""
    with Image.open(io.BytesIO(mask.data)) as im:
        if "A" not in im.getbands() and "transparency" not in im.info:
            raise ImageInputError(
                f"mask {mask.filename!r} has no alpha channel: transparent pixels (alpha 0) mark the area "
                "to edit",
                param="mask",
            )
        alpha = im.convert("RGBA").getchannel("A")
    if size is not None and alpha.size != size:
        alpha = alpha.resize(size, Image.Resampling.NEAREST)
    return alpha.point(lambda v: 255 if v == 0 else 0)
