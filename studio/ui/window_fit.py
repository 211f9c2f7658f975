"""Windows open inside the screen they are on: never larger than its available area (a laptop at 1024×700,
a 4K screen at scale 2), never partly off it (a layout saved on a larger monitor)."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

MARGIN = 0.96  # of the available area, at most: room for the window frame the platform adds


def available_area(window: QWidget) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(window: QWidget, area: QRect | None = None) -> None:
    """Shrink the window to the available area and move it onto it (a maximized or full-screen window is
    the platform's to place)."""
    if window.isMaximized() or window.isFullScreen():
        return
    area = area or available_area(window)
    width = min(window.width(), int(area.width() * MARGIN))
    height = min(window.height(), int(area.height() * MARGIN))
    window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))
    x = min(max(window.x(), area.left()), area.right() - window.width() + 1)
    y = min(max(window.y(), area.top()), area.bottom() - window.height() + 1)
    if (x, y) != (window.x(), window.y()):
        window.move(max(x, area.left()), max(y, area.top()))


def opening_size(window: QWidget, width: int, height: int) -> None:
    """The size a window opens at when nothing was remembered: the preferred size, fitted to the screen."""
    window.resize(width, height)
    fit_to_screen(window)
