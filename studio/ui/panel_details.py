"""The current panel's storyboard fields: caption, shot type, duration and notes (undoable edits), and the
cast references its generation was sent with."""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from studio.state.board_model import MAX_DURATION_S, SHOT_TYPES, PanelRow


class PanelDetails(QGroupBox):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__("Panel", parent)
        self.session = session
        self.row: PanelRow | None = None
        form = QFormLayout(self)
        self.caption = QLineEdit()
        self.caption.setPlaceholderText("Caption")
        self.shot = QComboBox()
        self.shot.setEditable(True)
        self.shot.addItems(SHOT_TYPES)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.1, MAX_DURATION_S)
        self.duration.setSingleStep(0.5)
        self.duration.setDecimals(1)
        self.duration.setSuffix(" s")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Notes (action, dialogue, sound)")
        self.notes.setMaximumHeight(70)
        form.addRow("Caption", self.caption)
        form.addRow("Shot", self.shot)
        form.addRow("Duration", self.duration)
        form.addRow("Notes", self.notes)
        self.references = QLabel()
        self.references.setObjectName("panelReferences")
        self.references.setWordWrap(True)
        form.addRow("Made with", self.references)
        self._form = form
        self.caption.editingFinished.connect(self._save_caption)
        shot_text = self.shot.lineEdit()
        if shot_text is not None:  # an editable combo box always has one
            shot_text.editingFinished.connect(lambda: self._save(shot=self.shot.currentText()))
        self.shot.activated.connect(lambda _i: self._save(shot=self.shot.currentText()))
        self.duration.editingFinished.connect(lambda: self._save(duration=round(self.duration.value(), 3)))
        self.notes.installEventFilter(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.show_row(None)

    def show_row(self, row: PanelRow | None) -> None:
        self.row = row if row is not None and not row.pending else None
        enabled = self.row is not None
        for w in (self.caption, self.shot, self.duration, self.notes):
            w.setEnabled(enabled)
            w.blockSignals(True)
        r = self.row or PanelRow(key="")
        self.caption.setText(r.caption)
        self.shot.setCurrentText(r.shot)
        self.duration.setValue(r.duration)
        self.notes.setPlainText(r.notes)
        for w in (self.caption, self.shot, self.duration, self.notes):
            w.blockSignals(False)
        refs = self._references(r.panel_id) if self.row is not None else []
        names = ", ".join(dict.fromkeys(refs))
        self.references.setText(f"the cast: {names} ({len(refs)} reference image{'s' * (len(refs) != 1)})")
        self._form.setRowVisible(self.references, bool(refs))

    def _references(self, panel_id: int | None) -> list[str]:
        """The entries of the cast references the panel's generation was sent with, in order."""
        found = self.session.boards.panel(panel_id) if panel_id else None
        try:
            snap = json.loads(found["request_json"]) if found and found.get("request_json") else {}
        except ValueError:
            return []
        return [str(r.get("entry", "")) for r in snap.get("references") or []]

    def _save_caption(self) -> None:
        if self.row is not None and self.caption.text() != self.row.caption:
            self.session.boards.set_caption(self.row.panel_id, self.caption.text())

    def _save(self, **fields) -> None:
        if self.row is None:
            return
        changed = {k: v for k, v in fields.items() if getattr(self.row, k) != v}
        if changed:
            self.session.boards.set_fields(self.row.panel_id, **changed)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt naming); notes are saved when they lose focus
        from PySide6.QtCore import QEvent

        if obj is self.notes and event.type() == QEvent.Type.FocusOut:
            self._save(notes=self.notes.toPlainText())
        return super().eventFilter(obj, event)
