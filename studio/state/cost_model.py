"""The cost meter's numbers: the live quote, the last call's bill against that same call's quote, totals
and caps, and whether the next call would be refused (the rule the service applies, studio.core.money,
on the same numbers, so the button, the meter and a refusal agree to the cent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.money import Limit, cap_refusal
from studio.core.pricing import Quote
from studio.service import events as ev
from studio.service.api import BILL_FLAGS


@dataclass
class CostState:
    quote: Quote | None = None
    last_quote_max: Decimal | None = None  # the last call's own quote bound
    last_billed: Decimal | None = None
    last_state: str | None = None  # running | saved | failed | unknown (None: no call yet)
    last_sandbox: bool = False
    last_request_id: str | None = None
    last_flags: tuple[str, ...] = ()  # "over the quote", "bill estimated" (pricing.bill_flags)
    last_parts: tuple[tuple[str, Decimal], ...] = ()  # a bill in parts (a refine turn: mainline, image)
    today: Decimal = Decimal(0)
    month: Decimal = Decimal(0)
    board: Decimal = Decimal(0)
    cap_call: Decimal | None = None
    cap_day: Decimal | None = None
    cap_month: Decimal | None = None
    cap_board: Decimal | None = None
    sandbox: bool = False
    sandbox_calls: int = 0
    board_name: str = ""
    references_usd: tuple[Decimal, Decimal] | None = None  # the cast's part of the quote: estimate, bound
    set_preview: Any = None  # the prompt's template set (variant_set.SetPreview): Generate sends all of it
    extra: dict = field(default_factory=dict)

    def limits(self) -> list[Limit]:
        """The day, month and board caps that are set, with what is spent or reserved against each."""
        spans = [
            ("daily", self.cap_day, self.today, "today"),
            ("monthly", self.cap_month, self.month, "this month"),
            (f"board '{self.board_name}'", self.cap_board, self.board, "on this board"),
        ]
        return [Limit(label, cap, spent, span) for label, cap, spent, span in spans if cap is not None]

    def refusal(self) -> str | None:
        """Why the service would refuse the current request now (the sandbox rehearses the caps), or None."""
        if self.quote is None:
            return None
        why = cap_refusal(
            self.quote.total_usd_max, [self.cap_call], [] if self.set_preview else self.limits()
        )
        if self.set_preview is not None and why is None:  # each variant is a call; together they count
            why = cap_refusal(self.set_preview.now_max, [], self.limits())
        return f"the sandbox is rehearsing your caps: {why}" if why and self.sandbox else why


class CostModel(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.state = CostState()
        self._quotes: dict[str, Decimal] = {}  # job id -> its own quote bound, until it settles

    def update(self, **changes: Any) -> None:
        for k, v in changes.items():
            setattr(self.state, k, v)
        self.changed.emit()

    def apply(self, event: Any, *, sandbox: bool) -> None:
        """ "Last call" follows the service's events: a call's bill is compared with its own quote (an edit
        with the edit's, never with the previous generation's); a refused call never shows as running."""
        if isinstance(event, ev.JobQueued):
            self._quotes[event.job_id] = event.quote_max_usd
        elif isinstance(event, ev.JobSent) and event.job_id in self._quotes:
            self.update(
                last_state="running",
                last_quote_max=self._quotes[event.job_id],
                last_billed=None,
                last_sandbox=sandbox,
                last_parts=(),
            )
        elif isinstance(event, ev.JobSaved):
            flags = tuple(f for f in BILL_FLAGS if f in (event.notice or ""))
            self.update(
                last_state="saved",
                last_quote_max=self._quotes.pop(event.job_id, None),
                last_flags=flags,
                last_billed=event.billed_usd,
                last_sandbox=sandbox,
                last_request_id=event.request_id,
                last_parts=event.parts,
            )
        elif isinstance(event, (ev.JobFailed, ev.JobUnknown)) and event.job_id in self._quotes:
            state = "unknown" if isinstance(event, ev.JobUnknown) else "failed"
            billed = getattr(event, "billed_usd", None)  # a failure can still cost (a refine's mainline)
            self.update(
                last_state=state,
                last_quote_max=self._quotes.pop(event.job_id),
                last_billed=billed,
                last_sandbox=sandbox,
                last_parts=getattr(event, "parts", ()),
            )
