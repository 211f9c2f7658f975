"""Opening the painter on a panel or on an image file (menu, Ctrl+E, Ctrl+O, drag and drop)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QWidget

from studio.state.session import Session

from .window import PainterWindow, decode

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")


async def open_painter(
    session: Session,
    *,
    panel_id: int | None = None,
    path: str | None = None,
    parent: QWidget | None = None,
    label: str = "",
) -> PainterWindow:
    """Load the source (the panel's current version, or the file) off the GUI thread, then show."""
    controller = session.edit_controller(panel_id=panel_id, path=path)
    await controller.load()  # refuses a panel without an image: a source path is set from here on
    image = await asyncio.to_thread(decode, controller.source_path or "")
    window = PainterWindow(controller, image, parent, label=label)
    controller.setParent(window)
    window.show()
    window.canvas.fit()
    window.canvas.setFocus()  # tool keys, [ ], arrows and Return paint; Alt+P goes to the edit prompt
    return window


def is_image_path(path: str) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES
