"""The painter's second layer: markup drawn over the source to steer an edit (gpt-image-2.5 / 2.6).

Arrows, circles, boxes, freehand strokes and short notes in colour, on a transparent ARGB layer at the
source's exact pixel size. It is sent as the edit's `markup` PNG instead of a mask, never with one:
the model reads the drawing and the prompt, and anything in the image may change. Every mark is one
undo command holding the before/after patch of the rectangle it touched.
"""

from __future__ import annotations

import io
import math

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLineF, QObject, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QUndoStack

from .mask_document import PatchCommand

MARKUP_TOOLS = ("arrow", "circle", "box", "pen", "text")


class MarkupDocument(QObject):
    changed = Signal(QRect)

    def __init__(self, size, parent: QObject | None = None):
        super().__init__(parent)
        self.layer = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        self.layer.fill(Qt.GlobalColor.transparent)
        self.undo = QUndoStack(self)
        self.undo.setUndoLimit(100)
        self.color = QColor(255, 40, 40)
        edge = min(size.width(), size.height())
        self.width = max(3, edge // 160)
        self.font_px = max(14, edge // 28)

    # -- what is sent -----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """Nothing drawn (every pixel fully transparent)."""
        with Image.open(io.BytesIO(self.png())) as im:
            return im.convert("RGBA").getchannel("A").getextrema()[1] == 0

    def png(self) -> bytes:
        """The markup PNG: RGBA, exactly the source's size, transparent where nothing was drawn."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.layer.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; PySide takes str
        buffer.close()
        return bytes(data.data())

    # -- drawing ------------------------------------------------------------------------------------

    def _pen(self) -> QPen:
        pen = QPen(self.color, self.width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def shape_path(self, tool: str, a: QPointF, b: QPointF) -> QPainterPath:
        """The outline a tool draws from a to b (also the live preview)."""
        path = QPainterPath()
        if tool == "circle":
            path.addEllipse(QRectF(a, b).normalized())
        elif tool == "box":
            path.addRect(QRectF(a, b).normalized())
        elif tool == "arrow":
            path.moveTo(a)
            path.lineTo(b)
            line = QLineF(b, a)
            if line.length() > 1:
                head = max(12.0, self.width * 4.0)
                angle = math.radians(line.angle())
                for turn in (math.radians(28), -math.radians(28)):
                    tip = QPointF(
                        b.x() + head * math.cos(angle + turn), b.y() - head * math.sin(angle + turn)
                    )
                    path.moveTo(b)
                    path.lineTo(tip)
        return path

    def draw_path(self, path: QPainterPath, text: str) -> QRect:
        pad = self.width * 2 + 2
        rect = (
            path.boundingRect().toAlignedRect().adjusted(-pad, -pad, pad, pad).intersected(self.layer.rect())
        )
        return self._change(rect, lambda p: (p.setPen(self._pen()), p.drawPath(path)), text)

    def draw_stroke(self, points: list[QPointF]) -> QRect:
        path = QPainterPath()
        if points:
            path.moveTo(points[0])
            for point in points[1:]:
                path.lineTo(point)
            if len(points) == 1:
                path.lineTo(points[0] + QPointF(0.1, 0.1))
        return self.draw_path(path, "Pen")

    def draw_text(self, at: QPointF, text: str) -> QRect:
        text = text.strip()[:80]
        if not text:
            return QRect()
        font = QFont()
        font.setPixelSize(self.font_px)
        font.setBold(True)
        probe = QPainter(self.layer)
        probe.setFont(font)
        box = (
            probe.boundingRect(QRectF(at, at), Qt.AlignmentFlag.AlignLeft, text)
            .toAlignedRect()
            .adjusted(-6, -6, 6, 6)
        )
        probe.end()
        rect = box.intersected(self.layer.rect())

        def paint(p: QPainter) -> None:
            p.setFont(font)
            outline = QPainterPath()
            outline.addText(QPointF(box.left() + 6, box.top() + 6 + p.fontMetrics().ascent()), font, text)
            p.setPen(QPen(QColor(255, 255, 255, 230), max(2, self.font_px // 8)))
            p.drawPath(outline)
            p.fillPath(outline, self.color)

        return self._change(rect, paint, "Note")

    def clear(self) -> QRect:
        return self._change(
            self.layer.rect(),
            lambda p: p.fillRect(self.layer.rect(), Qt.GlobalColor.transparent),
            "Clear markup",
            source=True,
        )

    def _change(self, rect: QRect, draw, text: str, *, source: bool = False) -> QRect:
        if rect.isEmpty():
            return rect
        before = self.layer.copy(rect)
        p = QPainter(self.layer)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if source:
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        draw(p)
        p.end()
        self.undo.push(PatchCommand(self, rect, before, self.layer.copy(rect), text, layer="layer"))
        self.changed.emit(rect)
        return rect
