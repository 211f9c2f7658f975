"""The Refine panel: a conversation about the selected panel through the Responses API. Its turns (each
instruction, its image, and its bill in two parts), the instruction box with the next turn's quote, the
conversation's settings (the mainline model, the tool's image model, the reasoning effort with what it
tends to cost and take, the tool's image parameters), the turn in flight (its stage and partial image),
and forking from an earlier turn."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.state.refine_chat import RefineChat, bill_line

THUMB = 56
SEQ_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


def icon_of(image: QImage | None) -> QIcon:
    if image is None or image.isNull():
        return QIcon()
    return QIcon(QPixmap.fromImage(image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation)))  # fmt: skip


class InstructionBox(QPlainTextEdit):
    """The instruction: Ctrl+Return sends the turn. It takes the key before the window's Generate
    shortcut (the same keys) sees it, so neither is left ambiguous."""

    submitted = Signal()

    @staticmethod
    def _sends(event: QKeyEvent) -> bool:
        return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._sends(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt naming)
        if self._sends(event):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class RefinePanel(QWidget):
    open_file_requested = Signal()  # the window asks for a file to start from

    def __init__(self, chat: RefineChat, registry, thumbnails, parent: QWidget | None = None):
        """`thumbnails`: the window's ThumbnailCache (images decoded at display size off the GUI thread:
        a 4K turn's PNG would stall the window for 100 ms or more)."""
        super().__init__(parent)
        self.chat, self.registry, self.thumbnails = chat, registry, thumbnails
        self._partial_path = ""
        layout = QVBoxLayout(self)
        self.target = QLabel()
        self.target.setObjectName("refineTarget")
        self.target.setWordWrap(True)
        layout.addWidget(self.target)
        starts = QHBoxLayout()
        self.from_file = QPushButton("Start from a file…")
        self.from_nothing = QPushButton("Start from text")
        self.from_nothing.setToolTip("A new conversation whose first turn draws from the instruction alone")
        starts.addWidget(self.from_file)
        starts.addWidget(self.from_nothing)
        layout.addLayout(starts)

        self.turns = QListWidget()
        self.turns.setObjectName("refineTurns")
        self.turns.setIconSize(QSize(THUMB, THUMB))
        self.turns.setWordWrap(True)
        self.turns.setAccessibleName("Turns of the conversation")
        self.turns.setMinimumHeight(3 * THUMB)
        layout.addWidget(self.turns, 1)
        self.fork_button = QPushButton("Go on from the selected turn")
        self.fork_button.setToolTip(
            "Fork: a new conversation that continues from that turn's answer (the later turns stay "
            "in the old one, and in the panel's versions)"
        )
        layout.addWidget(self.fork_button)

        flight = QHBoxLayout()
        self.partial = QLabel()
        self.partial.setFixedSize(THUMB, THUMB)
        self.stage = QLabel("")
        self.stage.setObjectName("refineStage")
        self.stage.setWordWrap(True)
        flight.addWidget(self.partial)
        flight.addWidget(self.stage, 1)
        layout.addLayout(flight)

        self.instruction = InstructionBox()
        self.instruction.setObjectName("refineInstruction")
        self.instruction.setPlaceholderText(
            'What to change, e.g. "make the hoodie purple" or "move the title up, keep everything else"'
        )
        self.instruction.setMaximumHeight(80)
        self.instruction.setAccessibleName("Instruction for the next turn")
        layout.addWidget(self.instruction)
        self.mask_note = QLabel("")
        self.mask_note.setWordWrap(True)
        layout.addWidget(self.mask_note)
        self.quote = QLabel("")
        self.quote.setObjectName("refineQuote")
        self.quote.setWordWrap(True)
        layout.addWidget(self.quote)
        self.send_button = QPushButton("Refine  (Ctrl+Return)")
        self.send_button.setDefault(True)
        layout.addWidget(self.send_button)
        self.settings_toggle = QToolButton()
        self.settings_toggle.setObjectName("refineSettingsToggle")
        self.settings_toggle.setCheckable(True)
        self.settings_toggle.setText("Conversation settings")
        self.settings_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.settings_toggle.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.settings_toggle)
        self.summary = QLabel("")
        self.summary.setObjectName("refineSettingsSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.settings_box = self._settings_box()
        self.settings_box.setVisible(False)  # the summary above says them; the toggle opens them
        layout.addWidget(self.settings_box)
        self.settings_toggle.toggled.connect(self._toggle_settings)
        self.instruction.submitted.connect(self.chat.send)
        self._connect()
        self._show()

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Conversation settings")
        form = QFormLayout(box)
        m = self.chat.mainline
        self.mainline = QComboBox()
        for spec in m.models.values():
            price = f"${spec.prices.input}/${spec.prices.output} per 1M in/out"
            grade = " (third-party prices)" if spec.grade("prices") != "P" else ""
            self.mainline.addItem(f"{spec.label} — {price}{grade}", spec.id)
        self.image_model = QComboBox()
        for model_id in m.image_models:
            self.image_model.addItem(model_id, model_id)
        self.effort = QComboBox()
        self.effort_note = QLabel("")
        self.effort_note.setWordWrap(True)
        self.effort_note.setObjectName("effortNote")
        keys = ("size", "quality", "output_format", "background", "complexity")
        self.boxes = {key: QComboBox() for key in keys}
        self.boxes["complexity"].setToolTip("How much detail the image model plans (2.6 models; no charge)")
        self.partials = QSpinBox()
        self.partials.setRange(0, 3)
        self.partials.setToolTip("Partial images while it draws (each adds about 100 image tokens)")
        form.addRow("Mainline", self.mainline)
        form.addRow("Image model", self.image_model)
        form.addRow("Thinking", self.effort)
        form.addRow("", self.effort_note)
        for key, label in (("size", "Size"), ("quality", "Quality"), ("output_format", "Format"),
                           ("background", "Background"), ("complexity", "Complexity")):  # fmt: skip
            form.addRow(label, self.boxes[key])
        form.addRow("Partial images", self.partials)
        return box

    def _connect(self) -> None:
        c = self.chat
        c.changed.connect(self._show)
        self.thumbnails.ready.connect(self._thumbnails_ready)
        c.quote_changed.connect(self.quote.setText)
        c.busy_changed.connect(self._busy)
        c.progress.connect(self._progress)
        c.refused.connect(lambda text: self.stage.setText(text))
        c.said.connect(lambda text: self.stage.setText(text))
        self.instruction.textChanged.connect(lambda: c.set_instruction(self.instruction.toPlainText()))
        self.send_button.clicked.connect(c.send)
        self.fork_button.clicked.connect(self._fork)
        self.from_file.clicked.connect(self.open_file_requested)
        self.from_nothing.clicked.connect(c.start_from_nothing)
        self.turns.currentRowChanged.connect(lambda _: self._fork_enabled())
        self.mainline.activated.connect(lambda _: self._set(mainline=self.mainline.currentData()))
        self.image_model.activated.connect(lambda _: self._set(image_model=self.image_model.currentData()))
        self.effort.activated.connect(lambda _: self._set(effort=self.effort.currentData()))
        self.partials.valueChanged.connect(lambda v: self._set(partial_images=v))
        for key, box in self.boxes.items():
            box.activated.connect(lambda _i, k=key, b=box: self._set(**{k: b.currentData()}))

    def _toggle_settings(self, shown: bool) -> None:
        self.settings_box.setVisible(shown)
        self.settings_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def _set(self, **changes) -> None:
        self.chat.set_setting(**changes)
        self._show_settings()

    # -- state -> view ----------------------------------------------------------------------------------

    def _show(self) -> None:
        c = self.chat
        mask = " · with the painter's mask" if c.mask is not None else ""
        self.target.setText(f"Refining {c.target}{mask}")
        self.mask_note.setText(
            "The painter's mask goes along as the tool's input_image_mask." if c.mask is not None else ""
        )
        if self.instruction.toPlainText() != c.instruction:
            self.instruction.blockSignals(True)
            self.instruction.setPlainText(c.instruction)
            self.instruction.blockSignals(False)
        self.turns.clear()
        for i, turn in enumerate(c.turns, 1):
            self.turns.addItem(self._item(i, turn))
        if c.turns:
            self.turns.scrollToBottom()
        if not c.turns:
            self.turns.addItem(QListWidgetItem("No turns yet: say what to change below."))
        self._show_settings()
        self._fork_enabled()

    def _item(self, number: int, turn: dict) -> QListWidgetItem:
        said = f"\n“{turn['text']}”" if turn.get("text") and not turn.get("image_path") else ""
        problem = f"\n{turn['error_message']}" if turn.get("error_message") else ""
        inherited = " (before the fork)" if turn.get("inherited") else ""
        text = f"{number}. {turn['instruction']}{inherited}\n{bill_line(turn)}{said}{problem}"
        path = turn.get("image_path")
        item = QListWidgetItem(icon_of(self.thumbnails.get(path) if path else None), text)
        item.setData(PATH_ROLE, path)
        item.setData(SEQ_ROLE, None if turn.get("inherited") or not turn.get("response_id") else turn["seq"])
        item.setToolTip(text)
        if turn.get("inherited"):
            item.setForeground(self.palette().placeholderText())
        return item

    def _show_settings(self) -> None:
        c, s = self.chat, self.chat.settings
        _select(self.mainline, s.mainline)
        _select(self.image_model, s.image_model)
        spec = c.mainline.get(s.mainline)
        _fill(self.effort, spec.efforts, s.effort)
        self.effort_note.setText(c.effort_line())
        image = self.registry.get(s.image_model)
        backgrounds = [b for b in image.backgrounds if b != "transparent" or s.image_model not in
                       c.mainline.no_transparency]  # fmt: skip
        choices = {
            "size": (("auto",) if image.size_rules.auto else ()) + image.size_rules.presets,
            "quality": image.qualities,
            "output_format": image.output_formats,
            "background": backgrounds,
            "complexity": image.complexities,  # none: the model takes no complexity, none is sent
        }
        self.boxes["complexity"].setEnabled(bool(image.complexities))
        for key, values in choices.items():
            box = self.boxes[key]
            _fill(box, values, c.params[key])
            if box.currentIndex() < 0 and box.count():  # not offered by this image model: its first
                box.setCurrentIndex(0)
                c.set_setting(**{key: box.currentData()})
        self.boxes["background"].setToolTip(
            "Transparent backgrounds are refused on this route for this model (they came back white "
            "and were paid for): use Generate or the painter, on the Images API"
            if len(backgrounds) < len(image.backgrounds)
            else ""
        )
        p = c.params
        self.summary.setText(
            f"{spec.label} · {s.image_model} · thinking {s.effort} · {p['size']} {p['quality']} "
            f"{p['output_format']}" + (f" · {s.partial_images} partial" if s.partial_images else "")
        )
        self.summary.setToolTip(self.effort_note.text())
        self.partials.blockSignals(True)
        self.partials.setValue(s.partial_images)
        self.partials.blockSignals(False)

    def _fork_enabled(self) -> None:
        item = self.turns.currentItem()
        self.fork_button.setEnabled(
            not self.chat.busy and item is not None and item.data(SEQ_ROLE) is not None
            and self.turns.currentRow() < self.turns.count() - 1
        )  # fmt: skip

    def _fork(self) -> None:
        item = self.turns.currentItem()
        if item is not None and item.data(SEQ_ROLE) is not None:
            self.chat.fork(int(item.data(SEQ_ROLE)))

    def _busy(self, busy: bool) -> None:
        for w in (self.send_button, self.from_file, self.from_nothing):
            w.setEnabled(not busy)
        self.send_button.setText("Refining…" if busy else "Refine  (Ctrl+Return)")
        if not busy:  # what the turn said, if anything, follows (said / refused)
            self.partial.clear()
            self._partial_path = ""
            self.stage.setText("")
        self._fork_enabled()

    def _progress(self, stage: str, path: str) -> None:
        self.stage.setText(stage)
        if path:
            self._partial_path = path
            self._show_partial()

    def _show_partial(self) -> None:
        image = self.thumbnails.get(self._partial_path)  # None until decoded: ready() comes back here
        if image is not None:
            self.partial.setPixmap(icon_of(image).pixmap(THUMB, THUMB))

    def _thumbnails_ready(self, paths: list) -> None:
        arrived = set(paths)
        if self._partial_path in arrived and self.chat.busy:
            self._show_partial()
        for i in range(self.turns.count()):
            item = self.turns.item(i)
            path = item.data(PATH_ROLE)
            if path in arrived:
                item.setIcon(icon_of(self.thumbnails.get(path)))


def _select(box: QComboBox, value) -> None:
    i = box.findData(value)
    if i >= 0:
        box.setCurrentIndex(i)


def _fill(box: QComboBox, values, current) -> None:
    box.blockSignals(True)
    box.clear()
    for v in values:
        box.addItem(str(v), v)
    _select(box, current)
    box.blockSignals(False)
