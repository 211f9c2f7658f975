"""The cost meter: the live quote, the last bill, totals and caps as bars. Sandbox calls are marked."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from studio.core.money import format_cap, format_usd, format_usd_left
from studio.state.cost_model import CostModel, CostState


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
        self.board_label.setWordWrap(True)  # a long board name wraps instead of widening the dock
        form.addRow(self.board_label, self.board)
        layout.addLayout(form)
        self.bars: dict[str, QProgressBar] = {}
        for key in ("call", "day", "month", "board"):
            bar = QProgressBar()
            bar.setObjectName(f"cap_{key}")
            bar.setTextVisible(True)
            self.bars[key] = bar
            layout.addWidget(bar)
        self.refusal = QLabel()  # what the service would say if the next call were sent now
        self.refusal.setObjectName("refusalLabel")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #c62828;")
        layout.addWidget(self.refusal)
        self.sandbox_note = QLabel()
        self.sandbox_note.setWordWrap(True)
        layout.addWidget(self.sandbox_note)
        model.changed.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _last_call(s: CostState) -> str:
        quoted = f"quoted ≤ {format_usd(s.last_quote_max)}" if s.last_quote_max is not None else ""
        if s.last_state is None:
            return "—"
        if s.last_state == "running":
            return f"running · {quoted}"
        parts = (
            " = " + " + ".join(f"{name} {format_usd(usd)}" for name, usd in s.last_parts)
            if s.last_parts
            else ""
        )
        if s.last_state == "failed" and s.last_billed:
            return f"failed · billed {format_usd(s.last_billed)}{parts} ({quoted})"
        if s.last_state == "failed":
            return f"failed · nothing billed ({quoted})"
        if s.last_state == "unknown":
            return (
                f"outcome unknown · counted at ≤ {format_usd(s.last_quote_max or Decimal(0))} until settled"
            )
        billed = s.last_billed or Decimal(0)
        diff = ""
        if s.last_quote_max is not None:
            delta = s.last_quote_max - billed
            diff = (
                f" · {format_usd_left(delta)} under its quote"
                if delta >= 0
                else f" · {format_usd(-delta)} OVER its quote"
            )
        estimated = (
            " · estimated (the answer's usage was unusable)" if "bill estimated" in s.last_flags else ""
        )
        rid = f" · request id {s.last_request_id}" if s.last_flags and s.last_request_id else ""
        return (
            f"{format_usd(billed)}{parts}{' (sandbox, not charged)' if s.last_sandbox else ''}{diff}"
            f"{estimated}{rid}"
        )

    def refresh(self) -> None:
        s = self.model.state
        if s.quote is None:
            self.quote.setText("—")
        elif s.set_preview is not None:
            sp = s.set_preview
            batch = f" (as a batch ≤ {format_usd(sp.batch_max)})" if sp.batch_max is not None else ""
            self.quote.setText(
                f"{sp.count:,} variants: ~{format_usd(sp.now_estimate)} · ≤ {format_usd(sp.now_max)}{batch}"
            )
            self.quote.setToolTip(
                "The prompt is a template: Generate sends every variant; the bound is the sum"
            )
        elif (
            s.quote.kind == "estimate"
        ):  # no published formula: an estimate that learns, and the bound caps use
            learned = f", from {s.quote.calibrated_from} of your bills" if s.quote.calibrated_from else ""
            self.quote.setText(
                f"~{format_usd(s.quote.total_usd_estimate)} (estimate{learned}) · ≤ "
                f"{format_usd(s.quote.total_usd_max)} bound"
            )
            self.quote.setToolTip(
                "This model has no published token formula: the estimate starts from reported figures and "
                "follows your own bills; the bound is what caps use, and a bill is never expected above it."
            )
        else:
            exact = format_usd(s.quote.output_usd)
            self.quote.setText(
                f"{exact} images (exact{'' if s.quote.output_exact else ', auto = dearest'}) · ≤ "
                f"{format_usd(s.quote.total_usd_max)} in all"
            )
            self.quote.setToolTip(
                "OpenAI publishes this model's token formula: the image part of the quote is exact."
            )
        if s.references_usd is not None and s.quote is not None and s.set_preview is None:
            est, bound = s.references_usd
            self.quote.setText(
                f"{self.quote.text()} · cast references ~{format_usd(est)} (≤ {format_usd(bound)}) of it"
            )
            self.quote.setToolTip(
                self.quote.toolTip() + "\nThe board's cast is sent as input images: their input tokens "
                "and the woven text are the references' part."
            )
        self.last.setText(self._last_call(s))
        self.today.setText(format_usd(s.today))
        self.month.setText(format_usd(s.month))
        self.board_label.setText(f"Board “{s.board_name}”" if s.board_name else "This board")
        self.board.setText(format_usd(s.board))
        quote_max = s.quote.total_usd_max if s.quote else Decimal(0)
        if s.set_preview is not None:  # Generate sends the template's whole set
            quote_max = s.set_preview.now_max
        for key, cap, spent in (
            ("call", s.cap_call, None),
            ("day", s.cap_day, s.today),
            ("month", s.cap_month, s.month),
            ("board", s.cap_board, s.board),
        ):
            bar = self.bars[key]
            bar.setVisible(cap is not None)
            if cap is None:
                continue
            shown = quote_max if spent is None else spent  # the call cap is measured by this call's quote
            over = shown > cap if spent is None else spent + quote_max > cap  # the rule the service applies
            bar.setRange(0, 1000)
            bar.setValue(int(min(Decimal(1), shown / cap if cap else Decimal(1)) * 1000))
            what = f"this call ≤ {format_usd(shown)}" if spent is None else format_usd(shown)
            bar.setFormat(
                f"{key}: {what} of {format_cap(cap)}" + (" · next call would cross it" if over else "")
            )
            bar.setStyleSheet(
                "QProgressBar { color: #c62828; font-weight: bold; } QProgressBar::chunk { background: "
                "#c62828; }"
                if over
                else ""
            )
        refusal = s.refusal()
        self.refusal.setText(f"Next call refused: {refusal}" if refusal else "")
        self.refusal.setVisible(bool(refusal))
        self.sandbox_note.setText(
            f"Sandbox: placeholder images, no charges ({s.sandbox_calls} sandbox call(s), never added to "
            "spend)."
            if s.sandbox
            else ""
        )
