"""The price of a Responses API turn (a mainline model calling the image tool): a quote with a hard
bound, and the bill split into its two parts (pure code).

Bound: the image model's part as for any request (its output bound; the text it is given, which the
mainline writes within its own output, so at most `max_output_tokens` more; the images it sees), plus the
mainline's input (the instruction, the stored history, the images re-sent with the conversation — billed
again every turn — and the tool's overhead), plus its output, which `max_output_tokens` caps on every
request. Bill: `usage` at the mainline's rates plus `tool_usage.image_gen` at the image model's, each field
at its own rate; a missing `tool_usage` is billed at the image part's bound and flagged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .mainline import Mainline, MainlineSpec
from .pricing import Bill, Quote, bill_from_usage, quote, usd
from .registry import Registry
from .sizes import Size
from .tokens import estimate_input_image_tokens, estimate_text_tokens, max_input_image_tokens, max_text_tokens
from .validation import Checked

# The mainline's own output, as an estimate: its visible text (the revised prompt and a sentence) plus the
# reasoning it tends to spend at each effort (the bound is max_output_tokens, whatever the effort).
REASONING_ESTIMATE = {"none": 0, "minimal": 60, "low": 250, "medium": 900, "high": 3000, "xhigh": 8000}
VISIBLE_ESTIMATE = 220


@dataclass(frozen=True)
class TurnQuote:
    image: Quote  # the image model's part, with the mainline-written prompt's bound added to its input
    mainline: str
    mainline_in_tokens_estimate: int
    mainline_in_tokens_max: int
    mainline_out_tokens_estimate: int
    mainline_out_tokens_max: int  # = max_output_tokens, sent on the request
    mainline_usd_estimate: Decimal
    mainline_usd_max: Decimal
    total_usd_estimate: Decimal
    total_usd_max: Decimal
    notes: tuple[str, ...] = field(default=())
    cast_notes: tuple[str, ...] = field(default=())  # what a first turn's cast left out, or says wrongly

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "estimate",
            "mainline": self.mainline,
            "mainline_input_tokens_estimate": self.mainline_in_tokens_estimate,
            "mainline_input_tokens_max": self.mainline_in_tokens_max,
            "mainline_output_tokens_estimate": self.mainline_out_tokens_estimate,
            "mainline_output_tokens_max": self.mainline_out_tokens_max,
            "mainline_usd_estimate": str(self.mainline_usd_estimate),
            "mainline_usd_max": str(self.mainline_usd_max),
            "image": self.image.to_json(),
            "total_usd_estimate": str(self.total_usd_estimate),
            "total_usd_max": str(self.total_usd_max),
            "notes": list(self.notes),
            "cast_notes": list(self.cast_notes),
        }


def turn_quote(
    image: Checked,
    registry: Registry,
    mainline: Mainline,
    spec: MainlineSpec,
    *,
    instruction: str,
    history: Sequence[str],
    resent: Sequence[Size],
    max_output_tokens: int,
    effort: str,
    image_sees: Sequence[Size] = (),
) -> TurnQuote:
    """`image`: the tool's request (prompt = the instruction); `history`: the conversation's earlier
    instructions; `resent`: the pixel sizes of every image the conversation carries this turn (billed again
    each turn, by the mainline); `image_sees`: those the image model sees beyond `image`'s own inputs (the
    history's images go to it again too, and are billed again)."""
    base = quote(image, registry)
    image_prices = image.spec.prices
    assert image_prices is not None
    rules = image.spec.input_image_tokens
    written = max_output_tokens  # the prompt the mainline writes for the image model is part of its output
    seen_max = sum(max_input_image_tokens(rules, size) for size in image_sees)
    seen_est = sum(estimate_input_image_tokens(rules, size) for size in image_sees)
    image_in_extra = usd(written, image_prices.text_in) + usd(seen_max, image_prices.image_in)
    image_part = replace(
        base,
        input_usd_max=base.input_usd_max + image_in_extra,
        total_usd_max=base.total_usd_max + image_in_extra,
        total_usd_estimate=base.total_usd_estimate + usd(seen_est, image_prices.image_in),
    )
    text = "\n".join([*history, instruction])
    overhead = registry.text_upper_overhead + mainline.tool_overhead_tokens
    in_max = max_text_tokens(text, overhead) + sum(max_input_image_tokens(rules, size) for size in resent)
    in_est = (
        estimate_text_tokens(text)
        + mainline.tool_overhead_tokens
        + sum(estimate_input_image_tokens(rules, size) for size in resent)
    )
    out_est = min(max_output_tokens, VISIBLE_ESTIMATE + REASONING_ESTIMATE.get(effort, 900))
    p = spec.prices
    main_est = usd(in_est, p.input) + usd(out_est, p.output)
    main_max = usd(in_max, p.input) + usd(max_output_tokens, p.output)
    notes = [
        f"{spec.id}: prices are third-party copies of OpenAI's pricing page"
        if spec.grade("prices") != "P"
        else "",
        "history images are sent, and billed, again every turn" if resent else "",
    ]
    return TurnQuote(
        image_part,
        spec.id,
        in_est,
        in_max,
        out_est,
        max_output_tokens,
        main_est,
        main_max,
        main_est + image_part.total_usd_estimate,
        main_max + image_part.total_usd_max,
        tuple(n for n in notes if n),
    )


