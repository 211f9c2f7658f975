"""The markup layer on the canvas: its item, and the mouse handling of the markup tools
(arrow, circle, box, pen, text). The canvas hands its mouse events here while the markup layer is active."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from studio.state.markup_document import MarkupDocument


class MarkupItem(QGraphicsItem):
    """The markup layer as drawn (full colour, over the image); paints only the exposed rectangle."""

    def __init__(self, doc: MarkupDocument):
        super().__init__()
        self.doc = doc
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        doc.changed.connect(lambda rect: self.update(QRectF(rect)))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(self.doc.layer.rect())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        exposed = option.exposedRect.toAlignedRect().intersected(self.doc.layer.rect())
        if not exposed.isEmpty():
            painter.drawImage(exposed.topLeft(), self.doc.layer, exposed)


class MarkupInput:
    """Press, drag, release: a shape from the press to the release point, or a freehand stroke;
    a click with the text tool asks for a short note (on_text) and places it there."""

    def __init__(self, doc: MarkupDocument, preview: QGraphicsPathItem, on_text):
        self.doc, self.preview, self.on_text = doc, preview, on_text
        self.tool = "arrow"
        self._start: QPointF | None = None
        self._points: list[QPointF] = []

    def press(self, pos: QPointF) -> None:
        if self.tool == "text":
            self.on_text(pos)
            return
        self._start, self._points = pos, [pos]
        self.preview.setPen(
            QPen(self.doc.color, self.doc.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        self.preview.setBrush(Qt.BrushStyle.NoBrush)

    def move(self, pos: QPointF) -> None:
        if self._start is None:
            return
        if self.tool == "pen":
            self._points.append(pos)
            path = QPainterPath(self._points[0])
            for point in self._points[1:]:
                path.lineTo(point)
            self.preview.setPath(path)
        else:
            self.preview.setPath(self.doc.shape_path(self.tool, self._start, pos))

    def release(self, pos: QPointF) -> QRect:
        if self._start is None:
            return QRect()
        start, points = self._start, self._points + [pos]
        self._start, self._points = None, []
        self.preview.setPath(QPainterPath())
        if self.tool == "pen":
            return self.doc.draw_stroke(points)
        return self.doc.draw_path(self.doc.shape_path(self.tool, start, pos), self.tool.capitalize())
