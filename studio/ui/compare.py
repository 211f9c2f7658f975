"""Compare panels: 2 to 4 side by side with zoom and pan kept in step (wheel, Ctrl+±, Ctrl+0 fits, Ctrl+1
is 1:1, drag to pan any of them), or two of them on top of each other: a swipe (a divider moved with the
slider or ←/→) or an onion skin (the upper one's opacity) for before and after."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPaintEvent, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.state.tasks import TaskRunner

from .keys import ACTUAL_SIZE, FIT, close_action
from .viewer import ZoomView, decode_image
from .window_fit import opening_size

MODES = ("side", "swipe", "onion")


@dataclass(frozen=True)
class CompareItem:
    path: str
    label: str  # "Panel 3 · v2" — shown under (or on) its image


class SyncedViews:
    """Views that zoom and pan together: a change in one is copied to the others."""

    def __init__(self, views: list[ZoomView]):
        self.views = views
        self._busy = False
        for view in views:
            view.zoomed.connect(lambda v=view: self.follow(v))
            view.horizontalScrollBar().valueChanged.connect(lambda _, v=view: self.follow(v))
            view.verticalScrollBar().valueChanged.connect(lambda _, v=view: self.follow(v))

    def follow(self, leader: ZoomView) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            for view in self.views:
                if view is not leader:
                    view.setTransform(leader.transform())
                    view.horizontalScrollBar().setValue(leader.horizontalScrollBar().value())
                    view.verticalScrollBar().setValue(leader.verticalScrollBar().value())
        finally:
            self._busy = False

    def apply(self, change: str) -> None:
        """zoom in / zoom out / fit / 1:1 on the first view; the others follow."""
        lead = self.views[0]
        {"in": lambda: lead.zoom(1.25), "out": lambda: lead.zoom(0.8), "fit": lead.fit}.get(
            change, lead.actual_size
        )()
        self.follow(lead)


class OverlayView(QWidget):
    """Two images fitted in one frame: `before` underneath, `after` over it, cut at the swipe divider
    (mode "swipe") or at the onion skin's opacity (mode "onion"); `amount` is 0…1 either way."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.before: QImage | None = None
        self.after: QImage | None = None
        self.labels = ("", "")
        self.mode = "swipe"
        self.amount = 0.5
        self.setMinimumSize(200, 150)

    def set_amount(self, value: float) -> None:
        self.amount = max(0.0, min(1.0, value))
        self.update()

    def image_rect(self) -> QRectF:
        base = self.before or self.after
        if base is None or base.isNull():
            return QRectF(self.rect())
        scale = min(self.width() / base.width(), self.height() / base.height())
        w, h = base.width() * scale, base.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self.image_rect()
        if self.before is not None:
            painter.drawImage(target, self.before)
        if self.after is not None:
            if self.mode == "onion":
                painter.setOpacity(self.amount)
                painter.drawImage(target, self.after)
                painter.setOpacity(1.0)
            else:
                cut = target.left() + target.width() * self.amount
                painter.save()
                painter.setClipRect(QRectF(cut, target.top(), target.right() - cut, target.height()))
                painter.drawImage(target, self.after)
                painter.restore()
                painter.setPen(QPen(self.palette().highlight().color(), 2))
                painter.drawLine(QPointF(cut, target.top()), QPointF(cut, target.bottom()))
        painter.setPen(self.palette().text().color())
        left, right = self.labels
        painter.drawText(self.rect().adjusted(8, 4, -8, -4), Qt.AlignmentFlag.AlignBottom, left)
        painter.drawText(
            self.rect().adjusted(8, 4, -8, -4),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight,
            right,
        )
        painter.end()


