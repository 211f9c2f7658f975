"""Painting without a mouse: a cursor on the canvas moved with the arrow keys (Shift: five times
further), Return dabs the brush or eraser there, and with the rectangle or ellipse tool the first Return
anchors a corner and the second draws the shape to the cursor (Esc drops the anchor). Steps are half the
brush size in image pixels, at least 4."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent, QPainterPath

ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


class KeyPainter:
    """The canvas's keyboard brush (the canvas hands it its key presses first)."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        image = canvas.doc.image
        self.cursor = QPointF(image.width() / 2, image.height() / 2)
        self.anchor: QPointF | None = None

    def key(self, event: QKeyEvent) -> bool:
        """Handle the key if it is one of ours; True when it was."""
        canvas = self.canvas
        if canvas.layer != "mask" or event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False
        if event.key() in ARROWS:
            dx, dy = ARROWS[Qt.Key(event.key())]
            step = max(4.0, canvas.doc.brush_size / 2)
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                step *= 5
            self.move_to(QPointF(self.cursor.x() + dx * step, self.cursor.y() + dy * step))
            return True
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self.press(erase=bool(event.modifiers() & Qt.KeyboardModifier.AltModifier))
        if event.key() == Qt.Key.Key_Escape and self.anchor is not None:
            self.anchor = None
            canvas.preview.setPath(QPainterPath())
            return True
        return False

    def move_to(self, pos: QPointF) -> None:
        image = self.canvas.doc.image
        self.cursor = QPointF(
            min(max(pos.x(), 0), image.width() - 1), min(max(pos.y(), 0), image.height() - 1)
        )
        self.canvas._update_outline(self.cursor)
        self.canvas.ensureVisible(self.cursor.x() - 1, self.cursor.y() - 1, 2, 2)
        self.canvas.cursor_moved.emit(int(self.cursor.x()), int(self.cursor.y()))
        if self.anchor is not None:
            self.canvas.preview.setPath(self.canvas._shape_path(self.anchor, self.cursor))

    def press(self, *, erase: bool) -> bool:
        canvas, tool = self.canvas, self.canvas.tool
        if tool in ("brush", "eraser"):
            canvas.doc.begin_stroke(self.cursor, erase=erase or tool == "eraser")
            canvas.doc.end_stroke()
            return True
        if tool in ("rect", "ellipse"):
            if self.anchor is None:
                self.anchor = QPointF(self.cursor)
                canvas.preview.setPath(canvas._shape_path(self.anchor, self.cursor))
                return True
            path = canvas._shape_path(self.anchor, self.cursor)
            self.anchor = None
            canvas.preview.setPath(QPainterPath())
            canvas.doc.fill_path(path, erase=erase, text=tool.capitalize())
            return True
        return False
