"""Quotes before a call and bills after it. Money is Decimal USD, never float."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .money import format_usd  # noqa: F401  (re-exported: quotes and bills are shown with it)
from .registry import ModelSpec, Prices, Registry
from .request import EditRequest
from .sizes import Size
from .svg_cost import SvgCost, svg_bill, svg_quote
from .tokens import (
    estimate_input_image_tokens,
    estimate_text_tokens,
    max_input_image_tokens,
    max_text_tokens,
    worst_case_output_range,
)
from .validation import Checked

MILLION = Decimal(1_000_000)


def usd(tokens: int, per_million: Decimal) -> Decimal:
    return Decimal(tokens) * per_million / MILLION


def _prices(spec: ModelSpec, batch: bool) -> Prices:
    if batch and spec.batch != "yes":
        why = {
            "no": "does not support the Batch API",
            "unknown": "may not support the Batch API (reported unsupported; OpenAI's flag is unknown)",
        }
        raise ValueError(f"{spec.id} {why.get(spec.batch, why['no'])}: no Batch prices to quote")
    prices = spec.batch_prices if batch else spec.prices
    if prices is None:
        raise ValueError(f"{spec.id} has no {'batch ' if batch else ''}token prices")
    return prices


@dataclass(frozen=True)
class Quote:
    """What a call will cost. `total_usd_max` is the bound budget caps use; it never under-states."""

    model: str
    n: int
    output_tokens_per_image: int
    output_tokens: int  # all n images, plus partial images
    output_usd: Decimal
    output_exact: bool  # False when size or quality is auto (quoted at the dearest choice)
    text_tokens_estimate: int
    text_tokens_max: int
    image_input_tokens_estimate: int
    image_input_tokens_max: int
    input_usd_estimate: Decimal
    input_usd_max: Decimal
    total_usd_estimate: Decimal
    total_usd_max: Decimal
    batch: bool = False
    notes: tuple[str, ...] = field(default=())
    kind: str = "exact"  # "exact": OpenAI publishes the token rule; "estimate": learned, with a bound
    output_tokens_max: int = 0  # the bound of output_tokens (equal to it for exact quotes)
    output_usd_max: Decimal = Decimal(0)
    svg: SvgCost | None = None  # the SVG author's part (already in the totals)
    calibrated_from: int = 0  # how many of the user's own bills the estimate follows

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "kind": self.kind,
            "n": self.n,
            "output_tokens_per_image": self.output_tokens_per_image,
            "output_tokens": self.output_tokens,
            "output_usd": str(self.output_usd),
            "output_exact": self.output_exact,
            "text_tokens_estimate": self.text_tokens_estimate,
            "text_tokens_max": self.text_tokens_max,
            "image_input_tokens_estimate": self.image_input_tokens_estimate,
            "image_input_tokens_max": self.image_input_tokens_max,
            "input_usd_estimate": str(self.input_usd_estimate),
            "input_usd_max": str(self.input_usd_max),
            "total_usd_estimate": str(self.total_usd_estimate),
            "total_usd_max": str(self.total_usd_max),
            "output_tokens_max": self.output_tokens_max,
            "output_usd_max": str(self.output_usd_max),
            "svg": self.svg.to_json() if self.svg else None,
            "calibrated_from_bills": self.calibrated_from,
            "batch": self.batch,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Quote:
        """The quote a journal row stored (to_json); the SVG part is kept in the totals only."""

        def money(key: str) -> Decimal:
            return Decimal(str(data[key]))

        return cls(
            model=str(data["model"]),
            n=int(data["n"]),
            output_tokens_per_image=int(data["output_tokens_per_image"]),
            output_tokens=int(data["output_tokens"]),
            output_usd=money("output_usd"),
            text_tokens_estimate=int(data["text_tokens_estimate"]),
            text_tokens_max=int(data["text_tokens_max"]),
            image_input_tokens_estimate=int(data["image_input_tokens_estimate"]),
            image_input_tokens_max=int(data["image_input_tokens_max"]),
            input_usd_estimate=money("input_usd_estimate"),
            input_usd_max=money("input_usd_max"),
            total_usd_estimate=money("total_usd_estimate"),
            total_usd_max=money("total_usd_max"),
            output_tokens_max=int(data["output_tokens_max"]),
            output_exact=bool(data["output_exact"]),
            batch=bool(data.get("batch")),
            notes=tuple(data.get("notes") or ()),
            kind=str(data.get("kind") or "exact"),
            output_usd_max=Decimal(str(data.get("output_usd_max") or data["output_usd"])),
            calibrated_from=int(data.get("calibrated_from_bills") or 0),
        )


@dataclass(frozen=True)
class Learned:
    """What the user's own bills say one image of a kind of request costs, in output tokens."""

    median: int
    largest: int
    bills: int


def calibration_key(
    model: str,
    size: Size | str | None,
    quality: str,
    complexity: str | None,
    output_format: str,
    frames: int | None = None,
) -> str:
    """The kind of request a bill teaches about: model, size, quality, complexity, format (and GIF frames)."""
    parts = [model, str(size or "auto"), quality, complexity or "-", output_format]
    if output_format == "gif":
        parts.append(f"{frames}f")
    return "|".join(parts)


