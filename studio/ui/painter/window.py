"""The mask painter window: canvas, tools, mask operations and the edit panel."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QColor, QImage, QImageReader, QKeySequence
from PySide6.QtWidgets import (
    QColorDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QSlider,
    QSpinBox,
    QToolBar,
    QWidget,
)

from studio.core.errors import ImageInputError
from studio.core.mask_ops import to_api_mask
from studio.state.edit_controller import EditController
from studio.state.mask_document import MaskDocument

from ..docks import scrolling
from ..keys import close_action
from ..window_fit import opening_size
from .canvas import TOOLS, Canvas
from .edit_panel import EditPanel
from .markup_controls import MarkupControls
from .steady_text import steady_text

TOOL_KEYS = {
    "brush": "B",
    "eraser": "E",
    "rect": "R",
    "ellipse": "O",
    "lasso": "L",
    "polygon": "P",
    "fill": "F",
}


def decode(path: str) -> QImage:
    """Full-resolution decode (QImageReader releases the GIL: call it in a worker thread)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise OSError(f"cannot read {Path(path).name}: {reader.errorString()}")
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


class PainterWindow(MarkupControls, QMainWindow):
    refine_with_mask = Signal(object, object, object, str)  # panel id, file path, the API mask, prompt

    def __init__(
        self, controller: EditController, image: QImage, parent: QWidget | None = None, *, label: str = ""
    ):
        super().__init__(parent)
        self.controller = controller
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._showing: set[asyncio.Task] = set()
        # the grid's number ("panel 4"), never the library's id; a file by its name
        name = label or Path(controller.source_path or "").name
        self._name = name
        self.setWindowTitle(f"Mask Painter — {name}")
        self.doc = MaskDocument(image, self)
        self.canvas = Canvas(self.doc, self)
        self.setCentralWidget(self.canvas)
        self.panel = EditPanel(controller, self)
        dock = QDockWidget("Edit", self)
        dock.setObjectName("edit-dock")
        dock.setWidget(scrolling(self.panel))  # a short window scrolls the panel instead of clipping it
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self._before: QImage | None = None
        self._heatmap: QImage | None = None
        self._build_toolbars()
        self._connect()
        opening_size(self, 1280, 820)
        prompt = controller.prompt
        self._allow_markup()
        prompt.changed.connect(self._allow_markup)
        self.controller.update_quote("")

    def _allow_markup(self) -> None:
        spec = self.controller.prompt.spec
        self.panel.allow_markup(
            spec.markup, f"{spec.id} takes no markup: pick gpt-image-2.6 (or 2.5) in the prompt editor"
        )

    # -- building ------------------------------------------------------------------------------------

    def _build_toolbars(self) -> None:
        tools = QToolBar("Tools", self)
        tools.setObjectName("tools")
        self.addToolBar(tools)
        self.tool_actions = self._tool_group(
            tools, {t: t.capitalize() for t in TOOLS}, TOOL_KEYS, "Alt subtracts", self.set_tool
        )
        tools.addSeparator()
        tools.addWidget(QLabel(" Size "))
        self.size_box = QSpinBox()
        self.size_box.setRange(1, 1000)
        self.size_box.setValue(self.doc.brush_size)
        self.size_box.setToolTip("Brush size in image pixels ([ and ] change it)")
        self.size_box.setAccessibleName("Brush size")
        tools.addWidget(self.size_box)
        self.hardness = self._slider(tools, " Hardness ", 0, 100, 100)
        self.opacity = self._slider(tools, " Overlay ", 0, 90, 45)  # 0 %: the mask hidden, still painted
        self.opacity.setToolTip("How strongly the mask is tinted over the image (0 % hides it)")
        self.color_action = QAction("Colour…", self, triggered=self.pick_color)
        tools.addAction(self.color_action)

        ops = QToolBar("Mask", self)
        ops.setObjectName("mask-ops")
        self.addToolBar(ops)
        self.undo_action = self.doc.undo.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        steady_text(self.undo_action, "Undo")
        self.redo_action = self.doc.undo.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        steady_text(self.redo_action, "Redo")
        ops.addAction(self.undo_action)
        ops.addAction(self.redo_action)
        ops.addSeparator()
        self.px_box = QSpinBox()
        self.px_box.setRange(1, 256)
        self.px_box.setValue(8)
        self.px_box.setSuffix(" px")
        self.px_box.setAccessibleName("Grow or shrink by")
        self.invert_action = QAction(
            "Invert", self, shortcut=QKeySequence("Ctrl+I"), triggered=self.doc.invert
        )
        self.clear_action = QAction(
            "Clear", self, shortcut=QKeySequence("Ctrl+Shift+A"), triggered=self.doc.clear
        )
        self.grow_action = QAction("Grow", self, triggered=lambda: self.doc.grow(self.px_box.value()))
        self.shrink_action = QAction("Shrink", self, triggered=lambda: self.doc.shrink(self.px_box.value()))
        self.feather_action = QAction(
            "Feather", self, triggered=lambda: self.doc.feather(self.px_box.value())
        )
        for act in (self.invert_action, self.clear_action):
            ops.addAction(act)
        ops.addWidget(self.px_box)
        for act in (self.grow_action, self.shrink_action, self.feather_action):
            ops.addAction(act)
        ops.addSeparator()
        self.fit_action = QAction("Fit", self, shortcut=QKeySequence("Ctrl+0"), triggered=self.canvas.fit)
        self.actual_action = QAction(
            "100%", self, shortcut=QKeySequence("Ctrl+1"), triggered=self.canvas.actual_size
        )
        self.zoom_in_action = QAction(
            "Zoom in",
            self,
            shortcut=QKeySequence.StandardKey.ZoomIn,
            triggered=lambda: self.canvas.zoom_by(1.25),
        )
        self.zoom_out_action = QAction(
            "Zoom out",
            self,
            shortcut=QKeySequence.StandardKey.ZoomOut,
            triggered=lambda: self.canvas.zoom_by(0.8),
        )
        for act in (self.fit_action, self.actual_action, self.zoom_in_action, self.zoom_out_action):
            ops.addAction(act)
        self.edit_action = QAction(
            "Edit", self, shortcut=QKeySequence("Ctrl+Return"), triggered=self.start_edit
        )
        self.addAction(self.edit_action)
        menu = self.menuBar().addMenu("&Mask")
        for act in (
            self.undo_action,
            self.redo_action,
            self.invert_action,
            self.clear_action,
            self.grow_action,
            self.shrink_action,
            self.feather_action,
        ):
            menu.addAction(act)
        view = self.menuBar().addMenu("&View")
        for act in (self.fit_action, self.actual_action, self.zoom_in_action, self.zoom_out_action):
            view.addAction(act)
        tool_menu = self.menuBar().addMenu("&Tools")
        for act in self.tool_actions.values():
            tool_menu.addAction(act)
        self.menuBar().addMenu("&Edit").addAction(self.edit_action)
        self.close_action = close_action(self)
        self.menuBar().addMenu("&Window").addAction(self.close_action)
        self._build_markup_toolbar()

    def set_layer(self, layer: str) -> None:
        """Mask (inpaint, drift guard) or markup (drawn guidance, anything may change): what the edit
        sends."""
        self.controller.set_mode(layer)
        self.canvas.set_layer(layer)
        self.markup_bar.setVisible(layer == "markup")
        for bar in self.findChildren(QToolBar):
            if bar.objectName() in ("tools", "mask-ops"):
                bar.setVisible(layer == "mask")
        for act in self.tool_actions.values():
            act.setEnabled(layer == "mask")
        for act in self.markup_actions.values():
            act.setEnabled(layer == "markup")
        on_mask = layer == "mask"
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo if on_mask else QKeySequence())
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo if on_mask else QKeySequence())
        self.markup_undo.setShortcut(QKeySequence() if on_mask else QKeySequence.StandardKey.Undo)
        self.markup_redo.setShortcut(QKeySequence() if on_mask else QKeySequence.StandardKey.Redo)
        self.setWindowTitle(f"{'Mask Painter' if on_mask else 'Markup'} — {self._name}")
        self._status()
        self.controller.update_quote(self.panel.prompt.toPlainText())

    def _tool_group(
        self, bar: QToolBar, labels: dict[str, str], keys: dict[str, str], hint: str, pick
    ) -> dict[str, QAction]:
        """One checkable action per tool, exclusive, with its key; the first is checked."""
        group = QActionGroup(self)
        actions: dict[str, QAction] = {}
        for tool, label in labels.items():
            act = QAction(label, self, checkable=True)
            act.setShortcut(QKeySequence(keys[tool]))
            act.setToolTip(f"{label} ({keys[tool]}); {hint}")
            act.triggered.connect(lambda _=False, t=tool: pick(t))
            group.addAction(act)
            bar.addAction(act)
            actions[tool] = act
        next(iter(actions.values())).setChecked(True)
        return actions

    @staticmethod
    def _slider(bar: QToolBar, label: str, low: int, high: int, value: int) -> QSlider:
        bar.addWidget(QLabel(label))
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setAccessibleName(label.strip())
        slider.setRange(low, high)
        slider.setValue(value)
        slider.setMaximumWidth(90)
        bar.addWidget(slider)
        return slider

    def _connect(self) -> None:
        d, c, p = self.doc, self.controller, self.panel
        self.size_box.valueChanged.connect(d.set_brush_size)
        d.brush_changed.connect(lambda: self.size_box.setValue(d.brush_size))
        d.brush_changed.connect(lambda: self._status())  # the status bar's brush size follows at once
        self.hardness.valueChanged.connect(lambda v: d.set_hardness(v / 100))
        self.opacity.valueChanged.connect(self._set_opacity)
        self.canvas.cursor_moved.connect(self._status)
        self.canvas.zoom_changed.connect(lambda z: self._status())
        d.changed.connect(lambda _r: self._status())
        p.edit_requested.connect(self.start_edit)
        p.refine_requested.connect(self.refine_in_conversation)
        p.layer_changed.connect(self.set_layer)
        self.canvas.text_requested.connect(self._ask_note)
        p.add_reference_file.connect(self.pick_reference_file)
        p.add_reference_panel.connect(self.add_first_panel)
        p.heatmap_toggled.connect(lambda on: self.canvas.set_heatmap(self._heatmap if on else None))
        p.compare_changed.connect(self._compare)
        p.version_picked.connect(self._show_version)
        c.error.connect(self.show_message)
        c.source_changed.connect(self._reload_source)
        c.finished.connect(self._finished)

    # -- actions --------------------------------------------------------------------------------------

    def set_tool(self, tool: str) -> None:
        self.canvas.tool = tool
        self.tool_actions[tool].setChecked(True)
        self.canvas._update_outline()

    def pick_color(self) -> None:
        dialog = QColorDialog(self.canvas.mask_item.color, self)
        dialog.colorSelected.connect(self.set_color)
        dialog.open()  # never exec(): the loop keeps running

    def set_color(self, color: QColor) -> None:
        self.canvas.mask_item.color = color
        self.canvas.mask_item.update()

    def _set_opacity(self, value: int) -> None:
        self.canvas.mask_item.opacity_ = value / 100
        self.canvas.mask_item.update()

    def pick_reference_file(self) -> None:
        dialog = QFileDialog(self, "Add a reference image", "", "Images (*.png *.jpg *.jpeg *.webp)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(lambda files: [self.controller.add_reference_file(f) for f in files])
        dialog.open()

    def add_first_panel(self) -> None:
        first = next((r for r in self.controller.board.model.rows if r.path and not r.pending), None)
        if first is None or first.path is None:
            self.show_message("the board has no finished panel to use as a reference")
            return
        self.controller.add_reference_panel(first.path)

    def start_edit(self) -> None:
        prompt = self.panel.prompt.toPlainText().strip()
        markup = self.canvas.layer == "markup"
        if not prompt:
            self.show_message(
                "Describe the change your markup points at first."
                if markup
                else "Type what should change inside the mask first."
            )
            self.panel.prompt.setFocus()
            return
        self._before = self.doc.image
        if markup:
            if self.canvas.markup.is_empty():
                self.show_message("Draw on the markup layer first: an arrow, a circle, a box or a note.")
                return
            self.controller.start_edit(prompt, None, markup_png=self.canvas.markup.png())
            return
        self.controller.start_edit(
            prompt,
            self.doc.painted(),
            guard=self.panel.keep_outside.isChecked(),
            feather_px=self.panel.feather.value(),
        )

    def refine_in_conversation(self) -> None:
        """The painted mask (as the API wants it) and the prompt, handed to the main window's Refine panel."""
        try:
            mask = to_api_mask(self.doc.painted())
        except ImageInputError as exc:
            self.show_message(f"{exc}: paint where the turn may change the image first.")
            return
        c = self.controller
        path = None if c.panel_id is not None else c.source_path
        self.refine_with_mask.emit(c.panel_id, path, mask, self.panel.prompt.toPlainText().strip())

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def _status(self, x: int | None = None, y: int | None = None) -> None:
        pos = f"{x}, {y} · " if x is not None else ""
        if self.canvas.layer == "markup":
            self.status.setText(
                f"{pos}zoom {self.canvas.zoom:.0%} · markup layer, {self.doc.image.width()}×"
                f"{self.doc.image.height()}: sent instead of a mask; anything may change"
            )
            return
        self.status.setText(
            f"{pos}zoom {self.canvas.zoom:.0%} · brush {self.doc.brush_size} px · "
            f"mask {self.doc.coverage():.1%} of {self.doc.image.width()}×{self.doc.image.height()} (source "
            "pixels)"
        )

    def _compare(self, on: bool, split: int) -> None:
        self.canvas.set_compare(self._before if on and self._before is not None else None, split / 100)

    def _display(self, path: str, what: str) -> None:
        """Decode `path` off the GUI thread and show it; closing the painter stops what is still loading."""
        task = self.controller.tasks.start(self._load_image(path), what, parent=self)
        self._showing.add(task)
        task.add_done_callback(self._showing.discard)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt naming)
        for task in list(self._showing):  # a decode finishing after the close would touch a deleted canvas
            task.cancel()
        super().closeEvent(event)

    def _reload_source(self) -> None:
        path = self.controller.source_path
        if not path:
            return
        self._display(path, "loading the new version")

    async def _load_image(self, path: str) -> None:
        image = await asyncio.to_thread(decode, path)
        if image.size() != self.doc.image.size():
            image = image.scaled(self.doc.image.size())
        self.doc.image = image
        self.canvas.set_base_image(image)

    def _show_version(self, row: int) -> None:
        if 0 <= row < len(self.controller.versions):
            self._display(self.controller.versions[row]["path"], "showing a version")

    def _finished(self, result: dict) -> None:
        if result.get("heatmap_path"):
            self._heatmap = QImage(result["heatmap_path"])
            if self.panel.show_heatmap.isChecked():
                self.canvas.set_heatmap(self._heatmap)
        if self.controller.panel_id is None and result.get("path"):
            self._display(result["path"], "showing the result")
        self.show_message(
            "Edit saved"
            + (" as a new version of the panel" if result.get("version_id") else " as a new panel")
        )
