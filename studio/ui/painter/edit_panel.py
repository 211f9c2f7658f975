"""The painter's side panel: edit prompt, references, drift guard, quote, result and versions."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.state.edit_controller import EditController


class EditPanel(QWidget):
    edit_requested = Signal()
    refine_requested = Signal()  # the mask and prompt into the panel's Refine conversation
    add_reference_file = Signal()
    add_reference_panel = Signal()
    compare_changed = Signal(bool, int)  # on, split 0..100
    heatmap_toggled = Signal(bool)
    version_picked = Signal(int)  # row
    layer_changed = Signal(str)  # "mask" or "markup": what the edit sends

    def __init__(self, controller: EditController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("What should change inside the mask?")
        self.prompt.setAccessibleName("Edit prompt")
        self.prompt.setMaximumHeight(90)
        label = QLabel("Edit &prompt")  # Alt+P
        label.setBuddy(self.prompt)
        layout.addWidget(label)
        layout.addWidget(self.prompt)

        send = QGroupBox("The edit sends")
        sl = QVBoxLayout(send)
        self.use_mask = QRadioButton("A mask: only the painted area may change (drift guard)")
        self.use_markup = QRadioButton("Markup: arrows, circles, boxes, notes drawn over the image")
        self.use_mask.setChecked(True)
        self.markup_note = QLabel(
            "With markup, anything in the image may change: the model follows your drawing and "
            "prompt, and the drift guard (mask edits only) does not apply."
        )
        self.markup_note.setWordWrap(True)
        self.markup_note.setStyleSheet("color: #b26a00;")
        self.markup_note.setVisible(False)
        for w in (self.use_mask, self.use_markup, self.markup_note):
            sl.addWidget(w)
        layout.addWidget(send)

        refs = QGroupBox("Reference images (the mask or markup applies to the source)")
        rl = QVBoxLayout(refs)
        self.references = QListWidget()
        self.references.setMaximumHeight(80)
        rl.addWidget(self.references)
        row = QHBoxLayout()
        self.add_file_button = QPushButton("Add file…")
        self.add_panel_button = QPushButton("Add board's first panel")
        self.remove_ref_button = QPushButton("Remove")
        for b in (self.add_file_button, self.add_panel_button, self.remove_ref_button):
            row.addWidget(b)
        rl.addLayout(row)
        layout.addWidget(refs)

        guard = QGroupBox("Drift guard")
        gl = QFormLayout(guard)
        self.keep_outside = QCheckBox("Keep outside the mask")
        self.keep_outside.setChecked(True)
        self.keep_outside.setToolTip(
            "Put the source's own pixels back outside the feathered mask (OpenAI's masks are only hints)"
        )
        self.feather = QSpinBox()
        self.feather.setAccessibleName("Feather")
        self.feather.setRange(0, 256)
        self.feather.setValue(8)
        self.feather.setSuffix(" px")
        gl.addRow(self.keep_outside)
        gl.addRow("Feather band", self.feather)
        layout.addWidget(guard)
        self.guard_box = guard

        self.quote = QLabel("")
        self.quote.setWordWrap(True)
        layout.addWidget(self.quote)
        self.edit_button = QPushButton("Edit  (Ctrl+Return)")
        self.edit_button.setDefault(True)
        layout.addWidget(self.edit_button)
        self.refine_button = QPushButton("Refine in conversation with this mask")
        self.refine_button.setToolTip(
            "Send the prompt as a turn of the panel's Refine conversation (the Responses API), the mask "
            "as the tool's input_image_mask: it sees the turns before it"
        )
        self.refine_button.clicked.connect(self.refine_requested)
        layout.addWidget(self.refine_button)

        result = QGroupBox("Result")
        res = QVBoxLayout(result)
        self.drift = QLabel("No edit yet.")
        self.drift.setWordWrap(True)
        res.addWidget(self.drift)
        self.show_heatmap = QCheckBox("Show drift heatmap")
        self.compare = QCheckBox("Compare with before")
        self.split = QSlider(Qt.Orientation.Horizontal)
        self.split.setRange(0, 100)
        self.split.setValue(50)
        self.raw_button = QPushButton("Use the raw result instead")
        self.raw_button.setToolTip(
            "The result exactly as the API returned it, drift and all (kept in the library either way)"
        )
        self.raw_button.setEnabled(False)
        for shown in (self.show_heatmap, self.compare, self.split, self.raw_button):
            res.addWidget(shown)
        layout.addWidget(result)

        vers = QGroupBox("Versions")
        vl = QVBoxLayout(vers)
        self.versions = QListWidget()
        self.versions.setAccessibleName("Versions")
        self.versions.setWordWrap(True)  # long names wrap: no sideways scrolling
        self.versions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.versions.setTextElideMode(Qt.TextElideMode.ElideNone)
        vl.addWidget(self.versions)
        self.revert_button = QPushButton("Revert to selected version")
        vl.addWidget(self.revert_button)
        layout.addWidget(vers, 1)

        self._quote_timer = QTimer(self, singleShot=True, interval=250)
        self._quote_timer.timeout.connect(lambda: controller.update_quote(self.prompt.toPlainText()))
        self.prompt.textChanged.connect(self._quote_timer.start)
        self.edit_button.clicked.connect(self.edit_requested)
        self.use_markup.toggled.connect(self._layer)
        self.add_file_button.clicked.connect(self.add_reference_file)
        self.add_panel_button.clicked.connect(self.add_reference_panel)
        self.remove_ref_button.clicked.connect(
            lambda: controller.remove_reference(self.references.currentRow())
        )
        self.show_heatmap.toggled.connect(self.heatmap_toggled)
        self.compare.toggled.connect(lambda on: self.compare_changed.emit(on, self.split.value()))
        self.split.valueChanged.connect(lambda v: self.compare_changed.emit(self.compare.isChecked(), v))
        self.revert_button.clicked.connect(self._revert)
        self.raw_button.clicked.connect(controller.use_raw)
        self.versions.currentRowChanged.connect(self.version_picked)
        controller.quote_changed.connect(self.quote.setText)
        controller.references_changed.connect(self._fill_references)
        controller.references_changed.connect(self._quote_timer.start)
        controller.versions_changed.connect(self._fill_versions)
        controller.busy_changed.connect(self._busy)
        controller.finished.connect(self._finished)
        self.add_panel_button.setEnabled(controller.board.board_id is not None)
        self._fill_versions()

    def _layer(self, markup: bool) -> None:
        self.markup_note.setVisible(markup)
        self.guard_box.setEnabled(not markup)
        self.prompt.setPlaceholderText(
            "What should change where your markup points?"
            if markup
            else "What should change inside the mask?"
        )
        self.layer_changed.emit("markup" if markup else "mask")

    def allow_markup(self, allowed: bool, why: str) -> None:
        """Markup needs a model that takes it (gpt-image-2.5 / 2.6)."""
        self.use_markup.setEnabled(allowed)
        self.use_markup.setToolTip("" if allowed else why)
        if not allowed and self.use_markup.isChecked():
            self.use_mask.setChecked(True)

    def _busy(self, busy: bool) -> None:
        self.edit_button.setEnabled(not busy)
        self.edit_button.setText("Editing…" if busy else "Edit  (Ctrl+Return)")

    def _fill_references(self) -> None:
        self.references.clear()
        for ref in self.controller.references:
            self.references.addItem(f"{ref.filename}  ({ref.size})")

    def _fill_versions(self) -> None:
        self.versions.blockSignals(True)
        self.versions.clear()
        current_row = 0
        for i, v in enumerate(self.controller.versions):
            drift = self.controller.drift_of(v)
            text = f"v{v['seq']} · {v['kind']}"
            if v.get("prompt") and v["kind"] != "original":
                text += f" · {v['prompt'][:40]}"
            if drift:
                text += f" · drift {drift['share']:.1%}" + (" (guarded)" if v.get("guarded") else " (raw)")
            if v.get("current"):
                text = "✓ " + text
                current_row = i
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, v.get("id"))
            item.setToolTip(text + (f"\n{v['path']}" if v.get("path") else ""))
            self.versions.addItem(item)
        self.versions.setCurrentRow(current_row)
        self.versions.blockSignals(False)
        self.revert_button.setEnabled(len(self.controller.versions) > 1)

    def _revert(self) -> None:
        item = self.versions.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole) is not None:
            self.controller.revert(int(item.data(Qt.ItemDataRole.UserRole)))

    def _finished(self, result: dict) -> None:
        self.raw_button.setEnabled(
            self.controller.panel_id is not None and result.get("raw_path") != result.get("path")
        )
        drift = result.get("drift")
        if result.get("markup"):
            self.drift.setText(
                "Edited with markup: anything may have changed (the drift guard applies to mask edits only). "
                "Compare with before to see what did."
            )
            return
        if drift is None:
            self.drift.setText("Edited (no mask: nothing to guard).")
            return
        kept = (
            "the source's pixels were put back there"
            if self.keep_outside.isChecked()
            else "raw result kept (guard off)"
        )
        self.drift.setText(
            f"Drift outside the mask: {drift.share:.1%} of protected pixels changed "
            f"(worst {drift.worst} levels) — {kept}."
        )