def billed_size(checked: Checked) -> Size | None:
    """The size whose output is billed: a GIF's whole sheet, otherwise the requested size."""
    req, spec = checked.request, checked.spec
    if req.output_format == "gif" and spec.gif is not None and checked.size is not None:
        return spec.gif.sheet(spec.gif.frames(req.frame_count), checked.size)
    return checked.size


def quote(
    checked: Checked,
    registry: Registry,
    *,
    batch: bool = False,
    learned_image_tokens: Mapping[str, int] | None = None,
    learned_output: Mapping[str, Learned] | None = None,
) -> Quote:
    """Quote a validated request.

    learned_image_tokens maps an input size ("WxH") to the image tokens the user's own past edits
    reported for this model; it replaces the rule-of-thumb estimate (never the upper bound).
    learned_output maps calibration keys to the output tokens the user's own bills showed: for models
    without a published rule the estimate follows them, and the bound never falls below the largest
    bill seen times the rule's margin.
    """
    req, spec = checked.request, checked.spec
    prices = _prices(spec, batch)
    size = billed_size(checked)
    per_image, per_image_max = worst_case_output_range(spec, size, req.quality)
    notes: list[str] = []
    calibrated = 0
    if not spec.listed:
        notes.append(
            f"{spec.id} is not in this version's model list: "
            "checked with the common GPT-image rules; "
            "its quote is an estimate with a doubled bound"
        )
    if not spec.exact_quotes:
        frames = spec.gif.frames(req.frame_count) if req.output_format == "gif" and spec.gif else None
        key = calibration_key(req.model, checked.size, req.quality, req.complexity, req.output_format, frames)
        seen = (learned_output or {}).get(key)
        margin = Decimal(str(spec.output_tokens.get("learn_margin", "1.25")))
        if seen is not None and seen.bills:
            per_image, calibrated = seen.median, seen.bills
            per_image_max = max(per_image_max, math.ceil(seen.largest * margin), per_image)
            notes.append(f"estimate from {seen.bills} of your own bill(s) for this kind of request")
        else:
            notes.append(
                f"{spec.id} has no published token formula: the estimate is third-party data "
                "and learns from your bills; caps use the bound"
            )
    partial = req.partial_images * spec.partial_image_tokens if req.stream else 0
    output_tokens = (per_image + partial) * req.n
    output_tokens_max = (per_image_max + partial) * req.n
    exact = checked.size is not None and req.quality != "auto"
    if not exact:
        notes.append("size or quality is auto: quoted at the dearest option the model may pick")
    if partial:
        notes.append(
            f"{req.partial_images} partial image(s) per image add {spec.partial_image_tokens} tokens each"
        )
    if req.output_format == "gif" and size is not None:
        notes.append(f"a GIF is billed as one sheet of its frames: {size}")

    text_est = estimate_text_tokens(req.prompt)
    text_max = max_text_tokens(req.prompt, registry.text_upper_overhead)
    img_est = img_max = 0
    if isinstance(req, EditRequest):
        rule = spec.input_image_tokens
        learned = learned_image_tokens or {}
        for image in req.images:
            img_est += learned.get(str(image.size), estimate_input_image_tokens(rule, image.size))
            img_max += max_input_image_tokens(rule, image.size)
        for extra in (req.mask, req.markup):  # whether these are billed is unknown: the bound counts them
            if extra is not None:
                img_max += max_input_image_tokens(rule, extra.size)
        notes.append("input image tokens are an estimate; the bill comes from the API's usage")
    output_usd = usd(output_tokens, prices.image_out)
    output_usd_max = usd(output_tokens_max, prices.image_out)
    input_est = usd(text_est, prices.text_in) + usd(img_est, prices.image_in)
    input_max = usd(text_max, prices.text_in) + usd(img_max, prices.image_in)
    svg = svg_quote(spec, req.svg_author, registry.svg_authors) if req.output_format == "svg" else None
    if svg is not None:
        notes.extend(svg.notes)
    if spec.prices and spec.prices.text_out is not None:
        notes.append(f"{spec.id} also bills text output tokens, which cannot be known before the call")
    return Quote(
        model=req.model,
        n=req.n,
        output_tokens_per_image=per_image,
        output_tokens=output_tokens,
        output_usd=output_usd,
        output_exact=exact and spec.exact_quotes,
        text_tokens_estimate=text_est,
        text_tokens_max=text_max,
        image_input_tokens_estimate=img_est,
        image_input_tokens_max=img_max,
        input_usd_estimate=input_est,
        input_usd_max=input_max,
        total_usd_estimate=output_usd + input_est + (svg.usd_estimate if svg else 0),
        total_usd_max=output_usd_max + input_max + (svg.usd_max if svg else 0),
        batch=batch,
        notes=tuple(notes),
        kind="exact" if spec.exact_quotes else "estimate",
        output_tokens_max=output_tokens_max,
        output_usd_max=output_usd_max,
        svg=svg,
        calibrated_from=calibrated,
    )