class CompareWindow(QDialog):
    def __init__(self, items: list[CompareItem], tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        if not 2 <= len(items) <= 4:
            raise ValueError("compare takes 2 to 4 images")
        self.items = items
        self.setObjectName("compareWindow")
        self.setWindowTitle("Compare — " + " | ".join(i.label for i in items))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        opening_size(self, 1200, 760)  # never larger than the screen (1024×700, scale 2)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.mode_buttons = QButtonGroup(self)
        for k, (mode, text) in enumerate(
            (("side", "&Side by side"), ("swipe", "S&wipe"), ("onion", "&Onion skin"))
        ):
            button = QRadioButton(text)
            button.setAccessibleName(text.replace("&", ""))
            button.setEnabled(mode == "side" or len(items) == 2)  # before/after: two images
            self.mode_buttons.addButton(button, k)
            bar.addWidget(button)
        self.mode_buttons.button(0).setChecked(True)
        self.mode_buttons.idClicked.connect(lambda k: self.set_mode(MODES[k]))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setValue(50)
        self.slider.setAccessibleName("Divider or opacity")
        self.slider.setToolTip("Swipe: where the divider is; onion skin: how opaque the second image is")
        bar.addWidget(self.slider, 1)
        self.hint = QLabel("Ctrl+0 fits · Ctrl+1 is 1:1 · wheel zooms all · ←/→ move the divider")
        bar.addWidget(self.hint)
        layout.addLayout(bar)
        self.stack = QStackedWidget()
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        self.views: list[ZoomView] = []
        self.captions: list[QLabel] = []
        columns = 2
        for k, item in enumerate(items):
            cell = QVBoxLayout()
            view = ZoomView()
            view.setAccessibleName(f"Image {k + 1}: {item.label}")
            caption = QLabel(item.label)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.addWidget(view, 1)
            cell.addWidget(caption)
            grid.addLayout(cell, k // columns, k % columns)
            self.views.append(view)
            self.captions.append(caption)
        self.synced = SyncedViews(self.views)
        self.overlay = OverlayView()
        self.slider.valueChanged.connect(lambda v: self.overlay.set_amount(v / 100))
        self.overlay.setAccessibleName("Before and after")
        self.overlay.labels = (items[0].label, items[1].label)
        self.stack.addWidget(grid_host)
        self.stack.addWidget(self.overlay)
        layout.addWidget(self.stack, 1)
        self.slider.setEnabled(False)
        self.mode = "side"
        self.addAction(close_action(self))
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, lambda: self.synced.apply("in")),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.synced.apply("out")),
            (FIT, lambda: self.synced.apply("fit")),
            (ACTUAL_SIZE, lambda: self.synced.apply("1:1")),
            (QKeySequence("Left"), lambda: self.slider.setValue(self.slider.value() - 5)),
            (QKeySequence("Right"), lambda: self.slider.setValue(self.slider.value() + 5)),
        ):
            QShortcut(keys, self, activated=slot)
        self.images: list[QImage] = []
        self.task = tasks.start(self._load(), "Opening the images to compare", parent=self)

    async def _load(self) -> None:
        images = await asyncio.gather(*(asyncio.to_thread(decode_image, i.path) for i in self.items))
        self.images = list(images)
        for view, image, caption, item in zip(self.views, images, self.captions, self.items, strict=True):
            if image.isNull():
                caption.setText(f"{item.label}: could not read {item.path}")
                continue
            view.item.setPixmap(QPixmap.fromImage(image))
            view.scene().setSceneRect(view.item.boundingRect())
            caption.setText(f"{item.label} · {image.width()}×{image.height()}")
        self.overlay.before, self.overlay.after = images[0], images[1]
        self.synced.apply("fit")

    def set_mode(self, mode: str) -> None:
        """side | swipe | onion (the last two for two images)."""
        if mode != "side" and len(self.items) != 2:
            return
        self.mode = mode
        self.mode_buttons.button(MODES.index(mode)).setChecked(True)
        self.stack.setCurrentIndex(0 if mode == "side" else 1)
        self.slider.setEnabled(mode != "side")
        if mode != "side":
            self.overlay.mode = mode
            self.overlay.update()

    def done(self, result: int) -> None:
        self.task.cancel()
        super().done(result)
