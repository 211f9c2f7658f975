"""The cost meter's numbers: the live quote, the last bill against its quote, totals and caps."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import QObject, Signal

from studio.core.pricing import Quote


@dataclass
class CostState:
    quote: Quote | None = None
    last_quote_max: Decimal | None = None
    last_billed: Decimal | None = None
    last_sandbox: bool = False
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
    extra: dict = field(default_factory=dict)


class CostModel(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.state = CostState()

    def update(self, **changes) -> None:
        for k, v in changes.items():
            setattr(self.state, k, v)
        self.changed.emit()
