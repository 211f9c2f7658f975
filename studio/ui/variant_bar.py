"""Under the prompt: the CSV rows a template's {column}s take, the preview of its set (how many requests,
the first of them, the price sent now and as a batch side by side, or the template's error with its
position), and the "Send as batch" button that sits beside Generate."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.core.pricing import format_usd
from studio.state.variant_set import VariantSet

BATCH_TEXT = "Send as batch (½ price, within 24 h)"
TEMPLATE_HINT = (
    "Variants: {red|blue} gives every combination of choices; {column} takes each row of a CSV file "
    "(Rows…). {{ and }} are literal braces."
)


class VariantBar(QWidget):
    batch_requested = Signal()

    def __init__(self, variants: VariantSet, parent: QWidget | None = None):
        super().__init__(parent)
        self.variants = variants
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        rows = QHBoxLayout()
        self.rows_button = QPushButton("&Rows…")
        self.rows_button.setObjectName("rowsButton")
        self.rows_button.setToolTip("A CSV file (UTF-8, a header row naming the columns) for {column}s")
        self.rows_button.setAccessibleName("Choose the CSV rows for the template's columns")
        self.rows_name = QLabel()
        self.rows_name.setStyleSheet("color: gray;")
        self.clear_rows = QPushButton("✕")
        self.clear_rows.setAccessibleName("Forget the CSV rows")
        self.clear_rows.setToolTip("Forget the CSV rows")
        self.clear_rows.setFixedWidth(28)
        rows.addWidget(self.rows_button)
        rows.addWidget(self.rows_name, 1)
        rows.addWidget(self.clear_rows)
        layout.addLayout(rows)
        self.preview = QLabel()
        self.preview.setObjectName("variantPreview")
        self.preview.setWordWrap(True)
        self.preview.setToolTip(TEMPLATE_HINT)
        layout.addWidget(self.preview)
        self.batch = QPushButton(BATCH_TEXT)
        self.batch.setObjectName("batchButton")
        self.batch.setToolTip(
            "OpenAI's Batch API: half the price, results within 24 hours; blank panels fill in as they "
            "arrive (Batches panel)"
        )
        self.rows_button.clicked.connect(self._choose_rows)
        self.clear_rows.clicked.connect(lambda: variants.set_rows_file(None))
        self.batch.clicked.connect(self.batch_requested)
        variants.changed.connect(self.show_state)
        self.show_state()

    def _choose_rows(self) -> None:
        self.dialog = QFileDialog(self, "Rows for the template", "", "CSV files (*.csv);;All files (*)")
        self.dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.dialog.fileSelected.connect(self.variants.set_rows_file)
        self.dialog.open()  # never exec(): no nested event loop under qasync

    def show_state(self) -> None:
        v = self.variants
        self.rows_name.setText(
            f"{v.rows_path.name} · {len(v.rows or []):,} rows" if v.rows_path else "no CSV rows"
        )
        self.clear_rows.setVisible(v.rows_path is not None)
        p = v.preview
        if v.error:
            self.preview.setText(f"<span style='color:#c62828'>{html.escape(v.error)}</span>")
        elif p is None:
            self.preview.setText("<span style='color:gray'>{a|b} in the prompt makes variants</span>")
        else:
            first = "".join(f"<br>· {html.escape(t[:90])}" for t in p.first)
            more = f"<br>· … {p.count - len(p.first):,} more" if p.count > len(p.first) else ""
            now = f"now ~{format_usd(p.now_estimate)}, ≤ {format_usd(p.now_max)}"
            if p.batch_max is not None and p.batch_estimate is not None:
                batch = f"as a batch ~{format_usd(p.batch_estimate)}, ≤ {format_usd(p.batch_max)}"
            else:
                batch = f"as a batch: {html.escape(p.batch_refusal or 'refused')}"
            self.preview.setText(f"<b>{p.count:,} variants</b> · {now} · {batch}{first}{more}")
        self.batch.setEnabled(v.error is None)
        if p is not None and p.batch_max is not None:
            self.batch.setText(f"{BATCH_TEXT} · ≤ {format_usd(p.batch_max)}")
        else:
            self.batch.setText(BATCH_TEXT)


def show_generate(generate: QPushButton, batch: QPushButton, model: Any, session: Any) -> None:
    """Generate says what the call (or the template's set) costs at most, and when the caps would refuse
    it (with the same amounts as the refusal; clicking still asks the service, which has the last word).
    Send as batch is enabled when there is something valid to send."""
    preview, error = session.variants.preview, session.variants.error
    generate.setEnabled(model.can_generate and error is None)
    batch.setEnabled(model.can_generate and error is None)
    refusal = session.costs.state.refusal() if model.quote is not None else None
    over = " · over a cap" if refusal else ""
    if model.quote is None:
        generate.setText("Generate")
    elif preview is not None:
        generate.setText(f"Generate {preview.count:,} variants · ≤ {format_usd(preview.now_max)}")
    else:
        generate.setText(f"Generate {model.value('n')} · ≤ {format_usd(model.quote.total_usd_max)}{over}")
    generate.setProperty("refused", bool(refusal))
    generate.setStyleSheet("QPushButton { color: #c62828; font-weight: bold; }" if refusal else "")
    generate.setToolTip(f"Would be refused: {refusal}" if refusal else "Generate (Ctrl+Return)")
