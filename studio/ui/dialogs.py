"""Non-blocking dialogs: open() with a callback, never exec() under the asyncio loop (qasync #59)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QWidget


def ask_text(parent: QWidget, title: str, label: str, text: str, done: Callable[[str], None]) -> QInputDialog:
    """Ask for a line of text; `done` gets it if the user accepts. Keep the returned dialog alive."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.textValueSelected.connect(done)
    dialog.open()
    return dialog
