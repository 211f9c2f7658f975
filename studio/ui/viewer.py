"""A zoomable viewer for one panel's full image, decoded on demand off the GUI thread."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QMovie, QPixmap, QShortcut, QWheelEvent
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from studio.core.pricing import format_usd
from studio.state.board_model import PanelRow
from studio.state.tasks import TaskRunner
from studio.state.vector import safe_renderer

from .keys import ACTUAL_SIZE, FIT, close_action
from .window_fit import opening_size

KEYS_HINT = "wheel or Ctrl+± zooms, Ctrl+0 fits, Ctrl+1 is 1:1, ←/→ step through the board"


def decode_image(path: str) -> QImage:
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    return reader.read()


class ZoomView(QGraphicsView):
    zoomed = Signal()  # the scale changed (wheel, keys, fit, 1:1): a compare view follows

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
        self.zoomed.emit()

    def clear(self) -> None:
        """An empty scene with a fresh pixmap item (the previous page's SVG or frames are gone)."""
        self.scene().clear()
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.shown = self.item
        self.resetTransform()

    def fit(self) -> None:
        self.fitInView(self.shown, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed.emit()

    def actual_size(self) -> None:
        self.resetTransform()
        self.zoomed.emit()

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()


@dataclass(frozen=True)
class ViewerPage:
    """One panel as the viewer shows it: the file, the title, and what sits beside the image."""

    path: str
    title: str
    details: str = ""  # caption, prompt, version, cost: plain text


def panel_details(i: int, count: int, row: PanelRow, panel: dict[str, Any] | None) -> str:
    """What the viewer shows beside a panel: its place, caption, shot, prompt, version and cost."""
    request = json.loads(panel.get("request_json") or "{}") if panel else {}
    lines = [f"Panel {i + 1} of {count}" + (" ★ starred" if row.starred else "")]
    if row.caption:
        lines.append(f"Caption: {row.caption}")
    if row.shot:
        lines.append(f"Shot: {row.shot} · {row.duration:g} s")
    versions = int(panel.get("versions") or 0) if panel else 0
    lines.append(f"Version {row.version}" + (f" of {versions}" if versions > 1 else ""))
    if request:
        parts = (request.get("model"), request.get("size"), request.get("quality"))
        lines.append(" · ".join(str(p) for p in parts if p))
    if row.cost_usd is not None:
        lines.append(f"Cost: {format_usd(row.cost_usd)}" + (" (sandbox, not charged)" if row.sandbox else ""))
    if row.width and row.height:
        lines.append(f"Image: {row.width}×{row.height}")
    if request.get("prompt"):
        lines.append(f"\nPrompt:\n{request['prompt']}")
    return "\n".join(lines)


class ImageViewer(QDialog):
    """One panel at a time: Left/Right (or PgUp/PgDn) step through the board, Ctrl+0 fits (F too),
    Ctrl+1 is 1:1, Ctrl+± and the wheel zoom, Ctrl+W or Esc closes."""

    def __init__(
        self,
        page: ViewerPage,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        step: Callable[[int], ViewerPage | None] | None = None,
    ):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("imageViewer")
        opening_size(self, 1000, 700)
        self.tasks, self.step_to = tasks, step
        layout = QHBoxLayout(self)
        column = QVBoxLayout()
        self.view = ZoomView()
        self.view.setAccessibleName("Image")
        self.info = QLabel("Loading…")
        self.info.setWordWrap(True)
        column.addWidget(self.view, 1)
        column.addWidget(self.info)
        layout.addLayout(column, 1)
        self.details = QLabel()
        self.details.setObjectName("viewerDetails")
        self.details.setAccessibleName("Panel details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setFixedWidth(260)
        layout.addWidget(self.details)
        self.close_action = close_action(self)
        self.addAction(self.close_action)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, lambda: self.view.zoom(1.25)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.view.zoom(0.8)),
            (FIT, self.view.fit),
            (QKeySequence("F"), self.view.fit),
            (ACTUAL_SIZE, self.view.actual_size),
            (QKeySequence("Right"), lambda: self.step(1)),
            (QKeySequence("PgDown"), lambda: self.step(1)),
            (QKeySequence("Left"), lambda: self.step(-1)),
            (QKeySequence("PgUp"), lambda: self.step(-1)),
        ):
            QShortcut(keys, self, activated=slot)
        self.task: asyncio.Task[Any] | None = None
        self.movie: QMovie | None = None
        self.svg_item: QGraphicsSvgItem | None = None
        self.show_page(page)

    def step(self, delta: int) -> None:
        """The next (1) or previous (-1) panel with an image; at either end, nothing changes."""
        page = self.step_to(delta) if self.step_to is not None else None
        if page is not None:
            self.show_page(page)

    def show_page(self, page: ViewerPage) -> None:
        self.page, self.path = page, page.path
        self.setWindowTitle(page.title)
        self.details.setText(page.details)
        self.details.setVisible(bool(page.details))
        if self.movie is not None:
            self.movie.stop()
            self.movie.deleteLater()
        self.movie = None
        self.svg_item = None
        self.view.clear()
        self.info.setText("Loading…")
        if self.task is not None:
            self.task.cancel()  # stepped on: the previous page's decode is not wanted
        self.task = self.tasks.start(self._load(page.path), f"Opening {page.path}", failure=self.info.setText)

    def done(self, result: int) -> None:
        """Closing stops a decode still running (its result would land in a deleted window)."""
        if self.task is not None:
            self.task.cancel()
        if self.movie is not None:
            self.movie.stop()
        super().done(result)

    async def _load(self, path: str) -> None:
        lowered = path.lower()
        if lowered.endswith(".svg"):
            self._show_svg()
            return
        if lowered.endswith(".gif"):
            self._play_gif()
            return
        image = await asyncio.to_thread(decode_image, path)
        if path != self.path:  # stepped on while decoding
            return
        if image.isNull():
            self.info.setText(f"Could not read {path}")
            return
        self.view.item.setPixmap(QPixmap.fromImage(image))  # pixmaps are made on the GUI thread
        self.view.scene().setSceneRect(self.view.item.boundingRect())
        self.view.fit()
        self.info.setText(f"{image.width()}×{image.height()} · {path} · {KEYS_HINT}")

    def _show_svg(self) -> None:
        """A vector item: crisp at every zoom, drawn from the sanitized copy."""
        renderer, problem = safe_renderer(self.path)
        if renderer is None:
            self.info.setText(f"This SVG is not shown: {problem}. The file is kept as received: {self.path}")
            return
        self.renderer = renderer  # the item does not own it
        item = self.svg_item = QGraphicsSvgItem()
        item.setSharedRenderer(renderer)
        self.view.scene().removeItem(self.view.item)
        self.view.scene().addItem(item)
        self.view.shown = item  # fit() and zoom act on it
        self.view.scene().setSceneRect(item.boundingRect())
        self.view.fit()
        size = renderer.defaultSize()
        self.info.setText(
            f"SVG {size.width()}×{size.height()} (vector; shown without scripts or external references) · "
            f"{self.path} · {KEYS_HINT}"
        )

    def _play_gif(self) -> None:
        """The animation, looping, frame by frame into the pixmap item."""
        movie = self.movie = QMovie(self.path, parent=self)
        if not movie.isValid():
            self.info.setText(f"Could not read {self.path}")
            return
        item = self.view.item
        movie.frameChanged.connect(lambda _: item.setPixmap(movie.currentPixmap()))
        movie.start()
        item.setPixmap(movie.currentPixmap())
        self.view.scene().setSceneRect(item.boundingRect())
        self.view.fit()
        self.info.setText(f"GIF, {movie.frameCount()} frames · {self.path} · {KEYS_HINT}")
