"""Placeholder art: a picture per prompt and image index that shows the prompt, deterministic."""

from __future__ import annotations

import colorsys
import hashlib
import io
import random
import textwrap
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont


def seed_for(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _colour(rng: random.Random, light: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(rng.random(), light, 0.55 + 0.35 * rng.random())
    return int(r * 255), int(g * 255), int(b * 255)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def render(
    prompt: str,
    index: int,
    width: int,
    height: int,
    *,
    transparent: bool = False,
    salt: str = "",
    detail: str = "flat",
) -> Image.Image:
    """An RGB (or RGBA with a transparent background) picture, different per prompt and index.
    detail="photo" adds film grain, so that PNGs weigh what real photos do (~20 MB at 4K)."""
    rng = random.Random(seed_for(prompt, index, salt))
    top, bottom = _colour(rng, 0.35), _colour(rng, 0.6)
    # A vertical gradient built as one coloured column and stretched: cheap even at 3840x2160.
    column = Image.linear_gradient("L").resize((1, height), Image.Resampling.BILINEAR)
    if rng.random() < 0.5:
        column = column.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    bands = [column.point([a + (b - a) * v // 255 for v in range(256)]) for a, b in zip(top, bottom)]
    base = Image.merge("RGB", bands).resize((width, height), Image.Resampling.NEAREST)
    mode = "RGBA" if transparent else "RGB"
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0)) if transparent else base
    draw = ImageDraw.Draw(img, "RGBA")
    unit = min(width, height)
    for _ in range(3 + index % 4):  # a few shapes whose layout depends on prompt and index
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.08, 0.3) * unit
        fill = _colour(rng, 0.5) + (255 if transparent else 150,)
        box = (cx - r, cy - r, cx + r, cy + r)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=fill)
        else:
            draw.rounded_rectangle(box, radius=r / 4, fill=fill)
    _caption(draw, prompt, index, width, height)
    if detail == "photo" and mode == "RGB":  # grain that never repeats, as a camera's does
        grain = Image.frombytes("RGB", img.size, rng.randbytes(width * height * 3)).point(
            [v % 41 for v in range(256)] * 3
        )
        img = ImageChops.subtract(ImageChops.add(img, grain), Image.new("RGB", img.size, (20, 20, 20)))
    return img if mode == "RGBA" else img.convert("RGB")


def palette_of(image: Image.Image, colours: int = 4) -> list[tuple[int, int, int]]:
    """An image's main colours, commonest first."""
    small = image.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    flat = small.quantize(colours, method=Image.Quantize.MEDIANCUT).convert("RGB")
    out = []
    for _, colour in sorted(flat.getcolors(colours) or [], reverse=True):
        r, g, b = colour[:3]  # type: ignore[index]
        out.append((int(r), int(g), int(b)))
    return out


def references_art(
    prompt: str,
    index: int,
    width: int,
    height: int,
    palettes: Sequence[Sequence[tuple[int, int, int]]],
    salt: str,
) -> Image.Image:
    """A references call's picture: one band per reference image in that image's own colours, and shapes
    that take each reference's colours in turn, so which references a panel followed shows (and measures:
    no colour is a mix of two references)."""
    rng = random.Random(seed_for(prompt, index, salt))
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    k = len(palettes)
    for i, palette in enumerate(palettes):
        top, bottom = palette[0], palette[min(1, len(palette) - 1)]
        y0, y1 = height * i // k, height * (i + 1) // k
        column = Image.linear_gradient("L").resize((1, max(1, y1 - y0)), Image.Resampling.BILINEAR)
        bands = [column.point([a + (b - a) * v // 255 for v in range(256)]) for a, b in zip(top, bottom)]
        img.paste(Image.merge("RGB", bands).resize((width, max(1, y1 - y0))), (0, y0))
    unit = min(width, height)
    for n in range(3 + index % 4):
        palette = palettes[n % k]
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.06, 0.2) * unit
        box = (cx - r, cy - r, cx + r, cy + r)
        fill = rng.choice(palette)
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=fill)
    _caption(ImageDraw.Draw(img, "RGBA"), prompt, index, width, height)
    return img


def noise_layer(size: tuple[int, int], rng: random.Random, amplitude: int) -> Image.Image:
    """Deterministic RGB noise from 0 to amplitude, tiled from a prime-sized tile (no visible grid)."""
    tw, th = 251, 241
    lut = [v % (amplitude + 1) for v in range(256)]
    tile = Image.frombytes("RGB", (tw, th), rng.randbytes(tw * th * 3)).point(lut * 3)
    layer = Image.new("RGB", size)
    for y in range(0, size[1], th):
        for x in range(0, size[0], tw):
            layer.paste(tile, (x, y))
    return layer


def _caption(draw: ImageDraw.ImageDraw, prompt: str, index: int, width: int, height: int) -> None:
    unit = min(width, height)
    big, small = _font(max(12, unit // 7)), _font(max(10, unit // 28))
    pad = unit // 24
    draw.text(
        (pad, pad),
        f"#{index + 1}",
        font=big,
        fill=(255, 255, 255, 235),
        stroke_width=max(1, unit // 300),
        stroke_fill=(0, 0, 0, 160),
    )
    chars = max(12, int(width / (unit / 28) * 1.7))
    lines = textwrap.wrap(prompt.strip(), width=chars)[:6] or [""]
    line_h = unit // 24
    y = height - pad - line_h * (len(lines) + 1)
    draw.rectangle((0, y - pad // 2, width, height), fill=(0, 0, 0, 110))
    for line in lines:
        draw.text((pad, y), line, font=small, fill=(255, 255, 255, 255))
        y += line_h
    draw.text((pad, y), f"sandbox placeholder · {width}x{height}", font=small, fill=(220, 220, 220, 255))


def partial(final: Image.Image, step: int, steps: int) -> Image.Image:
    """A coarser version of the final picture, sharper with each step (what streaming shows)."""
    factor = 2 ** (steps - step + 2)
    w, h = final.size
    small = final.resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.BILINEAR)
    return small.resize((w, h), Image.Resampling.NEAREST).filter(ImageFilter.BoxBlur(1))


def encode(img: Image.Image, fmt: str, compression: int | None) -> bytes:
    """Encode as the API would send it: png, jpeg or webp (compression 0-100 = quality)."""
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, "PNG", compress_level=1)
    elif fmt == "jpeg":
        img.convert("RGB").save(buf, "JPEG", quality=max(1, compression if compression is not None else 100))
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=compression if compression is not None else 100, method=0)
    else:
        raise ValueError(f"unsupported output format {fmt}")
    return buf.getvalue()


def label_region(img: Image.Image, text: str, box: tuple[int, int, int, int]) -> None:
    """Write `text` inside `box` (an edit's masked area), so the edit visibly answers its prompt."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    if width < 24 or height < 24:
        return
    size = max(10, min(width, height) // 8)
    font = _font(size)
    chars = max(8, int(width / (size * 0.55)))
    lines = textwrap.wrap("edit: " + text.strip(), width=chars)[: max(1, height // (size + 4))]
    draw = ImageDraw.Draw(img, "RGBA")
    y = top + (height - len(lines) * (size + 4)) // 2
    for line in lines:
        draw.text(
            (left + size // 2, y),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            stroke_width=max(1, size // 12),
            stroke_fill=(0, 0, 0, 200),
        )
        y += size + 4
