"""The prompt editor's model picker parts: each model with the reason to pick it, hints for the new
controls, and a one-line label that never overlaps its neighbours."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from studio.core.registry import ModelSpec

COMPLEXITY_HINT = (
    "How much the model plans before drawing (2.6 only). High is the default; lower is faster. "
    "No separate charge, but higher can change more than you asked."
)
QUALITY_HINTS = {
    "low": "Fast drafts; the fewest output tokens.",
    "medium": "Balanced detail and cost.",
    "high": "Fine detail; several times the tokens of medium.",
    "xhigh": "Finer still (2.5 / 2.6): about twice the tokens of high on 2.5.",
    "max": "The most detail (2.5 / 2.6): about four times the tokens of high on 2.5; slowest.",
    "auto": "The model picks; quoted at the dearest tier it may pick.",
}


GRADE_NOTES = {
    "T": " Reported by third parties for this model, not documented by OpenAI.",
    "U": " Not documented for this model: an assumption.",
}


WHY_ROLE = Qt.ItemDataRole.UserRole + 1


class PickerDelegate(QStyledItemDelegate):
    """The model picker's list: each model with its reason on a second, quieter line."""

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + option.fontMetrics.lineSpacing() + 2)

    def paint(self, painter, option: QStyleOptionViewItem, index) -> None:
        why = index.data(WHY_ROLE) or ""
        top = QStyleOptionViewItem(option)
        top.rect = option.rect.adjusted(0, 0, 0, -(option.fontMetrics.lineSpacing() + 2))
        super().paint(painter, top, index)
        painter.save()
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        line = option.rect.adjusted(18, top.rect.height() - 2, -6, 0)
        painter.drawText(
            line,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
            option.fontMetrics.elidedText(why, Qt.TextElideMode.ElideRight, line.width()),
        )
        painter.restore()


class ElidedLabel(QLabel):
    """One line that never overlaps its neighbours: elided to its width, the whole text in its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(
            self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(40, self.width()))
        )


def model_hint(spec: ModelSpec) -> str:
    kind = "exact quotes" if spec.exact_quotes else "quotes are estimates that learn from your bills"
    if kind in spec.pick_why:
        return spec.pick_why
    return f"{spec.pick_why} · {kind}" if spec.pick_why else kind


def fill_data(box: QComboBox, items: Sequence[tuple[str, object]], current: object) -> None:
    if [box.itemText(i) for i in range(box.count())] != [t for t, _ in items]:
        box.clear()
        for text, data in items:
            box.addItem(text, data)
    i = box.findData(current)
    box.setCurrentIndex(i if i >= 0 else 0)
