"""The prompt editor: the prompt, every parameter of the chosen model, presets and history."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.core.registry import Lifecycle
from studio.state.prompt_model import PromptModel
from studio.state.session import Session

from .dialogs import ask_text
from .keys import PromptText
from .model_picker import (
    COMPLEXITY_HINT,
    GRADE_NOTES,
    QUALITY_HINTS,
    WHY_ROLE,
    ElidedLabel,
    PickerDelegate,
    fill_data,
    model_hint,
)
from .variant_bar import VariantBar, show_generate

AUTO_COMPRESSION = -1


class PromptEditor(QWidget):
    generate_requested = Signal()
    batch_requested = Signal()

    def __init__(self, model: PromptModel, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.model, self.session = model, session
        self._syncing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        self.prompt = PromptText()
        self.prompt.setPlaceholderText("Describe the image… (Ctrl+Return generates)")
        self.prompt.setObjectName("promptText")
        self.prompt.setAccessibleName("Prompt")
        self.prompt.setAccessibleDescription("What to draw; Ctrl+Return generates, Tab moves on")
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addWidget(QLabel("<b>Prompt</b>"))
        layout.addWidget(self.prompt, 2)
        layout.addWidget(self.count)

        form = QFormLayout()
        self.model_box = QComboBox()
        self.model_box.setObjectName("modelBox")
        self.model_why = ElidedLabel()
        self.model_why.setObjectName("modelWhy")
        self.model_why.setStyleSheet("color: gray;")
        self.model_box.setItemDelegate(PickerDelegate(self.model_box))
        self.model_box.view().setMinimumWidth(640)
        self._fill_models()
        self.size_box = QComboBox()
        self.size_box.setEditable(True)
        self.size_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.nearest = QPushButton()
        self.nearest.setVisible(False)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_box, 1)
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
        self.complexity = QComboBox()
        self.complexity.setObjectName("complexityBox")
        self.frames = QSpinBox()
        self.frames.setObjectName("gifFrames")
        self.frame_ms = QSpinBox()
        self.frame_ms.setObjectName("gifFrameMs")
        self.frame_ms.setSuffix(" ms")
        self.frame_ms.setSingleStep(10)
        gif_row = QHBoxLayout()
        gif_row.addWidget(self.frames)
        gif_row.addWidget(QLabel("frames ×"))
        gif_row.addWidget(self.frame_ms, 1)
        self.gif_row = QWidget()
        self.gif_row.setLayout(gif_row)
        gif_row.setContentsMargins(0, 0, 0, 0)
        self.svg_author = QComboBox()
        self.svg_author.setObjectName("svgAuthor")
        self.svg_effort = QComboBox()
        form.addRow("M&odel", self.model_box)
        form.addRow("", self.model_why)
        size_label = QLabel("Si&ze")  # Alt+Z: keyboard users reach every field by its label
        size_label.setBuddy(self.size_box)
        form.addRow(size_label, size_row)
        form.addRow("&Quality", self.quality)
        form.addRow("Complexity", self.complexity)
        form.addRow("Images (&n)", self.n)
        form.addRow("Background", self.background)
        form.addRow("Format", self.output_format)
        form.addRow("Compression", self.compression)
        form.addRow("Moderation", self.moderation)
        form.addRow("Partial images", self.partials)
        form.addRow("GIF", self.gif_row)
        form.addRow("SVG author", self.svg_author)
        form.addRow("Author effort", self.svg_effort)
        self.form = form
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
        self.variant_bar = VariantBar(session.variants)  # a template's rows and preview; Send as batch
        layout.addWidget(self.variant_bar)
        self.generate = QPushButton("Generate")
        self.generate.setObjectName("generateButton")
        self.generate.setMinimumHeight(36)
        layout.addWidget(self.generate)
        layout.addWidget(self.variant_bar.batch)

        presets = QGridLayout()  # the list above its three buttons: narrow enough for a small screen
        self.presets = QComboBox()
        self.presets.setPlaceholderText("Presets")
        self.presets.setAccessibleName("Presets")
        self.save_preset = QPushButton("Save…")
        self.rename_preset = QPushButton("Rename…")
        self.delete_preset = QPushButton("Delete")
        presets.addWidget(self.presets, 0, 0, 1, 3)
        for i, w in enumerate((self.save_preset, self.rename_preset, self.delete_preset)):
            presets.addWidget(w, 1, i)
        layout.addLayout(presets)
        self.history_search = QLineEdit()
        self.history_search.setPlaceholderText("Search history…")
        self.history_search.setAccessibleName("Search history")
        self.history = QListWidget()
        self.history.setObjectName("historyList")
        self.history.setAccessibleName("Prompt history")
        self.history.setAccessibleDescription("Return or a click recalls a prompt with its parameters")
        self.history.setWordWrap(True)  # the prompt, then its parameters on their own line: no side scrolling
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.setAlternatingRowColors(True)
        self.history.setToolTip("Click, or Return, to recall a prompt with its parameters")
        layout.addWidget(self.history_search)
        layout.addWidget(self.history, 1)

        for box in self.findChildren(QComboBox):  # long model names never widen the column: they elide
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        self._wire()
        self._sync_from_model()
        self._fill_presets()
        self._fill_history()

    # -- wiring ---------------------------------------------------------------------------------

    def _wire(self) -> None:
        m = self.model
        self.prompt.textChanged.connect(lambda: self._push("prompt", self.prompt.toPlainText()))
        self.model_box.currentIndexChanged.connect(
            lambda _: self._push("model", self.model_box.currentData())
        )
        self.size_box.currentTextChanged.connect(lambda t: self._push("size", t.strip()))
        self.nearest.clicked.connect(
            lambda: self.size_box.setCurrentText(m.suggestion) if m.suggestion else None
        )
        self.quality.currentTextChanged.connect(lambda t: self._push("quality", t) if t else None)
        self.n.valueChanged.connect(lambda v: self._push("n", v))
        self.background.currentTextChanged.connect(lambda t: self._push("background", t) if t else None)
        self.output_format.currentTextChanged.connect(lambda t: self._push("output_format", t) if t else None)
        self.compression.valueChanged.connect(
            lambda v: self._push("output_compression", None if v == AUTO_COMPRESSION else v)
        )
        self.moderation.currentTextChanged.connect(lambda t: self._push("moderation", t) if t else None)
        self.partials.valueChanged.connect(lambda v: self._push("partial_images", v))
        self.complexity.currentIndexChanged.connect(
            lambda _: self._push("complexity", self.complexity.currentData())
        )
        self.frames.valueChanged.connect(lambda v: self._push("frame_count", v))
        self.frame_ms.valueChanged.connect(lambda v: self._push("frame_duration_ms", v))
        self.svg_author.currentIndexChanged.connect(
            lambda _: self._push("svg_author", self.svg_author.currentData())
        )
        self.svg_effort.currentIndexChanged.connect(
            lambda _: self._push("svg_effort", self.svg_effort.currentData())
        )
        m.models_changed.connect(self._fill_models)
        self.generate.clicked.connect(self.generate_requested)
        self.variant_bar.batch_requested.connect(self.batch_requested)
        self.session.variants.changed.connect(self._show_generate)
        m.changed.connect(self._sync_from_model)
        s = self.session
        s.costs.changed.connect(self._show_generate)  # caps, totals: the next call may now be refused
        library = s.prompts
        library.presets_changed.connect(self._fill_presets)
        library.history_changed.connect(self._fill_history)
        self.presets.activated.connect(lambda i: library.load_preset(self.presets.itemText(i)))
        self.save_preset.clicked.connect(self._ask_save_preset)
        self.rename_preset.clicked.connect(self._ask_rename_preset)
        self.delete_preset.clicked.connect(
            lambda: library.delete_preset(self.presets.currentText()) if self.presets.currentText() else None
        )
        self.history_search.textChanged.connect(
            lambda t: s.tasks.start(library.search_history(t), "Searching the history")
        )
        self.history.itemClicked.connect(self._recall)
        self.history.itemActivated.connect(self._recall)  # Return (and double-click) as well

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
            if [self.size_box.itemText(i) for i in range(self.size_box.count())] != sizes:
                self.size_box.clear()
                self.size_box.addItems(sizes)
            if self.size_box.currentText() != m.value("size"):
                self.size_box.setCurrentText(m.value("size"))
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
            self._sync_new_controls()
        finally:
            self._syncing = False
        over = m.char_count > m.char_limit
        self.count.setText(
            f"<span style='color:{'#c62828' if over else 'gray'}'>{m.char_count:,} / {m.char_limit:,} "
            "characters</span>"
        )
        self.error.setText(m.error or "")
        self.error.setVisible(bool(m.error))
        self.nearest.setVisible(bool(m.suggestion))
        if m.suggestion:
            self.nearest.setText(f"Use {m.suggestion}")
        shown = ([m.notice] if m.notice else []) + list(m.warnings)
        self.warnings.setText("\n".join(shown))
        self.warnings.setVisible(bool(shown))
        self._show_generate()

    def _show_generate(self) -> None:
        show_generate(self.generate, self.variant_bar.batch, self.model, self.session)

    def _fill_models(self) -> None:
        """Usable models in the order users should pick them, each with why; shut-down ones are not
        offered."""
        was = self._syncing
        self._syncing = True
        try:
            self.model_box.clear()
            for spec in self.model.registry.picker_models():
                label = spec.id + (
                    f"  (shuts down {spec.shutdown})" if spec.lifecycle() is Lifecycle.DEPRECATED else ""
                )
                if not spec.listed:
                    label += "  (not in this version's model list)"
                self.model_box.addItem(label, spec.id)
                self.model_box.setItemData(
                    self.model_box.count() - 1, model_hint(spec), Qt.ItemDataRole.ToolTipRole
                )
                self.model_box.setItemData(self.model_box.count() - 1, model_hint(spec), WHY_ROLE)
            i = self.model_box.findData(self.model.value("model"))
            self.model_box.setCurrentIndex(max(i, 0))
        finally:
            self._syncing = was

    def _sync_new_controls(self) -> None:
        """Complexity, GIF frames and the SVG author: shown only where the model and format take them."""
        m, spec = self.model, self.model.spec
        self.model_why.setText(model_hint(spec))
        self._show_row(self.complexity, bool(spec.complexities))
        if spec.complexities:
            items = [(f"default ({spec.complexity_default})", None)] + [(c, c) for c in spec.complexities]
            fill_data(self.complexity, items, m.value("complexity"))
            self.complexity.setToolTip(COMPLEXITY_HINT)
        for i in range(self.quality.count()):
            q = self.quality.itemText(i)
            grade = GRADE_NOTES.get(spec.grade(f"qualities.{q}"), "")
            self.quality.setItemData(i, QUALITY_HINTS.get(q, "") + grade, Qt.ItemDataRole.ToolTipRole)
        gif = m.value("output_format") == "gif" and spec.gif is not None
        self._show_row(self.gif_row, gif)
        if gif and spec.gif is not None:
            rules = spec.gif
            self.frames.setRange(rules.frames_min, rules.frames_max)
            frames = rules.frames(m.value("frame_count"))
            self.frames.setValue(frames)
            self.frame_ms.setRange(rules.duration_min_ms, rules.duration_max_ms)
            self.frame_ms.setValue(rules.duration(m.value("frame_duration_ms")))
            side = rules.largest_square_frame(frames)
            self.gif_row.setToolTip(
                f"Size is one frame. {frames} frames fit on one sheet up to {side}x{side} per frame; "
                "no streaming, mask or compression."
            )
        svg = m.value("output_format") == "svg" and spec.svg is not None and m.svg_model_selection
        self._show_row(self.svg_author, svg)
        self._show_row(self.svg_effort, svg)
        if svg and spec.svg is not None:
            fill_data(
                self.svg_author,
                [("project default", None)] + [(a, a) for a in sorted(m.registry.svg_authors)],
                m.value("svg_author"),
            )
            fill_data(
                self.svg_effort,
                [("author's default", None)] + [(e, e) for e in spec.svg.efforts],
                m.value("svg_effort"),
            )

    def _show_row(self, field: QWidget, visible: bool) -> None:
        self.form.setRowVisible(field, visible)

    def _fill_presets(self) -> None:
        current = self.presets.currentText()
        self.presets.clear()
        self.presets.addItems([name for name, _ in self.session.prompts.presets])
        self.presets.setCurrentText(current)

    def _fill_history(self) -> None:
        self.history.clear()
        for entry in self.session.prompts.history:
            r = entry["request"]
            params = f"{r.get('model', '')} · {r.get('size')} · {r.get('quality')} · n={r.get('n')}"
            item = QListWidgetItem(f"{entry['prompt'][:120]}\n{params.strip(' ·')}")
            item.setData(Qt.ItemDataRole.UserRole, r)
            item.setToolTip(entry["prompt"])
            self.history.addItem(item)

    def _recall(self, item: QListWidgetItem) -> None:
        self.model.load(item.data(Qt.ItemDataRole.UserRole))

    def _ask(self, label: str, text: str, done) -> None:
        self.dialog = ask_text(self, "Preset", label, text, done)

    def _ask_save_preset(self) -> None:
        self._ask(
            "Save the current parameters as preset:",
            self.presets.currentText(),
            self.session.prompts.save_preset,
        )

    def _ask_rename_preset(self) -> None:
        old = self.presets.currentText()
        if old:
            self._ask(
                f"Rename preset {old!r} to:", old, lambda new: self.session.prompts.rename_preset(old, new)
            )
