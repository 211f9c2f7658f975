"""The cost meter: the live quote, the last bill, totals and caps as bars. Sandbox calls are marked."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from studio.core.pricing import format_usd
from studio.state.cost_model import CostModel


class CostMeter(QGroupBox):
    def __init__(self, model: CostModel, parent: QWidget | None = None):
        super().__init__("Cost", parent)
        self.model = model
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.quote = QLabel()
        self.quote.setObjectName("quoteLabel")
        self.last = QLabel()
        self.last.setObjectName("lastBillLabel")
        self.today, self.month, self.board = QLabel(), QLabel(), QLabel()
        for label in (self.quote, self.last):
            label.setWordWrap(True)
        form.addRow("Generate now", self.quote)
        form.addRow("Last call", self.last)
        form.addRow("Today", self.today)
        form.addRow("This month", self.month)
        self.board_label = QLabel("This board")
        form.addRow(self.board_label, self.board)
        layout.addLayout(form)
        self.bars: dict[str, QProgressBar] = {}
        for key, label in (("call", "per call"), ("day", "per day"), ("month", "per month"), ("board", "this board")):
            bar = QProgressBar()
            bar.setObjectName(f"cap_{key}")
            bar.setTextVisible(True)
            self.bars[key] = bar
            layout.addWidget(bar)
        self.sandbox_note = QLabel()
        self.sandbox_note.setWordWrap(True)
        layout.addWidget(self.sandbox_note)
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        s = self.model.state
        if s.quote is None:
            self.quote.setText("—")
        elif s.quote.kind == "estimate":  # no published formula: an estimate that learns, and the bound caps use
            learned = f", from {s.quote.calibrated_from} of your bills" if s.quote.calibrated_from else ""
            self.quote.setText(f"~{format_usd(s.quote.total_usd_estimate)} (estimate{learned}) · ≤ {format_usd(s.quote.total_usd_max)} bound")
            self.quote.setToolTip("This model has no published token formula: the estimate starts from reported figures and "
                                  "follows your own bills; the bound is what caps use, and a bill is never expected above it.")
        else:
            exact = format_usd(s.quote.output_usd)
            self.quote.setText(f"{exact} images (exact{'' if s.quote.output_exact else ', auto = dearest'}) · ≤ {format_usd(s.quote.total_usd_max)} in all")
            self.quote.setToolTip("OpenAI publishes this model's token formula: the image part of the quote is exact.")
        if s.last_billed is None and s.last_quote_max is None:
            self.last.setText("—")
        elif s.last_billed is None:
            self.last.setText(f"running · quoted ≤ {format_usd(s.last_quote_max)}")
        else:
            diff = ""
            if s.last_quote_max is not None:
                delta = s.last_quote_max - s.last_billed
                diff = f" · {format_usd(delta)} under the quote" if delta >= 0 else f" · {format_usd(-delta)} OVER the quote"
            self.last.setText(f"{format_usd(s.last_billed)}{' (sandbox, not charged)' if s.last_sandbox else ''}{diff}")
        self.today.setText(format_usd(s.today))
        self.month.setText(format_usd(s.month))
        self.board_label.setText(f"Board “{s.board_name}”" if s.board_name else "This board")
        self.board.setText(format_usd(s.board))
        quote_max = s.quote.total_usd_max if s.quote else Decimal(0)
        for key, cap, spent in (("call", s.cap_call, Decimal(0)), ("day", s.cap_day, s.today), ("month", s.cap_month, s.month), ("board", s.cap_board, s.board)):
            bar = self.bars[key]
            bar.setVisible(cap is not None)
            if cap is None:
                continue
            bar.setRange(0, 1000)
            used = spent + (quote_max if key != "call" else quote_max)
            bar.setValue(int(min(1, (spent / cap) if cap else 1) * 1000))
            over = used > cap
            bar.setFormat(f"{key}: {format_usd(spent)} of {format_usd(cap, 2)}" + (" · next call would cross it" if over else ""))
            bar.setStyleSheet("QProgressBar::chunk { background: #c62828; }" if over else "")
        self.sandbox_note.setText(
            f"Sandbox: placeholder images, no charges ({s.sandbox_calls} sandbox call(s), never added to spend)." if s.sandbox else ""
        )
