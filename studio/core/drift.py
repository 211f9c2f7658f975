"""The drift guard: measure how much an edit changed outside its mask, and put the source back there.

OpenAI's masks are only hints ("masking is entirely prompt-based"), so an edit may repaint pixels
the user protected. `measure` reports the share of protected pixels that changed by more than a
small threshold, the worst change and the mean change, beyond a feather band around the mask;
`guard` composites the source's pixels back outside the feathered mask, so that beyond the band
the result equals the source exactly. All images are Pillow images at the source's pixel size.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

from PIL import Image, ImageChops

from . import mask_ops

THRESHOLD = 10  # levels (of 255) a channel may differ before a pixel counts as changed
DEFAULT_FEATHER = 8  # px: the band around the mask where the edit is blended into the source


@dataclass(frozen=True)
class Drift:
    share: float  # protected pixels changed by more than `threshold`, as a share (0..1)
    worst: int  # the largest channel difference in the protected area (levels)
    mean: float  # mean of the per-pixel largest channel difference in the protected area
    protected_pixels: int
    changed_pixels: int
    threshold: int
    band_px: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["share"] = round(self.share, 6)
        data["mean"] = round(self.mean, 4)
        return data

    def describe(self) -> str:
        return (
            f"{self.share:.1%} of the protected pixels changed by more than {self.threshold} levels "
            f"(worst {self.worst}, mean {self.mean:.1f})"
        )


def fit(result: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The result at the source's size (the API may return another size)."""
    if result.size == size:
        return result
    return result.resize(size, Image.Resampling.LANCZOS)


def _common_mode(source: Image.Image, result: Image.Image) -> tuple[Image.Image, Image.Image]:
    mode = "RGBA" if "A" in source.getbands() or "A" in result.getbands() else "RGB"
    return source.convert(mode), result.convert(mode)


def difference(source: Image.Image, result: Image.Image) -> Image.Image:
    """Per pixel, the largest absolute channel difference ("L")."""
    a, b = _common_mode(source, fit(result, source.size))
    bands = ImageChops.difference(a, b).split()
    out = bands[0]
    for band in bands[1:]:
        out = ImageChops.lighter(out, band)
    return out


def measure(
    source: Image.Image,
    result: Image.Image,
    painted: Image.Image,
    *,
    band_px: int = DEFAULT_FEATHER,
    threshold: int = THRESHOLD,
) -> tuple[Drift, Image.Image]:
    """The drift outside the mask and the difference image (zero inside the band) for the heatmap."""
    return _measure(source, result, mask_ops.grow(painted, band_px), band_px, threshold)


def _measure(
    source: Image.Image, result: Image.Image, grown: Image.Image, band_px: int, threshold: int
) -> tuple[Drift, Image.Image]:
    """measure() with the mask already grown by the band (0/255)."""
    diff = difference(source, result)
    protected = mask_ops.invert(grown)
    diff = ImageChops.multiply(diff, protected)  # protected is 0/255: keeps diff there, zero elsewhere
    protected_px = protected.histogram()[255]
    hist = diff.histogram()
    changed = sum(hist[threshold + 1 :])
    # pixels inside the band are zero in `diff` and must not count in the mean
    total = sum(level * count for level, count in enumerate(hist))
    worst = max((level for level, count in enumerate(hist) if count), default=0)
    drift = Drift(
        share=changed / protected_px if protected_px else 0.0,
        worst=worst,
        mean=total / protected_px if protected_px else 0.0,
        protected_pixels=protected_px,
        changed_pixels=changed,
        threshold=threshold,
        band_px=band_px,
    )
    return drift, diff


def heatmap(diff: Image.Image, *, threshold: int = THRESHOLD) -> Image.Image:
    """An RGBA overlay: transparent up to the threshold, then yellow to red as the change grows."""
    strength = diff.point(lambda v: 0 if v <= threshold else min(255, 110 + v * 2))
    green = diff.point(lambda v: max(0, 220 - v * 4))
    red = Image.new("L", diff.size, 255)
    blue = Image.new("L", diff.size, 0)
    return Image.merge("RGBA", (red, green, blue, strength))


def blend_weights(painted: Image.Image, grown: Image.Image, feather_px: int) -> Image.Image:
    """How much of the result to keep per pixel: 255 on the painted area, falling to 0 across the
    band (`grown` = the mask grown by it), and exactly 0 beyond it (so the guarded result equals the
    source there)."""
    soft = mask_ops.feather(grown, feather_px)
    return ImageChops.lighter(ImageChops.darker(soft, grown), painted)


def guard(
    source: Image.Image, result: Image.Image, painted: Image.Image, *, feather_px: int = DEFAULT_FEATHER
) -> Image.Image:
    """The result inside the (feathered) mask, the source's own pixels outside it."""
    return _guarded(source, fit(result, source.size), painted, mask_ops.grow(painted, feather_px), feather_px)


def _guarded(
    source: Image.Image, fitted: Image.Image, painted: Image.Image, grown: Image.Image, feather_px: int
) -> Image.Image:
    a, b = _common_mode(source, fitted)
    return Image.composite(b, a, blend_weights(painted, grown, feather_px))


@dataclass(frozen=True)
class GuardedEdit:
    png: bytes  # what to show: the guarded composite, or the raw result as a PNG when not guarded
    guarded: bool
    drift: Drift
    heatmap_png: bytes
    resampled_from: tuple[int, int] | None  # the result's own size when it differed from the source


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.copy()


def process(
    source: bytes,
    result: bytes,
    painted: Image.Image,
    *,
    guard_on: bool = True,
    feather_px: int = DEFAULT_FEATHER,
    threshold: int = THRESHOLD,
) -> GuardedEdit:
    """Measure an edit's drift outside the mask (before any guard) and, with the guard on, put the
    source's pixels back outside the feathered mask. Always lossless (PNG)."""
    src, res = _open(source), _open(result)
    resampled = res.size if res.size != src.size else None
    if painted.size != src.size:
        painted = painted.resize(src.size, Image.Resampling.NEAREST)
    res = fit(res, src.size)
    grown = mask_ops.grow(painted, feather_px)  # the band: measured beyond it, blended across it (grown once)
    found, diff = _measure(src, res, grown, feather_px, threshold)
    out = _guarded(src, res, painted, grown, feather_px) if guard_on else res
    return GuardedEdit(_png(out), guard_on, found, _png(heatmap(diff, threshold=threshold)), resampled)
