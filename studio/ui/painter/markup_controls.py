"""The markup layer's controls in the painter: its toolbar (arrow, circle, box, pen, note; ink colour and
width; its own undo), the tool choice and the note prompt. A mixin of PainterWindow (it uses the window's
canvas and its tool-group builder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QColorDialog, QLabel, QSpinBox, QToolBar

from studio.state.markup_document import MARKUP_TOOLS

from ..dialogs import ask_text

MARKUP_KEYS = {"arrow": "A", "circle": "C", "box": "X", "pen": "N", "text": "T"}
MARKUP_LABELS = {"arrow": "Arrow", "circle": "Circle", "box": "Box", "pen": "Pen", "text": "Note"}


if TYPE_CHECKING:  # what the painter window provides (for the type checker; at run time the base is object)
    from PySide6.QtWidgets import QMainWindow as _Window

    from .canvas import Canvas
else:
    _Window = object


class MarkupControls(_Window):
    canvas: Canvas
    _tool_group: Callable[..., dict[str, QAction]]

    def _build_markup_toolbar(self) -> None:
        """The markup layer's tools: shown while markup (not a mask) is what the edit sends."""
        bar = QToolBar("Markup", self)
        bar.setObjectName("markup-tools")
        self.addToolBar(bar)
        self.markup_bar = bar
        self.markup_actions = self._tool_group(
            bar,
            {t: MARKUP_LABELS[t] for t in MARKUP_TOOLS},
            MARKUP_KEYS,
            "on the markup layer",
            self.set_markup_tool,
        )
        self.markup_color_action = QAction("Ink colour…", self, triggered=self.pick_markup_color)
        bar.addAction(self.markup_color_action)
        bar.addWidget(QLabel(" Line "))
        self.markup_width = QSpinBox()
        self.markup_width.setAccessibleName("Markup line width")
        self.markup_width.setRange(1, 64)
        self.markup_width.setValue(self.canvas.markup.width)
        self.markup_width.setSuffix(" px")
        self.markup_width.valueChanged.connect(lambda v: setattr(self.canvas.markup, "width", v))
        bar.addWidget(self.markup_width)
        m = self.canvas.markup
        self.markup_undo = m.undo.createUndoAction(self, "Undo")
        self.markup_redo = m.undo.createRedoAction(self, "Redo")
        self.markup_clear = QAction("Clear markup", self, triggered=m.clear)
        for act in (self.markup_undo, self.markup_redo, self.markup_clear):
            bar.addAction(act)
        bar.setVisible(False)

    def set_markup_tool(self, tool: str) -> None:
        self.canvas.markup_input.tool = tool
        self.markup_actions[tool].setChecked(True)

    def pick_markup_color(self) -> None:
        dialog = QColorDialog(self.canvas.markup.color, self)
        dialog.colorSelected.connect(lambda c: setattr(self.canvas.markup, "color", c))
        dialog.open()

    def _ask_note(self, pos) -> None:
        self._note_dialog = ask_text(
            self,
            "Note",
            "A short note to place here (what should change):",
            "",
            lambda text: self._place_note(pos, text),
        )

    def _place_note(self, pos: Any, text: str) -> None:
        self.canvas.markup.draw_text(pos, text)
