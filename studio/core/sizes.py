"""Image sizes: parsing "WxH", checking a model's size rules, and finding the nearest valid size."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import ValidationError
from .registry import SizeRules

_SIZE = re.compile(r"^\s*(\d{1,6})\s*[xX×]\s*(\d{1,6})\s*$")


@dataclass(frozen=True, order=True)
class Size:
    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def ratio(self) -> float:
        """Long edge over short edge (>= 1)."""
        return max(self.width, self.height) / min(self.width, self.height)


def parse_size(text: str) -> Size:
    """Parse "1536x1024" (also "1536×1024"); raises a ValidationError naming the value."""
    match = _SIZE.match(text or "")
    if not match:
        raise ValidationError("size", text, 'must be "auto" or WIDTHxHEIGHT, for example 1536x1024')
    w, h = int(match.group(1)), int(match.group(2))
    if w <= 0 or h <= 0:
        raise ValidationError("size", text, "width and height must be positive")
    return Size(w, h)


def size_problem(size: Size, rules: SizeRules) -> str | None:
    """The first rule the size breaks, in words, or None when it is valid."""
    if rules.kind == "fixed":
        if str(size) not in rules.sizes:
            return "must be one of " + ", ".join(rules.sizes) + (" or auto" if rules.auto else "")
        return None
    m = rules.multiple
    if size.width % m or size.height % m:
        return f"both edges must be multiples of {m}"
    if max(size.width, size.height) > rules.max_edge:
        return f"the longest edge must be at most {rules.max_edge}"
    if size.ratio > rules.max_ratio:
        return f"the long:short ratio must be at most {rules.max_ratio}:1 (it is {size.ratio:.2f}:1)"
    if size.pixels < rules.min_pixels:
        return f"must have at least {rules.min_pixels:,} pixels (it has {size.pixels:,})"
    if size.pixels > rules.max_pixels:
        return f"must have at most {rules.max_pixels:,} pixels (it has {size.pixels:,})"
    return None


def is_experimental(size: Size, rules: SizeRules) -> bool:
    return (
        rules.kind == "free"
        and rules.experimental_above_pixels > 0
        and size.pixels > rules.experimental_above_pixels
    )


def nearest_valid_size(size: Size, rules: SizeRules) -> Size:
    """The valid size closest to `size`, keeping its aspect as far as the rules allow.

    Ties go to the larger size, so 1000x1000 becomes 1008x1008 rather than 992x992.
    """
    if rules.kind == "fixed":
        choices = [parse_size(s) for s in rules.sizes]
        aspect = math.log(size.width / size.height)
        return min(
            choices,
            key=lambda c: (
                abs(math.log(c.width / c.height) - aspect),
                abs(c.pixels - size.pixels),
                -c.pixels,
            ),
        )
    aspect = min(max(size.width / size.height, 1 / rules.max_ratio), rules.max_ratio)
    area = min(max(size.pixels, rules.min_pixels), rules.max_pixels)
    tw, th = math.sqrt(area * aspect), math.sqrt(area / aspect)
    shrink = min(1.0, rules.max_edge / max(tw, th))
    tw, th = tw * shrink, th * shrink
    m = rules.multiple
    best: tuple[float, int, Size] | None = None
    for dw in range(-4, 5):
        for dh in range(-4, 5):
            cand = Size(max(m, (round(tw / m) + dw) * m), max(m, (round(th / m) + dh) * m))
            if size_problem(cand, rules) is not None:
                continue
            score = (math.hypot(cand.width - tw, cand.height - th), -cand.pixels, cand)
            if best is None or score[:2] < best[:2]:
                best = score
    if best is None:  # pathological rules: fall back to the closest preset
        return min((parse_size(s) for s in rules.presets), key=lambda c: abs(c.pixels - size.pixels))
    return best[2]


def check_size(text: str, rules: SizeRules) -> tuple[Size | None, list[str]]:
    """Validate a size string for a model. Returns (Size or None for auto, warnings)."""
    if text == "auto":
        if not rules.auto:
            raise ValidationError(
                "size", text, "this model has no automatic size; pick one of " + ", ".join(rules.sizes)
            )
        return None, []
    size = parse_size(text)
    problem = size_problem(size, rules)
    if problem:
        raise ValidationError(
            "size",
            str(size),
            problem,
            suggestion=f"{nearest_valid_size(size, rules)} is the nearest valid size",
        )
    warnings = []
    if is_experimental(size, rules):
        warnings.append(
            f"size {size} is above {rules.experimental_above_pixels:,} pixels (2560x1440): OpenAI calls "
            "such sizes experimental"
        )
    return size, warnings
