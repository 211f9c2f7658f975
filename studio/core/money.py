"""Money as people read it, and the one rule for caps, shared by the service (which refuses) and the
window (which predicts the refusal on the Generate button), so both say the same amounts to the cent.

- A quote or a bill is shown rounded **up** (a shown quote never under-states): `$0.0527`.
- What is **left** under a cap is shown rounded **down** (never over-states the room).
- A cap is shown **exactly** as the user set it, never rounded: `$5.00`, `$0.125`.
- There is no `$-0.00`: negative zero is zero, a negative amount is `-$0.0100`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


def _format(amount: Decimal, places: int, rounding: str) -> str:
    value = amount.quantize(Decimal(1).scaleb(-places), rounding=rounding)
    if value == 0:
        value = abs(value)  # -0.0000 is zero
    return f"-${-value}" if value < 0 else f"${value}"


def format_usd(amount: Decimal, places: int = 4) -> str:
    """A quote, a bill, a total: rounded up, so a shown quote never under-states: $0.0527."""
    return _format(amount, places, ROUND_CEILING)


def format_usd_left(amount: Decimal, places: int = 4) -> str:
    """Room left under a cap: rounded down, never below zero."""
    return _format(max(amount, Decimal(0)), places, ROUND_FLOOR)


def format_cap(amount: Decimal) -> str:
    """A cap exactly as set: at least cents, every digit the user typed, never rounded."""
    exponent = amount.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return _format(amount, places, ROUND_FLOOR)


@dataclass(frozen=True)
class Limit:
    label: str  # "daily", "monthly", "board 'Shots'"
    cap: Decimal
    spent: Decimal  # spent or reserved in its span (real calls only: the sandbox never counts)
    span: str  # "today", "this month", "on this board"


def cap_refusal(quote_max: Decimal, call_caps: list[Decimal | None], limits: list[Limit]) -> str | None:
    """Why a call whose quote could cost `quote_max` is refused, or None when it fits every cap."""
    quote_text = format_usd(quote_max)
    call_cap = min((c for c in call_caps if c is not None), default=None)
    if call_cap is not None and quote_max > call_cap:
        return f"this call's quote is at most {quote_text}, over the per-call cap of {format_cap(call_cap)}"
    for limit in limits:
        if limit.spent + quote_max > limit.cap:
            return (
                f"this call's quote is at most {quote_text}; the {limit.label} cap is "
                f"{format_cap(limit.cap)} and "
                f"{format_usd(limit.spent)} is spent or reserved {limit.span}, so "
                f"{format_usd_left(limit.cap - limit.spent)} is left"
            )
    return None
