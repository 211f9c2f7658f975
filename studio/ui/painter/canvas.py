"""The painter's canvas: a QGraphicsView over the source image and its mask overlay.

Only the dirty rectangle of each stroke segment is repainted: the document reports it, the mask
item invalidates just that rectangle, and both items paint only `option.exposedRect`. The overlay
is tinted at paint time (colour and opacity adjustable; it never hides the image). Zoom with the
wheel (around the cursor) or a pinch; pan with the middle button or space-drag.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from studio.state.markup_document import MarkupDocument
from studio.state.mask_document import MaskDocument

from .key_paint import KeyPainter
from .markup_tools import MarkupInput, MarkupItem

TOOLS = ("brush", "eraser", "rect", "ellipse", "lasso", "polygon", "fill")


class ImageItem(QGraphicsItem):
    """The picture; in compare mode, `other` is shown right of the split line."""

    def __init__(self, image: QImage):
        super().__init__()
        self.image = image
        self.other: QImage | None = None
        self.split = 0.5
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return QRectF(self.image.rect())

    def set_image(self, image: QImage) -> None:
        self.prepareGeometryChange()
        self.image = image
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        exposed = option.exposedRect.toAlignedRect().intersected(self.image.rect())
        if exposed.isEmpty():
            return
        painter.drawImage(exposed.topLeft(), self.image, exposed)
        if self.other is not None:
            x = int(self.image.width() * self.split)
            right = QRect(x, exposed.top(), exposed.right() - x + 1, exposed.height()).intersected(exposed)
            if not right.isEmpty():
                painter.drawImage(
                    right.topLeft(),
                    self.other.scaled(self.image.size())
                    if self.other.size() != self.image.size()
                    else self.other,
                    right,
                )
            painter.setPen(QPen(QColor(255, 255, 255), 0))
            painter.drawLine(x, exposed.top(), x, exposed.bottom())


class MaskItem(QGraphicsItem):
    """The mask, tinted at paint time; paints only the exposed rectangle."""

    def __init__(self, doc: MaskDocument):
        super().__init__()
        self.doc = doc
        self.color = QColor(0, 210, 255)  # cyan: apart from most skin, sky-free art and the sandbox magenta
        self.opacity_ = 0.45
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return QRectF(self.doc.mask.rect())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        exposed = option.exposedRect.toAlignedRect().intersected(self.doc.mask.rect())
        if exposed.isEmpty():
            return
        tint = QImage(exposed.size(), QImage.Format.Format_ARGB32_Premultiplied)
        tint.fill(self.color)
        p = QPainter(tint)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        p.drawImage(0, 0, self.doc.mask, exposed.x(), exposed.y(), exposed.width(), exposed.height())
        p.end()
        painter.setOpacity(self.opacity_)
        painter.drawImage(exposed.topLeft(), tint)


class Canvas(QGraphicsView):
    zoom_changed = Signal(float)
    cursor_moved = Signal(int, int)
    text_requested = Signal(QPointF)  # the markup text tool was clicked here

    def __init__(
        self, doc: MaskDocument, parent: QWidget | None = None, markup: MarkupDocument | None = None
    ):
        super().__init__(parent)
        self.doc = doc
        self.setScene(QGraphicsScene(self))
        self.image_item = ImageItem(doc.image)
        self.mask_item = MaskItem(doc)
        self.heatmap_item = ImageItem(QImage())
        self.heatmap_item.setVisible(False)
        for z, item in enumerate((self.image_item, self.heatmap_item, self.mask_item)):
            item.setZValue(z)
            self.scene().addItem(item)
        self.outline = QGraphicsEllipseItem()
        self.outline.setPen(QPen(QColor(255, 255, 255, 200), 0))
        self.outline.setZValue(10)
        self.scene().addItem(self.outline)
        self.preview = QGraphicsPathItem()
        self.preview.setPen(QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine))
        self.preview.setBrush(QBrush(QColor(255, 255, 255, 40)))
        self.preview.setZValue(11)
        self.scene().addItem(self.preview)
        self.markup = markup or MarkupDocument(doc.image.size(), self)
        self.markup_item = MarkupItem(self.markup)
        self.markup_item.setZValue(5)
        self.scene().addItem(self.markup_item)
        self.markup_input = MarkupInput(self.markup, self.preview, self.text_requested.emit)
        self.layer = "mask"  # which layer the mouse draws on: "mask" or "markup"
        self.scene().setSceneRect(QRectF(doc.image.rect()))
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setMouseTracking(True)
        self.setBackgroundBrush(QColor(40, 40, 44))
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.tool = "brush"
        self._panning = False
        self._space = False
        self._pan_from = QPointF()
        self._shape_start: QPointF | None = None
        self._points: list[QPointF] = []
        self._painting = False
        self.keys = KeyPainter(self)
        doc.changed.connect(self._on_changed)
        doc.brush_changed.connect(self._update_outline)

    # -- view ----------------------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(0.02, min(32.0, factor))
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom_changed.emit(factor)

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom * step)

    def fit(self) -> None:
        self.fitInView(self.image_item, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def wheelEvent(self, event) -> None:
        self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if pinch is not None:
                self.zoom_by(pinch.scaleFactor())
                return True
        if (
            event.type() == QEvent.Type.NativeGesture
            and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.zoom_by(1.0 + event.value())
            return True
        return super().viewportEvent(event)

    def set_base_image(self, image: QImage) -> None:
        """Show another version of the source (same size as the mask)."""
        self.image_item.set_image(image)

    def set_heatmap(self, heatmap: QImage | None) -> None:
        if heatmap is None or heatmap.isNull():
            self.heatmap_item.setVisible(False)
            return
        self.heatmap_item.set_image(
            heatmap.scaled(self.doc.image.size()) if heatmap.size() != self.doc.image.size() else heatmap
        )
        self.heatmap_item.setVisible(True)

    def set_compare(self, other: QImage | None, split: float = 0.5) -> None:
        self.image_item.other, self.image_item.split = other, split
        self.image_item.update()

    def _on_changed(self, rect: QRect) -> None:
        self.mask_item.update(QRectF(rect))

    def _update_outline(self, pos: QPointF | None = None) -> None:
        r = self.doc.brush_size / 2
        c = pos if isinstance(pos, QPointF) else self.outline.rect().center()
        self.outline.setRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        self.outline.setVisible(self.tool in ("brush", "eraser") and self.layer == "mask")

    def set_layer(self, layer: str) -> None:
        """Draw on the mask (inpainting) or on the markup (guidance); only that layer is shown."""
        self.layer = layer
        self.mask_item.setVisible(layer == "mask")
        self.markup_item.setVisible(layer == "markup")
        self._update_outline()

    # -- input -----------------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        if self.keys.key(event):  # arrow keys, Return and Esc paint without a mouse
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.key() == Qt.Key.Key_BracketRight:
            self.doc.step_brush(True)
            return
        if event.key() == Qt.Key.Key_BracketLeft:
            self.doc.step_brush(False)
            return
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.tool == "polygon"
            and len(self._points) > 2
        ):
            self._finish_polygon(erase=bool(event.modifiers() & Qt.KeyboardModifier.AltModifier))
            return
        if event.key() == Qt.Key.Key_Escape:
            self._points.clear()
            self.preview.setPath(QPainterPath())
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        pos = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space
        ):
            self._panning, self._pan_from = True, event.position()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.layer == "markup":
            self.markup_input.press(pos)
            return
        erase = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if self.tool in ("brush", "eraser"):
            self._painting = True
            self.doc.begin_stroke(pos, erase=self.tool == "eraser" or erase)
        elif self.tool == "fill":
            self.doc.flood_fill(pos, erase=erase)
        elif self.tool in ("rect", "ellipse", "lasso"):
            self._shape_start = pos
            self._points = [pos]
        elif self.tool == "polygon":
            if event.type() == QEvent.Type.MouseButtonDblClick and len(self._points) > 2:
                self._finish_polygon(erase)
                return
            self._points.append(pos)
            self._preview_points()

    def mouseDoubleClickEvent(self, event) -> None:
        if self.tool == "polygon" and len(self._points) > 2:
            self._finish_polygon(bool(event.modifiers() & Qt.KeyboardModifier.AltModifier))
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event) -> None:
        pos = self.mapToScene(event.position().toPoint())
        self.cursor_moved.emit(int(pos.x()), int(pos.y()))
        self._update_outline(pos)
        if self._panning:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        if self.layer == "markup":
            self.markup_input.move(pos)
            return
        if self._painting:
            self.doc.stroke_to(pos)
        elif self._shape_start is not None:
            if self.tool == "lasso":
                self._points.append(pos)
                self._preview_points()
            else:
                self.preview.setPath(self._shape_path(self._shape_start, pos))

    def mouseReleaseEvent(self, event) -> None:
        pos = self.mapToScene(event.position().toPoint())
        erase = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if self._panning:
            self._panning = False
            return
        if self.layer == "markup":
            self.markup_input.release(pos)
            return
        if self._painting:
            self._painting = False
            self.doc.end_stroke()
        elif self._shape_start is not None:
            if self.tool == "lasso":
                path = self._points_path(self._points)
            else:
                path = self._shape_path(self._shape_start, pos)
            self._shape_start = None
            self._points = []
            self.preview.setPath(QPainterPath())
            self.doc.fill_path(path, erase=erase, text=self.tool.capitalize())

    def _shape_path(self, a: QPointF, b: QPointF) -> QPainterPath:
        path = QPainterPath()
        rect = QRectF(a, b).normalized()
        if self.tool == "ellipse":
            path.addEllipse(rect)
        else:
            path.addRect(rect)
        return path

    @staticmethod
    def _points_path(points: list[QPointF]) -> QPainterPath:
        path = QPainterPath()
        if points:
            path.moveTo(points[0])
            for p in points[1:]:
                path.lineTo(p)
            path.closeSubpath()
        return path

    def _preview_points(self) -> None:
        self.preview.setPath(self._points_path(self._points))

    def _finish_polygon(self, erase: bool) -> None:
        path = self._points_path(self._points)
        self._points = []
        self.preview.setPath(QPainterPath())
        self.doc.fill_path(path, erase=erase, text="Polygon")
