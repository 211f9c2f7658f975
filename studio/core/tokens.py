"""Token counts: image output (exact), text input (estimate and hard bound), image input (estimate)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .registry import ModelSpec
from .sizes import Size, parse_size


def output_tokens_per_image(spec: ModelSpec, size: Size, quality: str) -> int:
    """Image output tokens of one image at a concrete size and quality (not auto); for models without a
    published rule, the estimate (see output_token_range for the bound)."""
    return output_token_range(spec, size, quality)[0]


def output_token_range(spec: ModelSpec, size: Size, quality: str) -> tuple[int, int]:
    """(estimate, upper bound) of one image's output tokens. Equal where OpenAI publishes the rule."""
    rule = spec.output_tokens
    if rule.get("kind") == "estimate":
        formula = _gpt_image_2_tokens(size, int(rule["base"][quality]))
        return (
            math.ceil(formula * Decimal(str(rule["estimate"][quality]))),
            math.ceil(formula * Decimal(str(rule["bound"][quality]))),
        )
    exact = _exact_output_tokens(spec, size, quality)
    return exact, exact


def _exact_output_tokens(spec: ModelSpec, size: Size, quality: str) -> int:
    rule = spec.output_tokens
    kind = rule.get("kind")
    if kind == "formula-gpt-image-2":
        return _gpt_image_2_tokens(size, int(rule["base"][quality]))
    if kind == "table":
        try:
            return int(rule[quality][str(size)])
        except KeyError:
            raise KeyError(f"no token table entry for {spec.id} {quality} {size}") from None
    raise KeyError(f"{spec.id} has no output-token rule")


def _gpt_image_2_tokens(size: Size, base: int) -> int:
    """OpenAI's calculator: u = round_half_even(base / ratio); ceil(base*u*(2e6 + w*h) / 4e6)."""
    w, h = size.width, size.height
    s = Decimal(base) / (Decimal(max(w, h)) / Decimal(min(w, h)))
    u = int(s.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return math.ceil(Decimal(base * u) * Decimal(2_000_000 + w * h) / Decimal(4_000_000))


def worst_case_output_range(spec: ModelSpec, size: Size | None, quality: str) -> tuple[int, int]:
    """(estimate, bound) of one image, resolving `auto` size/quality to their dearest option."""
    qualities = [q for q in spec.qualities if q != "auto"] if quality == "auto" else [quality]
    if size is None:
        sizes = [parse_size(s) for s in spec.size_rules.auto_quote_sizes]
    else:
        sizes = [size]
    ranges = [output_token_range(spec, s, q) for s in sizes for q in qualities]
    return max(r[0] for r in ranges), max(r[1] for r in ranges)


# --- text -------------------------------------------------------------------------------------

_PIECES = re.compile(r"[A-Za-z]+|\d+|\s+|[^\sA-Za-z\d]")


def estimate_text_tokens(text: str) -> int:
    """A word-piece estimate of BPE tokens: letters in runs of up to 6, digits in groups of 3,
    any other character alone; leading spaces merge into the next word as BPE does."""
    if not text.strip():
        return 0
    count = 0
    for piece in _PIECES.findall(text):
        if piece[0].isspace():
            continue
        if piece[0].isalpha() and piece.isascii():
            count += math.ceil(len(piece) / 6)
        elif piece.isdigit():
            count += math.ceil(len(piece) / 3)
        else:
            count += 1
    return max(count, 1)


def max_text_tokens(text: str, overhead: int) -> int:
    """A hard upper bound: no token is shorter than one UTF-8 byte."""
    return len(text.encode("utf-8")) + overhead


# --- input images (edits) ---------------------------------------------------------------------


def estimate_input_image_tokens(rule: Mapping[str, Any], size: Size, *, high_fidelity: bool = True) -> int:
    """Estimated input tokens of one image (see resources/models.toml for the rules' sources)."""
    kind = rule.get("kind")
    if kind == "patches":
        p, cap = int(rule["patch"]), int(rule["max_patches"])
        patches = math.ceil(size.width / p) * math.ceil(size.height / p)
        if patches > cap:
            scale = math.sqrt(cap * p * p / (size.width * size.height))
            w, h = size.width * scale, size.height * scale
            # shrink until the whole-patch count fits the cap, as vision patching does
            while math.ceil(w / p) * math.ceil(h / p) > cap:
                w, h = w * 0.99, h * 0.99
            patches = math.ceil(w / p) * math.ceil(h / p)
        return patches
    if kind == "tiles":
        short = int(rule["shortest_side"])
        scale = short / min(size.width, size.height)
        w, h = size.width * scale, size.height * scale
        tile = int(rule["tile"])
        tiles = math.ceil(w / tile) * math.ceil(h / tile)
        tokens = int(rule["base"]) + int(rule["per_tile"]) * tiles
        if high_fidelity:
            square = size.width == size.height
            tokens += int(rule["high_fidelity_square"] if square else rule["high_fidelity_other"])
        return tokens
    raise KeyError("unknown input-image token rule")


def max_input_image_tokens(rule: Mapping[str, Any], size: Size) -> int:
    """Upper bound of one input image's tokens."""
    if rule.get("kind") == "patches":
        return max(int(rule["upper_bound_per_image"]), estimate_input_image_tokens(rule, size))
    return estimate_input_image_tokens(rule, size, high_fidelity=True)
