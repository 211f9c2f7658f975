"""The painter's document: a source image and its mask at the source's pixel size (Alpha8, 255 = edit).

Strokes paint into the mask with QPainter and report only the dirty rectangle of each segment
(padded by the brush radius). Every stroke, shape or whole-mask operation is one undo command
holding just the before/after patch of the rectangle it changed. Whole-mask operations (grow,
shrink, feather, invert, fill) run the pure functions of studio.core.mask_ops on a Pillow view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image
from PySide6.QtCore import QLineF, QObject, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QRadialGradient,
    QUndoCommand,
    QUndoStack,
)

from studio.core import mask_ops

MIN_BRUSH, MAX_BRUSH = 1, 1000


def mask_to_pil(mask: QImage) -> Image.Image:
    """An Alpha8 QImage as a Pillow "L" image (rows may be padded: always pass bytesPerLine)."""
    return Image.frombuffer(
        "L", (mask.width(), mask.height()), bytes(mask.constBits()), "raw", "L", mask.bytesPerLine(), 1
    )


def pil_to_mask(im: Image.Image) -> QImage:
    data = im.convert("L").tobytes()
    return QImage(data, im.width, im.height, im.width, QImage.Format.Format_Alpha8).copy()


class PatchCommand(QUndoCommand):
    """Before/after pixels of one rectangle of a document's image (`layer` names it: the mask, or the
    markup document's layer); the document's `changed` signal reports the rectangle."""

    def __init__(
        self, doc: Any, rect: QRect, before: QImage, after: QImage, text: str, *, layer: str = "mask"
    ):
        super().__init__(text)
        self.doc, self.rect, self.before, self.after, self.layer = doc, rect, before, after, layer
        self._applied = True  # pushed after the change was made

    def _put(self, patch: QImage) -> None:
        p = QPainter(getattr(self.doc, self.layer))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        p.drawImage(self.rect.topLeft(), patch)
        p.end()
        self.doc.changed.emit(self.rect)

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._put(self.after)

    def undo(self) -> None:
        self._put(self.before)


class MaskDocument(QObject):
    changed = Signal(QRect)  # the dirty rectangle, in image pixels
    brush_changed = Signal()

    def __init__(self, image: QImage, parent: QObject | None = None):
        super().__init__(parent)
        self.image = image
        self.mask = QImage(image.size(), QImage.Format.Format_Alpha8)
        self.mask.fill(0)
        self.undo = QUndoStack(self)
        self.brush_size = max(8, min(image.width(), image.height()) // 20)
        self.hardness = 1.0
        self._before: QImage | None = None
        self._stroke_rect = QRect()
        self._last: QPointF | None = None
        self._erase = False

    # -- brush settings ---------------------------------------------------------------------------

    def set_brush_size(self, size: int) -> None:
        self.brush_size = max(MIN_BRUSH, min(MAX_BRUSH, int(size)))
        self.brush_changed.emit()

    def step_brush(self, up: bool) -> None:
        """`]` / `[`: about 15% per step, at least one pixel."""
        step = max(1, round(self.brush_size * 0.15))
        self.set_brush_size(self.brush_size + (step if up else -step))

    def set_hardness(self, hardness: float) -> None:
        self.hardness = max(0.0, min(1.0, hardness))
        self.brush_changed.emit()

    # -- strokes --------------------------------------------------------------------------------

    def begin_stroke(self, pos: QPointF, *, erase: bool = False) -> QRect:
        self._before = self.mask.copy()
        self._stroke_rect = QRect()
        self._erase = erase
        self._last = QPointF(pos)
        return self._segment(QPointF(pos), QPointF(pos))

    def stroke_to(self, pos: QPointF) -> QRect:
        if self._last is None:
            return QRect()
        rect = self._segment(self._last, QPointF(pos))
        self._last = QPointF(pos)
        return rect

    def end_stroke(self) -> None:
        if self._before is None:
            return
        rect = self._stroke_rect.intersected(self.mask.rect())
        if not rect.isEmpty():
            self.undo.push(
                PatchCommand(
                    self,
                    rect,
                    self._before.copy(rect),
                    self.mask.copy(rect),
                    "Erase" if self._erase else "Brush stroke",
                )
            )
        self._before, self._last = None, None

    def _painter(self, erase: bool) -> QPainter:
        p = QPainter(self.mask)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self.hardness < 1.0)
        if erase:
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOut)
        return p

    def _segment(self, a: QPointF, b: QPointF) -> QRect:
        r = self.brush_size / 2
        p = self._painter(self._erase)
        if self.hardness >= 1.0:
            pen = QPen(
                QColor(0, 0, 0, 255),
                self.brush_size,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
            p.setPen(pen)
            p.drawLine(QLineF(a, b)) if a != b else p.drawPoint(a)
        else:
            p.setPen(Qt.PenStyle.NoPen)
            length = QLineF(a, b).length()
            spacing = max(1.0, r * 0.25)
            steps = max(1, int(length / spacing))
            for i in range(steps + 1):
                c = a + (b - a) * (i / steps)
                g = QRadialGradient(c, r)
                g.setColorAt(0.0, QColor(0, 0, 0, 255))
                g.setColorAt(max(0.0, min(0.99, self.hardness)), QColor(0, 0, 0, 255))
                g.setColorAt(1.0, QColor(0, 0, 0, 0))
                p.setBrush(g)
                p.drawEllipse(c, r, r)
        p.end()
        pad = int(r) + 2
        rect = (
            QRectF(a, b)
            .normalized()
            .toAlignedRect()
            .adjusted(-pad, -pad, pad, pad)
            .intersected(self.mask.rect())
        )
        self._stroke_rect = self._stroke_rect.united(rect)
        self.changed.emit(rect)
        return rect

    # -- shapes and whole-mask operations ---------------------------------------------------------------

    def fill_path(self, path: QPainterPath, *, erase: bool = False, text: str = "Shape") -> None:
        """Rectangle, ellipse, lasso or polygon (image coordinates), as one undo step."""
        rect = path.boundingRect().toAlignedRect().adjusted(-2, -2, 2, 2).intersected(self.mask.rect())
        if rect.isEmpty():
            return
        before = self.mask.copy(rect)
        p = self._painter(erase)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 255))
        p.drawPath(path)
        p.end()
        self.undo.push(PatchCommand(self, rect, before, self.mask.copy(rect), text))
        self.changed.emit(rect)

    def painted(self) -> Image.Image:
        """The mask as the core wants it (a copy: safe to hand to another thread)."""
        return mask_to_pil(self.mask).copy()

    def apply(self, op: Callable[[Image.Image], Image.Image], text: str) -> bool:
        """Run a pure mask operation as one undo step; False when it changed nothing."""
        before_pil = self.painted()
        after_pil = op(before_pil)
        box = mask_ops.changed_box(before_pil, after_pil)
        if box is None:
            return False
        rect = QRect(box[0], box[1], box[2] - box[0], box[3] - box[1])
        after = pil_to_mask(after_pil)
        before = self.mask.copy(rect)
        self.mask = after
        self.undo.push(PatchCommand(self, rect, before, after.copy(rect), text))
        self.changed.emit(rect)
        return True

    def invert(self) -> bool:
        return self.apply(mask_ops.invert, "Invert mask")

    def clear(self) -> bool:
        return self.apply(lambda m: mask_ops.blank(m.size), "Clear mask")

    def grow(self, px: int) -> bool:
        return self.apply(lambda m: mask_ops.grow(m, px), f"Grow mask by {px} px")

    def shrink(self, px: int) -> bool:
        return self.apply(lambda m: mask_ops.shrink(m, px), f"Shrink mask by {px} px")

    def feather(self, px: int) -> bool:
        return self.apply(lambda m: mask_ops.feather(m, px), f"Feather mask by {px} px")

    def flood_fill(self, point: QPointF, *, erase: bool = False) -> bool:
        return self.apply(
            lambda m: mask_ops.flood_fill(m, (int(point.x()), int(point.y())), erase=erase), "Fill"
        )

    def load_painted(self, painted: Image.Image, text: str = "Load mask") -> bool:
        if painted.size != (self.mask.width(), self.mask.height()):
            painted = painted.resize((self.mask.width(), self.mask.height()), Image.Resampling.NEAREST)
        return self.apply(lambda _m: painted.convert("L"), text)

    def coverage(self) -> float:
        return mask_ops.coverage(mask_to_pil(self.mask))
