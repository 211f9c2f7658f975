"""The Batches panel: open and recent Batch API batches with a progress bar, counts, age, what each cost
so far against its bound, and Cancel / Fetch now for the selected one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core import clock
from studio.core.pricing import format_usd
from studio.state.batch_watch import BatchWatch

COLUMNS = ("Batch", "Progress", "Cost")
ENDED = ("completed", "failed", "expired", "cancelled")


def age(created_at: str, now: dt.datetime | None = None) -> str:
    seconds = max(0, int(((now or clock.now()) - dt.datetime.fromisoformat(created_at)).total_seconds()))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def describe(row: dict[str, Any]) -> str:
    """What a batch is doing, in words (its state, the ETA, what it said)."""
    status = str(row["status"]).replace("_", " ")
    if row.get("fetched_at") and row["status"] in ENDED:
        status += ", fetched"
    eta = row.get("eta_s")
    if eta is not None and row["status"] == "in_progress":
        status += f", about {max(1, round(eta / 60))} min left"
    if row.get("message"):
        status += f" — {row['message']}"
    return status


class BatchesPanel(QWidget):
    def __init__(self, watch: BatchWatch, parent: QWidget | None = None):
        super().__init__(parent)
        self.watch = watch
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("batchesTable")
        self.table.setAccessibleName("Batches")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = QLabel()  # the selected batch in words: state, ETA, what it said, its ids
        self.detail.setObjectName("batchDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = QLabel(
            "No batches yet. “Send as batch” under Generate sends the prompt (or its {a|b} variants) "
            "through OpenAI's Batch API: half the price, results within 24 hours."
        )
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: gray;")
        buttons = QHBoxLayout()
        self.cancel = QPushButton("&Cancel batch")
        self.fetch = QPushButton("&Fetch now")
        self.cancel.setToolTip("What finished is kept and billed; the rest is cancelled and not billed")
        self.fetch.setToolTip("Ask OpenAI now (otherwise the app asks every few minutes)")
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.fetch)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.cancel.clicked.connect(lambda: self._act(self.watch.cancel))
        self.fetch.clicked.connect(lambda: self._act(self.watch.fetch_now))
        self.table.itemSelectionChanged.connect(self._enable)
        watch.changed.connect(self.refresh)
        self.refresh()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.watch.rows):
            return None
        return self.watch.rows[rows[0].row()]

    def _act(self, action: Any) -> None:
        row = self.selected()
        if row is not None:
            action(row["id"])

    def _enable(self) -> None:
        row = self.selected()
        self.detail.setVisible(row is not None)
        if row is not None:
            ids = f"{row['id'][:8]} · {row['remote_id'] or 'not sent yet'}"
            self.detail.setText(
                f"{describe(row)}\n{ids} · {row['requests']:,} requests · {age(row['created_at'])} ago"
            )
        open_ = row is not None and not row.get("fetched_at")
        self.cancel.setEnabled(
            bool(open_ and row is not None and row["status"] not in ENDED + ("cancelling",))
        )
        self.fetch.setEnabled(bool(open_))

    def refresh(self) -> None:
        chosen = self.selected()
        rows = self.watch.rows
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            item = QTableWidgetItem(f"{row['id'][:8]} · {age(row['created_at'])}")
            item.setToolTip(f"{row['remote_id'] or 'not sent yet'}\n{describe(row)}")
            self.table.setItem(i, 0, item)
            self.table.setCellWidget(i, 1, self._bar(row))
            cost = QTableWidgetItem(f"{format_usd(row['billed_usd'])} / ≤ {format_usd(row['bound_usd'])}")
            cost.setToolTip("billed so far (Batch prices) / the bound reserved against your caps")
            cost.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(i, 2, cost)
            if chosen is not None and chosen["id"] == row["id"]:
                self.table.selectRow(i)
        if chosen is None and rows:
            self.table.selectRow(0)
        self._enable()

    @staticmethod
    def _bar(row: dict[str, Any]) -> QProgressBar:
        bar = QProgressBar()
        bar.setRange(0, max(1, int(row["requests"])))
        done = int(row["completed"] or 0) + int(row["failed"] or 0)
        bar.setValue(min(done, int(row["requests"])))
        failed = f" ({row['failed']:,} failed)" if row["failed"] else ""
        bar.setFormat(f"{row['completed']:,}/{row['requests']:,}{failed}")
        bar.setToolTip(describe(row))
        bar.setAccessibleName(f"Batch {row['id'][:8]}: {bar.format()}")
        return bar
