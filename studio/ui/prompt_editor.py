"""The prompt editor: the prompt, every parameter of the chosen model, presets and history."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from studio.core.pricing import format_usd
from studio.core.registry import Lifecycle
from studio.state.prompt_model import PromptModel
from studio.state.session import Session

from .dialogs import ask_text

AUTO_COMPRESSION = -1


class PromptEditor(QWidget):
    generate_requested = Signal()

    def __init__(self, model: PromptModel, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.model, self.session = model, session
        self._syncing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe the image… (Ctrl+Return generates)")
        self.prompt.setObjectName("promptText")
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addWidget(QLabel("<b>Prompt</b>"))
        layout.addWidget(self.prompt, 2)
        layout.addWidget(self.count)

        form = QFormLayout()
        self.model_box = QComboBox()
        for spec in self.model.registry.usable_models():
            status = spec.lifecycle()
            label = spec.id + (f"  (shuts down {spec.shutdown})" if status is Lifecycle.DEPRECATED else "")
            self.model_box.addItem(label, spec.id)
        self.size = QComboBox()
        self.size.setEditable(True)
        self.size.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.nearest = QPushButton()
        self.nearest.setVisible(False)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size, 1)
        size_row.addWidget(self.nearest)
        self.quality = QComboBox()
        self.n = QSpinBox()
        self.background = QComboBox()
        self.output_format = QComboBox()
        self.compression = QSpinBox()
        self.compression.setRange(AUTO_COMPRESSION, 100)
        self.compression.setSpecialValueText("default (100)")
        self.moderation = QComboBox()
        self.partials = QSpinBox()
        form.addRow("Model", self.model_box)
        form.addRow("Size", size_row)
        form.addRow("Quality", self.quality)
        form.addRow("Images (n)", self.n)
        form.addRow("Background", self.background)
        form.addRow("Format", self.output_format)
        form.addRow("Compression", self.compression)
        form.addRow("Moderation", self.moderation)
        form.addRow("Partial images", self.partials)
        layout.addLayout(form)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("promptError")
        self.error.setStyleSheet("color: #c62828;")
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b26a00;")
        layout.addWidget(self.error)
        layout.addWidget(self.warnings)
        self.generate = QPushButton("Generate")
        self.generate.setObjectName("generateButton")
        self.generate.setMinimumHeight(36)
        layout.addWidget(self.generate)

        presets = QHBoxLayout()
        self.presets = QComboBox()
        self.presets.setPlaceholderText("Presets")
        self.save_preset = QPushButton("Save…")
        self.rename_preset = QPushButton("Rename…")
        self.delete_preset = QPushButton("Delete")
        for w in (self.presets, self.save_preset, self.rename_preset, self.delete_preset):
            presets.addWidget(w)
        layout.addLayout(presets)
        self.history_search = QLineEdit()
        self.history_search.setPlaceholderText("Search history…")
        self.history = QListWidget()
        self.history.setToolTip("Click to recall a prompt with its parameters")
        layout.addWidget(self.history_search)
        layout.addWidget(self.history, 1)

        self._wire()
        self._sync_from_model()
        self._fill_presets()
        self._fill_history()

    # -- wiring ---------------------------------------------------------------------------------

    def _wire(self) -> None:
        m = self.model
        self.prompt.textChanged.connect(lambda: self._push("prompt", self.prompt.toPlainText()))
        self.model_box.currentIndexChanged.connect(lambda _: self._push("model", self.model_box.currentData()))
        self.size.currentTextChanged.connect(lambda t: self._push("size", t.strip()))
        self.nearest.clicked.connect(lambda: m.suggestion and self.size.setCurrentText(m.suggestion))
        self.quality.currentTextChanged.connect(lambda t: t and self._push("quality", t))
        self.n.valueChanged.connect(lambda v: self._push("n", v))
        self.background.currentTextChanged.connect(lambda t: t and self._push("background", t))
        self.output_format.currentTextChanged.connect(lambda t: t and self._push("output_format", t))
        self.compression.valueChanged.connect(lambda v: self._push("output_compression", None if v == AUTO_COMPRESSION else v))
        self.moderation.currentTextChanged.connect(lambda t: t and self._push("moderation", t))
        self.partials.valueChanged.connect(lambda v: self._push("partial_images", v))
        self.generate.clicked.connect(self.generate_requested)
        m.changed.connect(self._sync_from_model)
        s = self.session
        s.presets_changed.connect(self._fill_presets)
        s.history_changed.connect(self._fill_history)
        self.presets.activated.connect(lambda i: s.load_preset(self.presets.itemText(i)))
        self.save_preset.clicked.connect(self._ask_save_preset)
        self.rename_preset.clicked.connect(self._ask_rename_preset)
        self.delete_preset.clicked.connect(lambda: self.presets.currentText() and s.delete_preset(self.presets.currentText()))
        self.history_search.textChanged.connect(lambda t: s.tasks.start(s.search_history(t), "Searching the history"))
        self.history.itemClicked.connect(self._recall)

    def _push(self, name: str, value) -> None:
        if not self._syncing:
            self.model.set(name, value)

    def _combo(self, box: QComboBox, items, current) -> None:
        items = list(items)
        if [box.itemText(i) for i in range(box.count())] != items:
            box.clear()
            box.addItems(items)
        box.setCurrentText(str(current))

    def _sync_from_model(self) -> None:
        m, spec = self.model, self.model.spec
        self._syncing = True
        try:
            if self.prompt.toPlainText() != m.value("prompt"):
                self.prompt.setPlainText(m.value("prompt"))
            i = self.model_box.findData(m.value("model"))
            if i >= 0:
                self.model_box.setCurrentIndex(i)
            sizes = (["auto"] if spec.size_rules.auto else []) + list(spec.size_rules.presets)
            if [self.size.itemText(i) for i in range(self.size.count())] != sizes:
                self.size.clear()
                self.size.addItems(sizes)
            if self.size.currentText() != m.value("size"):
                self.size.setCurrentText(m.value("size"))
            self._combo(self.quality, spec.qualities, m.value("quality"))
            self.n.setRange(1, spec.n_max)
            self.n.setValue(m.value("n"))
            self._combo(self.background, spec.backgrounds, m.value("background"))
            self._combo(self.output_format, spec.output_formats, m.value("output_format"))
            self.compression.setEnabled(m.value("output_format") in ("jpeg", "webp"))
            comp = m.value("output_compression")
            self.compression.setValue(AUTO_COMPRESSION if comp is None else comp)
            self._combo(self.moderation, spec.moderations, m.value("moderation"))
            self.partials.setRange(0, spec.partial_images_max)
            self.partials.setValue(m.value("partial_images"))
        finally:
            self._syncing = False
        over = m.char_count > m.char_limit
        self.count.setText(f"<span style='color:{'#c62828' if over else 'gray'}'>{m.char_count:,} / {m.char_limit:,} characters</span>")
        self.error.setText(m.error or "")
        self.error.setVisible(bool(m.error))
        self.nearest.setVisible(bool(m.suggestion))
        if m.suggestion:
            self.nearest.setText(f"Use {m.suggestion}")
        self.warnings.setText("\n".join(m.warnings))
        self.warnings.setVisible(bool(m.warnings))
        self.generate.setEnabled(m.can_generate)
        if m.quote is not None:
            self.generate.setText(f"Generate {m.value('n')} · ≤ {format_usd(m.quote.total_usd_max)}")
        else:
            self.generate.setText("Generate")

    def _fill_presets(self) -> None:
        current = self.presets.currentText()
        self.presets.clear()
        self.presets.addItems([name for name, _ in self.session.presets])
        self.presets.setCurrentText(current)

    def _fill_history(self) -> None:
        self.history.clear()
        for entry in self.session.history:
            r = entry["request"]
            item = QListWidgetItem(f"{entry['prompt'][:60]}  ·  {r.get('size')} {r.get('quality')} n={r.get('n')}")
            item.setData(Qt.ItemDataRole.UserRole, r)
            item.setToolTip(entry["prompt"])
            self.history.addItem(item)

    def _recall(self, item: QListWidgetItem) -> None:
        self.model.load(item.data(Qt.ItemDataRole.UserRole))

    def _ask(self, label: str, text: str, done) -> None:
        self.dialog = ask_text(self, "Preset", label, text, done)

    def _ask_save_preset(self) -> None:
        self._ask("Save the current parameters as preset:", self.presets.currentText(), self.session.save_preset)

    def _ask_rename_preset(self) -> None:
        old = self.presets.currentText()
        if old:
            self._ask(f"Rename preset {old!r} to:", old, lambda new: self.session.rename_preset(old, new))