@dataclass(frozen=True)
class TurnBill:
    mainline_usd: Decimal
    image_usd: Decimal
    image: Bill | None
    flags: tuple[str, ...]

    @property
    def usd(self) -> Decimal:
        return self.mainline_usd + self.image_usd


def mainline_usd(usage: Mapping[str, Any] | None, spec: MainlineSpec) -> Decimal | None:
    """`usage` at the mainline's rates (cached input at its own; reasoning is output). None if unusable."""
    if not isinstance(usage, Mapping):
        return None
    try:
        total_in = int(usage.get("input_tokens") or 0)
        cached = int((usage.get("input_tokens_details") or {}).get("cached_tokens") or 0)
        out = int(usage.get("output_tokens") or 0)
    except (TypeError, ValueError):
        return None
    if min(total_in, cached, out) < 0 or cached > total_in:
        return None
    p = spec.prices
    return usd(total_in - cached, p.input) + usd(cached, p.cached_input) + usd(out, p.output)


def turn_bill(
    usage: Mapping[str, Any] | None,
    tool_usage: Mapping[str, Any] | None,
    spec: MainlineSpec,
    image: Checked,
    q: TurnQuote,
    *,
    drew: bool,
) -> TurnBill:
    """The bill of an answered turn. `drew`: the answer had an image call (a text-only answer bills the
    mainline alone)."""
    flags: list[str] = []
    main = mainline_usd(usage, spec)
    if main is None:
        main = q.mainline_usd_max
        flags.append("the mainline's usage was unusable: billed at its bound")
    image_usage = (tool_usage or {}).get("image_gen") if isinstance(tool_usage, Mapping) else None
    bill = bill_from_usage(image_usage, image.spec) if drew and image_usage else None
    if bill is not None:
        image_usd = bill.usd
    elif drew:
        image_usd = q.image.total_usd_max
        flags.append("no tool_usage.image_gen in the answer: the image part is billed at its bound")
    else:
        image_usd = Decimal(0)
    return TurnBill(main, image_usd, bill, tuple(flags))


def effort_line(mainline: Mainline, spec: MainlineSpec, effort: str) -> str:
    """What a reasoning effort tends to cost and take, for the choice's label: the estimate of its reasoning
    tokens at the mainline's output rate and the seconds it tends to add (guesses: no figures are
    published; the bound is max_output_tokens whatever the effort)."""
    tokens = REASONING_ESTIMATE.get(effort, 900)
    if tokens == 0:
        return f"{effort}: no thinking — the mainline passes the instruction straight to the image tool"
    cost = usd(tokens, spec.prices.output)
    seconds = mainline.effort_seconds.get(effort)
    took = f", tends to add ~{seconds} s (a guess: no published figures)" if seconds else ""
    return f"{effort}: ≈{tokens:,} reasoning tokens ≈ ${cost:.4f} more per turn{took}"
