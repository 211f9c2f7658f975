"""What the sandbox 'model' does: choose the output size, paint generations and edits, bill usage."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageChops

from studio.core import mask_ops
from studio.core.request import EditRequest
from studio.core.sizes import Size, parse_size
from studio.core.tokens import estimate_input_image_tokens, estimate_text_tokens, output_tokens_per_image
from studio.core.validation import Checked

from . import art

# The sandbox's stand-in for the model's own choice when quality is "auto".
AUTO_QUALITY = "medium"


@dataclass(frozen=True)
class Plan:
    size: Size
    quality: str
    transparent: bool
    detail: str = "flat"
    variation: str = ""  # the request id: every call draws different art, as the real model's re-rolls do


def plan(checked: Checked, *, detail: str = "flat", variation: str = "") -> Plan:
    req, spec = checked.request, checked.spec
    quality = AUTO_QUALITY if req.quality == "auto" else req.quality
    size = checked.size
    if size is None:  # auto: one of the model's automatic sizes, closest in aspect to the input
        options = [parse_size(s) for s in spec.size_rules.auto_quote_sizes]
        aspect = 1.0
        if isinstance(req, EditRequest) and req.images:
            first = req.images[0].size
            aspect = first.width / first.height
        size = min(options, key=lambda o: abs(math.log(o.width / o.height) - math.log(aspect)))
    return Plan(size, quality, req.background == "transparent", detail, variation)


def usage(checked: Checked, p: Plan, *, images: int, partials_per_image: int) -> dict[str, Any]:
    """Realistic usage, with the formulas the quote uses (text, input images, output)."""
    req, spec = checked.request, checked.spec
    text = estimate_text_tokens(req.prompt)
    image_in = 0
    if isinstance(req, EditRequest):
        image_in = sum(estimate_input_image_tokens(spec.input_image_tokens, i.size) for i in req.images)
    billed = p.size
    if req.output_format == "gif" and spec.gif is not None:  # frames are drawn, and billed, as one sheet
        billed = spec.gif.sheet(spec.gif.frames(req.frame_count), p.size)
    out = (
        output_tokens_per_image(spec, billed, p.quality) + partials_per_image * spec.partial_image_tokens
    ) * images
    return {
        "input_tokens": text + image_in,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image_in},
        "output_tokens": out,
        "output_tokens_details": {"image_tokens": out, "text_tokens": 0},
        "total_tokens": text + image_in + out,
    }


def paint(checked: Checked, p: Plan, index: int) -> Image.Image:
    """The final picture for image `index` of the request."""
    req = checked.request
    w, h = p.size.width, p.size.height
    if not isinstance(req, EditRequest):
        salt = f"{req.model}\x1f{p.variation}"
        return art.render(req.prompt, index, w, h, transparent=p.transparent, salt=salt, detail=p.detail)
    return _paint_edit(req, p, index)


def _decode(data: bytes, size: Size) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        im = opened.convert("RGBA")
        if im.size != (size.width, size.height):
            im = im.resize((size.width, size.height), Image.Resampling.BILINEAR)
        return im


def _paint_edit(req: EditRequest, p: Plan, index: int) -> Image.Image:
    size = p.size
    source = _decode(req.images[0].data, size)
    salt = f"edit\x1f{p.variation}"
    if req.mask is None and req.markup is None:  # reworked whole, or references: the art wears their colours
        palettes = [art.palette_of(source)]
        palettes += [art.palette_of(_decode(i.data, Size(64, 64))) for i in req.images[1:]]
        made = art.references_art(req.prompt, index, size.width, size.height, palettes, salt).convert("RGBA")
        # one image is reworked, its composition still showing; several are references to follow
        whole = Image.blend(source, made, 0.65) if len(req.images) == 1 else made
        return whole if p.transparent or req.images[0].has_alpha else whole.convert("RGB")
    new = art.render(
        req.prompt, index, size.width, size.height, transparent=p.transparent, salt=salt
    ).convert("RGBA")
    if req.markup is not None:  # markup: the marked region is redrawn; anything else may change a little
        marks = _decode(req.markup.data, size).getchannel("A").point(lambda v: 255 if v >= 32 else 0)
        box = marks.getbbox()
        # outside the marks anything may change a little: a faint drift, not the per-call art bleeding in
        out = drift(source, seed=art.seed_for(req.prompt, index, "markup", p.variation))
        if box:
            pad = max(16, min(size.width, size.height) // 20)
            region = (
                max(0, box[0] - pad),
                max(0, box[1] - pad),
                min(size.width, box[2] + pad),
                min(size.height, box[3] + pad),
            )
            art.label_region(new, req.prompt, region)
            out.paste(new.crop(region), region[:2])
    elif req.mask is not None:
        alpha = _decode(req.mask.data, size).getchannel("A")
        editable = ImageChops.invert(alpha)  # alpha 0 = edit here
        painted = editable.point(lambda v: 255 if v >= 128 else 0).getbbox()
        if painted:
            art.label_region(new, req.prompt, painted)
        # Like the real model (masks are only hints): every pixel outside the mask drifts a little,
        # and the edit bleeds into a band around the mask.
        out = Image.composite(
            new, drift(source, seed=art.seed_for(req.prompt, index, "drift", p.variation)), bleed(editable)
        )
    return out if p.transparent or req.images[0].has_alpha else out.convert("RGB")


BLEED_PX = 24


def bleed(editable: Image.Image, px: int = BLEED_PX) -> Image.Image:
    """Blend weights: the mask itself, plus up to ~45% of the edit in a soft band `px` wide around it."""
    halo = mask_ops.feather(mask_ops.grow(editable, px), px).point(lambda v: v * 45 // 100)
    return ImageChops.lighter(editable, halo)


def drift(img: Image.Image, *, seed: int, amplitude: int = 8) -> Image.Image:
    """Deterministic small changes to every channel (up to +-amplitude levels), alpha kept."""
    rng = random.Random(seed)
    up = art.noise_layer(img.size, rng, amplitude)
    down = art.noise_layer(img.size, rng, amplitude)
    rgb = img.convert("RGB")
    shifted = ImageChops.subtract(ImageChops.add(rgb, up), down)
    if img.mode == "RGBA":
        shifted.putalpha(img.getchannel("A"))
    return shifted
