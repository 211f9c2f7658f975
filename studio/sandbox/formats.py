"""The sandbox's animated GIFs and SVG vectors: real files of the placeholder art, as the API would
send them."""

from __future__ import annotations

import io
import random
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

from studio.core.validation import Checked

from . import art

# The SVG author the sandbox reports when the request names none (a project without model selection).
DEFAULT_SVG_AUTHOR = "gpt-5.4-mini"


def frames_of(checked: Checked) -> tuple[int, int]:
    """(frame count, frame duration in ms) as the API resolves them."""
    req, rules = checked.request, checked.spec.gif
    assert rules is not None
    return rules.frames(req.frame_count), rules.rounded_duration(rules.duration(req.frame_duration_ms))


def gif(checked: Checked, width: int, height: int, index: int, variation: str = "") -> bytes:
    """A looping animation: the placeholder picture with a ball crossing it, one position per frame."""
    req = checked.request
    count, duration = frames_of(checked)
    base = art.render(req.prompt, index, width, height, salt=f"{req.model}\x1f{variation}").convert("RGB")
    radius = max(6, min(width, height) // 10)
    frames = []
    for k in range(count):
        frame = base.copy()
        draw = ImageDraw.Draw(frame)
        x = radius + (width - 2 * radius) * k // max(1, count - 1)
        y = height // 2
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=(255, 214, 0), outline=(0, 0, 0), width=3
        )
        draw.text((8, height - 24), f"frame {k + 1}/{count}", fill=(255, 255, 255))
        frames.append(frame.quantize(colors=64, method=Image.Quantize.MEDIANCUT))
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=duration, loop=0, disposal=1)
    return buf.getvalue()


def svg(checked: Checked, width: int, height: int, index: int, variation: str = "") -> bytes:
    """A well-formed SVG of the placeholder art: a gradient, a few shapes, the prompt as text."""
    req = checked.request
    rng = random.Random(art.seed_for(req.prompt, index, "svg", variation))

    def colour() -> str:
        return "#%02x%02x%02x" % tuple(rng.randrange(40, 230) for _ in range(3))

    shapes = []
    for _ in range(3 + index % 4):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.08, 0.3) * min(width, height)
        if rng.random() < 0.5:
            shapes.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour()}" fill-opacity="0.7"/>'
            )
        else:
            shapes.append(
                f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'rx="{r / 4:.1f}" fill="{colour()}" fill-opacity="0.7"/>'
            )
    size = max(12, min(width, height) // 20)
    text = escape(req.prompt.strip()[:80])
    body = "\n  ".join(shapes)
    doc = f'''<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
  <title>{text}</title>
  <defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="{colour()}"/>
    <stop offset="1" stop-color="{colour()}"/></linearGradient></defs>
  <rect width="{width}" height="{height}" fill="url(#bg)"/>
  {body}
  <g font-family="sans-serif" fill="#ffffff">
    <text x="{size}" y="{2 * size}" font-size="{2 * size}">#{index + 1}</text>
    <text x="{size}" y="{height - size}" font-size="{size}">{text}</text>
  </g>
</svg>
'''
    return doc.encode("utf-8")


def svg_usage(checked: Checked) -> dict[str, int | str]:
    """The author's usage: grows with the prompt; reasoning tokens are part of the output."""
    req = checked.request
    author = req.svg_author or DEFAULT_SVG_AUTHOR
    effort = {"none": 0, "minimal": 100, "low": 300, "medium": 900, "high": 2000, "xhigh": 4000, "max": 8000}
    reasoning = effort.get(req.svg_effort or "medium", 900)
    input_tokens = 1500 + len(req.prompt) // 4
    output_tokens = 1200 + reasoning
    return {
        "model": author,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning,
        "total_tokens": input_tokens + output_tokens,
    }
