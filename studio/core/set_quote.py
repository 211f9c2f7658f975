"""Quotes of a set of requests (a template's variants) both ways: sent now at standard prices, or as a
Batch API batch at Batch prices (pure code)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from .errors import RefusedError
from .pricing import Quote, quote
from .registry import Registry
from .validation import Checked


def batch_quote(checked: Checked, registry: Registry, **learned: Any) -> Quote:
    """One request's quote at Batch prices. A model whose Batch support is unknown is quoted (and its
    reservation bounded) at standard prices, which can only over-state; one known not to support it is
    refused."""
    spec = checked.spec
    if spec.batch == "no":
        raise RefusedError(f"{spec.id} does not support the Batch API: send the requests now instead")
    if spec.batch == "yes" and spec.batch_prices is not None:
        return quote(checked, registry, batch=True, **learned)
    standard = quote(checked, registry, **learned)
    note = (
        f"{spec.id}: Batch API support is not published (it may be refused); quoted at standard prices, "
        "the most it can cost"
    )
    return replace(standard, notes=(*standard.notes, note))


@dataclass(frozen=True)
class SetQuote:
    """A set's price sent now and as a batch: estimates and the bounds that caps use."""

    requests: int
    now_estimate: Decimal
    now_max: Decimal
    batch_estimate: Decimal | None  # None: the set cannot go as a batch (why: batch_refusal)
    batch_max: Decimal | None
    batch_refusal: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self, *, batch: bool) -> dict[str, Any]:
        est, top = (self.batch_estimate, self.batch_max) if batch else (self.now_estimate, self.now_max)
        both = {
            "now": {"total_usd_estimate": str(self.now_estimate), "total_usd_max": str(self.now_max)},
            "as_batch": None
            if self.batch_max is None
            else {"total_usd_estimate": str(self.batch_estimate), "total_usd_max": str(self.batch_max)},
        }
        return {
            "requests": self.requests,
            "total_usd_estimate": None if est is None else str(est),
            "total_usd_max": None if top is None else str(top),
            "batch": batch,
            **both,
            "batch_refusal": self.batch_refusal,
            "notes": list(self.notes),
        }


def set_quote(now: list[Quote], as_batch: list[Quote] | None, refusal: str | None = None) -> SetQuote:
    """Sum the set's quotes (as_batch None: refused as a batch, for `refusal`)."""
    notes = tuple(dict.fromkeys(n for q in (as_batch or now)[:1] for n in q.notes))
    return SetQuote(
        len(now),
        sum((q.total_usd_estimate for q in now), Decimal(0)),
        sum((q.total_usd_max for q in now), Decimal(0)),
        None if as_batch is None else sum((q.total_usd_estimate for q in as_batch), Decimal(0)),
        None if as_batch is None else sum((q.total_usd_max for q in as_batch), Decimal(0)),
        refusal,
        notes,
    )


def quote_set(checked: list[Checked], registry: Registry, **learned: Any) -> SetQuote:
    """Both prices of validated requests (with what the user's bills taught, if given)."""
    now = [quote(c, registry, **learned) for c in checked]
    try:
        return set_quote(now, [batch_quote(c, registry, **learned) for c in checked])
    except RefusedError as exc:
        return set_quote(now, None, str(exc))
