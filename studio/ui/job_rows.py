"""A job drawn as a row of the Jobs panel: a state pill (a word, and a colour that is never the only
signal), then what the job is and what happened, wrapped to the panel's width."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from studio.state.jobs_model import JobRow, JobsModel

PILLS = {  # state: (word, colour)
    "queued": ("queued", QColor(110, 110, 120)),
    "running": ("running", QColor(40, 120, 200)),
    "waiting": ("waiting", QColor(180, 130, 20)),
    "saved": ("saved", QColor(46, 140, 80)),
    "failed": ("failed", QColor(190, 50, 50)),
    "cancelled": ("cancelled", QColor(110, 110, 120)),
    "unknown": ("unknown", QColor(200, 110, 20)),
    "stuck": ("unsettled", QColor(200, 110, 20)),
}
PAD = 6
WRAP = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


def _body(row: JobRow) -> str:
    """The row's text without the state word the pill already says."""
    text = row.text()
    head = f"{row.job_id[:8]}  n={row.n}  "
    rest = text[len(head) :] if text.startswith(head) else text
    for said in ("saved · ", "failed: ", "queued · "):  # the pill says it already
        rest = rest.removeprefix(said)
    return f"{row.job_id[:8]} · {row.n} image{'s' * (row.n != 1)}\n{rest}"


class JobRowDelegate(QStyledItemDelegate):
    def _pill_width(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.horizontalAdvance("cancelled") + 2 * PAD

    def sizeHint(  # noqa: N802 (Qt naming)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        row: JobRow | None = index.data(JobsModel.RowRole)
        width = max(120, (option.widget.width() if option.widget else 300) - 8)
        if row is None:
            return super().sizeHint(option, index)
        text_w = width - self._pill_width(option) - 3 * PAD
        box = option.fontMetrics.boundingRect(QRect(0, 0, text_w, 10_000), WRAP, _body(row))
        return QSize(width, box.height() + 2 * PAD)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        row: JobRow | None = index.data(JobsModel.RowRole)
        if row is None:
            super().paint(painter, option, index)
            return
        painter.save()
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, pal.color(QPalette.ColorRole.Highlight))
        word, colour = PILLS.get(row.state, (row.state, QColor(110, 110, 120)))
        pill = QRect(option.rect.left() + PAD, option.rect.top() + PAD, self._pill_width(option), 0)
        pill.setHeight(option.fontMetrics.height() + 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, word)
        text = option.rect.adjusted(pill.width() + 2 * PAD, PAD, -PAD, -PAD)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(pal.color(role))
        painter.drawText(text, WRAP, _body(row))
        painter.restore()