@dataclass(frozen=True)
class Bill:
    """What a call cost, from the response's `usage`."""

    text_in_tokens: int
    image_in_tokens: int
    image_out_tokens: int
    text_out_tokens: int
    usd: Decimal  # everything, the SVG author's part included
    svg_usd: Decimal = Decimal(0)
    flags: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "text_in_tokens": self.text_in_tokens,
            "image_in_tokens": self.image_in_tokens,
            "image_out_tokens": self.image_out_tokens,
            "text_out_tokens": self.text_out_tokens,
            "usd": str(self.usd),
            "svg_usd": str(self.svg_usd),
            "flags": list(self.flags),
        }


ABSURD_TOKENS = 50_000_000  # no image call reports more; a larger count is a broken answer, not a bill


def _count(value: Any) -> int | None:
    """A token count as JSON carries it: a whole, finite, non-negative number below the absurd."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        return None
    return int(value) if 0 <= value <= ABSURD_TOKENS else None


def usage_problem(usage: Any) -> str | None:
    """Why a response's `usage` cannot be billed from (missing, malformed, negative, absurd), or None."""
    if usage is None:
        return "the answer had no usage"
    if not isinstance(usage, Mapping):
        return f"usage is a {type(usage).__name__}, not an object"
    for key in ("input_tokens", "output_tokens"):
        if _count(usage.get(key, 0)) is None:
            return f"usage.{key} is {usage.get(key)!r}"
    for section in ("input_tokens_details", "output_tokens_details"):
        details = usage.get(section)
        if details is None:
            continue
        if not isinstance(details, Mapping):
            return f"usage.{section} is a {type(details).__name__}, not an object"
        for key in ("text_tokens", "image_tokens"):
            if _count(details.get(key, 0) or 0) is None:
                return f"usage.{section}.{key} is {details.get(key)!r}"
    return None


def bill_from_usage(
    usage: Mapping[str, Any] | None,
    spec: ModelSpec,
    *,
    batch: bool = False,
    svg_usage: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
) -> Bill | None:
    """Price a response's usage (and an SVG's `svg_usage`, at its author model's rates).
    `output_tokens_details` may be missing (streamed events omit it): then all output tokens are
    billed as image tokens, the dearer rate. None when the usage cannot be billed from (usage_problem):
    the caller bills the quote's bound then, and flags it."""
    if not usage or usage_problem(usage) is not None:
        return None
    prices = _prices(spec, batch)
    details = usage.get("input_tokens_details") or {}
    input_tokens = int(usage.get("input_tokens") or 0)
    if details:
        text_in = int(details.get("text_tokens") or 0)
        image_in = int(details.get("image_tokens") or 0)
    else:  # no breakdown: bill it all at the dearer input rate
        text_in, image_in = (0, input_tokens) if prices.image_in >= prices.text_in else (input_tokens, 0)
    out_details = usage.get("output_tokens_details") or {}
    output_tokens = int(usage.get("output_tokens") or 0)
    if out_details:
        image_out = int(out_details.get("image_tokens") or 0)
        text_out = int(out_details.get("text_tokens") or 0)
    else:
        image_out, text_out = output_tokens, 0
    amount = usd(text_in, prices.text_in) + usd(image_in, prices.image_in) + usd(image_out, prices.image_out)
    flags: list[str] = []
    if text_out:
        amount += usd(text_out, prices.text_out if prices.text_out is not None else prices.image_out)
        if spec.grade("prices.text_out") != "P" or prices.text_out is None:
            flags.append("text output billed at the dearest plausible rate (no published price)")
    svg_usd = Decimal(0)
    if svg_usage:
        authors = registry.svg_authors if registry else {}
        bound = svg_quote(spec, None, authors) if spec.svg and authors else None
        fallback = bound.usd_max if bound else Decimal(0)
        svg_usd, svg_flags = svg_bill(svg_usage, authors, unreadable_usd=fallback)
        flags.extend(svg_flags)
    return Bill(text_in, image_in, image_out, text_out, amount + svg_usd, svg_usd, tuple(flags))


def bill_flags(bill: Bill | None, billed: Decimal, q: Quote, usage: Any, request_id: str | None) -> list[str]:
    """What a job's bill must say about itself: estimated (usage unusable: billed at the quote's bound) or
    over the quote (kept: it is what OpenAI charges), with the request id, plus the bill's own flags."""
    flags = list(bill.flags) if bill else []
    rid = f" (request id {request_id})" if request_id else ""
    if bill is None:
        flags.append(
            f"bill estimated: the answer's usage was unusable ({usage_problem(usage)}); "
            f"billed at the quote's bound {format_usd(billed)}{rid}"
        )
    elif billed > q.total_usd_max:
        flags.append(
            f"over the quote: billed {format_usd(billed)}, quoted at most {format_usd(q.total_usd_max)}{rid}"
        )
    return flags
