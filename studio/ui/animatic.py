"""The animatic preview: the board played in the app, each panel held for its duration with its number and
caption under it (as the exported GIF and MP4 burn them in). Space plays and pauses, ←/→ step a panel,
Home starts again, L loops, Ctrl+W or Esc closes. Images are decoded off the GUI thread, the next one
while the current one shows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.state.tasks import TaskRunner

from .keys import close_action
from .viewer import decode_image
from .window_fit import opening_size

DISPLAY = QSize(1280, 720)  # decoded at most this large: what the preview shows


@dataclass(frozen=True)
class Shot:
    number: int  # the panel's number on the board
    path: str | None  # None: a blank panel (shown as its caption on black)
    caption: str
    duration_s: float


class Screen(QWidget):
    """The current shot fitted on black, its caption in a band along the bottom."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.text = ""
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_shot(self, image: QImage | None, text: str) -> None:
        self.image, self.text = image, text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.image is not None and not self.image.isNull():
            scale = min(self.width() / self.image.width(), self.height() / self.image.height())
            w, h = self.image.width() * scale, self.image.height() * scale
            painter.drawImage(QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h), self.image)
        if self.text:
            band = max(28, self.height() // 10)
            rect = self.rect().adjusted(0, self.height() - band, 0, 0)
            painter.fillRect(rect, Qt.GlobalColor.black)
            painter.setPen(Qt.GlobalColor.white)
            font = painter.font()
            font.setPixelSize(max(12, band // 2))
            painter.setFont(font)
            painter.drawText(rect.adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignVCenter, self.text)
        painter.end()


class AnimaticWindow(QDialog):
    def __init__(self, shots: list[Shot], tasks: TaskRunner, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        if not shots:
            raise ValueError("the board has no panels to play")
        self.shots, self.tasks = shots, tasks
        self.setObjectName("animaticWindow")
        self.setWindowTitle(f"Animatic — {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        opening_size(self, 960, 620)
        layout = QVBoxLayout(self)
        self.screen_view = Screen()
        self.screen_view.setAccessibleName("Animatic")
        layout.addWidget(self.screen_view, 1)
        bar = QHBoxLayout()
        self.play_button = QPushButton("Pause")
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.clicked.connect(self.toggle)
        self.loop_box = QCheckBox("&Loop")
        self.loop_box.setChecked(True)
        self.position = QLabel()
        self.position.setAccessibleName("Position")
        bar.addWidget(self.play_button)
        bar.addWidget(self.loop_box)
        bar.addWidget(self.position, 1)
        bar.addWidget(QLabel("Space plays/pauses · ←/→ a panel · Home from the start"))
        layout.addLayout(bar)
        self.total_s = sum(s.duration_s for s in shots)
        self.index = 0
        self.playing = True
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.advance)
        self.addAction(close_action(self))
        for keys, slot in (
            (QKeySequence("Space"), self.toggle),
            (QKeySequence("Right"), lambda: self.go(self.index + 1)),
            (QKeySequence("Left"), lambda: self.go(self.index - 1)),
            (QKeySequence("Home"), lambda: self.go(0)),
            (QKeySequence("L"), self.loop_box.toggle),
        ):
            QShortcut(keys, self, activated=slot)
        self._images: dict[int, QImage] = {}
        self._loading: dict[int, asyncio.Task[None]] = {}
        self.go(0)

    # -- playing ------------------------------------------------------------------------------------

    def go(self, index: int) -> None:
        """Show shot `index` (clamped) and, when playing, hold it for its duration."""
        self.index = max(0, min(index, len(self.shots) - 1))
        shot = self.shots[self.index]
        text = f"{shot.number}. {shot.caption}" if shot.caption else f"{shot.number}."
        self.screen_view.show_shot(self._images.get(self.index), text)
        self._fetch(self.index)
        self._fetch(self.index + 1)
        self._forget()
        start = sum(s.duration_s for s in self.shots[: self.index])
        self.position.setText(
            f"Panel {shot.number} · {self.index + 1} of {len(self.shots)} · {shot.duration_s:g} s · "
            f"{_clock(start)} of {_clock(self.total_s)}"
        )
        self.timer.stop()
        if self.playing:
            self.timer.start(max(40, round(shot.duration_s * 1000)))

    def advance(self) -> None:
        """The held shot's time is up: the next one, or the first again when looping, else stop."""
        if self.index + 1 < len(self.shots):
            self.go(self.index + 1)
        elif self.loop_box.isChecked():
            self.go(0)
        else:
            self.set_playing(False)

    def toggle(self) -> None:
        self.set_playing(not self.playing)

    def set_playing(self, playing: bool) -> None:
        self.playing = playing
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            self.go(self.index)
        else:
            self.timer.stop()

    # -- images -------------------------------------------------------------------------------------

    def _fetch(self, index: int) -> None:
        if index >= len(self.shots) or index in self._images or index in self._loading:
            return
        path = self.shots[index].path
        if path is None:
            return
        self._loading[index] = self.tasks.start(
            self._load_shot(index, path), "Decoding the animatic", parent=self
        )

    async def _load_shot(self, index: int, path: str) -> None:
        try:
            image = await asyncio.to_thread(_decode_for_display, path)
        finally:
            self._loading.pop(index, None)
        self._images[index] = image
        if index == self.index:
            self.screen_view.show_shot(image, self.screen_view.text)

    def _forget(self) -> None:
        """Keep the shown image and its neighbours only: a board of thousands stays small."""
        for k in [k for k in self._images if abs(k - self.index) > 1]:
            del self._images[k]

    def done(self, result: int) -> None:
        self.timer.stop()
        for task in list(self._loading.values()):
            task.cancel()
        super().done(result)


def _decode_for_display(path: str) -> QImage:
    image = decode_image(path)
    if image.width() > DISPLAY.width() or image.height() > DISPLAY.height():
        image = image.scaled(
            DISPLAY, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


def _clock(seconds: float) -> str:
    """0:05.5"""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
