"""A zoomable viewer for one panel's full image, decoded on demand off the GUI thread."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QMovie, QPixmap, QShortcut, QWheelEvent
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from studio.state.tasks import TaskRunner
from studio.state.vector import safe_renderer


def _decode(path: str) -> QImage:
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    return reader.read()


class ZoomView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.shown: QGraphicsItem = self.item  # what fit() frames: the pixmap, or an SVG item
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)

    def zoom(self, factor: float) -> None:
        self.scale(factor, factor)

    def fit(self) -> None:
        self.fitInView(self.shown, Qt.AspectRatioMode.KeepAspectRatio)

    def actual_size(self) -> None:
        self.resetTransform()

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()


class ImageViewer(QDialog):
    def __init__(self, path: str, title: str, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1000, 700)
        layout = QVBoxLayout(self)
        self.view = ZoomView()
        self.info = QLabel("Loading…")
        layout.addWidget(self.view, 1)
        layout.addWidget(self.info)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, lambda: self.view.zoom(1.25)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.view.zoom(0.8)),
            (QKeySequence("Ctrl+0"), self.view.actual_size),
            (QKeySequence("F"), self.view.fit),
        ):
            QShortcut(keys, self, activated=slot)
        self.path = path
        self.task = tasks.start(self._load(), f"Opening {path}", failure=self.info.setText)

    async def _load(self) -> None:
        lowered = self.path.lower()
        if lowered.endswith(".svg"):
            self._show_svg()
            return
        if lowered.endswith(".gif"):
            self._play_gif()
            return
        image = await asyncio.to_thread(_decode, self.path)
        if image.isNull():
            self.info.setText(f"Could not read {self.path}")
            return
        self.view.item.setPixmap(QPixmap.fromImage(image))  # pixmaps are made on the GUI thread
        self.view.scene().setSceneRect(self.view.item.boundingRect())
        self.view.fit()
        self.info.setText(
            f"{image.width()}×{image.height()} · {self.path} · wheel or Ctrl+± zooms, F fits, Ctrl+0 is 100 %"
        )

    def _show_svg(self) -> None:
        """A vector item: crisp at every zoom, drawn from the sanitized copy."""
        renderer, problem = safe_renderer(self.path)
        if renderer is None:
            self.info.setText(f"This SVG is not shown: {problem}. The file is kept as received: {self.path}")
            return
        self.renderer = renderer  # the item does not own it
        self.svg_item = QGraphicsSvgItem()
        self.svg_item.setSharedRenderer(renderer)
        self.view.scene().removeItem(self.view.item)
        self.view.scene().addItem(self.svg_item)
        self.view.shown = self.svg_item  # fit() and zoom act on it
        self.view.scene().setSceneRect(self.svg_item.boundingRect())
        self.view.fit()
        size = renderer.defaultSize()
        self.info.setText(
            f"SVG {size.width()}×{size.height()} (vector; shown without scripts or external references) · "
            f"{self.path} · wheel or Ctrl+± zooms, F fits"
        )

    def _play_gif(self) -> None:
        """The animation, looping, frame by frame into the pixmap item."""
        self.movie = QMovie(self.path, parent=self)
        if not self.movie.isValid():
            self.info.setText(f"Could not read {self.path}")
            return
        self.movie.frameChanged.connect(lambda _: self.view.item.setPixmap(self.movie.currentPixmap()))
        self.movie.start()
        self.view.item.setPixmap(self.movie.currentPixmap())
        self.view.scene().setSceneRect(self.view.item.boundingRect())
        self.view.fit()
        self.info.setText(
            f"GIF, {self.movie.frameCount()} frames · {self.path} · wheel or Ctrl+± zooms, F fits"
        )
