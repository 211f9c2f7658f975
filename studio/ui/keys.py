"""Keyboard conventions shared by every window: the same key means the same thing everywhere.

Settings is Ctrl+, on every platform (Qt's Preferences key is empty on Linux), Close is Ctrl+W in the painter
and the viewer, Ctrl+0 fits and Ctrl+1 shows 1:1 wherever there is an image, and Tab leaves a text box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QPlainTextEdit, QWidget

FIT, ACTUAL_SIZE = QKeySequence("Ctrl+0"), QKeySequence("Ctrl+1")


def with_platform(own: str, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """`own` first (shown in menus), then the platform's bindings for `standard`, without repeats."""
    keys = [QKeySequence(own)]
    for key in QKeySequence.keyBindings(standard):
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return keys


def settings_keys() -> list[QKeySequence]:
    return with_platform("Ctrl+,", QKeySequence.StandardKey.Preferences)


def close_keys() -> list[QKeySequence]:
    return with_platform("Ctrl+W", QKeySequence.StandardKey.Close)


def close_action(window: QWidget) -> QAction:
    """Close (Ctrl+W) for a secondary window; the caller adds it to a menu (or to the window)."""
    action = QAction("&Close", window)
    action.setShortcuts(close_keys())
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(window.close)
    return action


class PromptText(QPlainTextEdit):
    """A prompt box that keyboard users can leave: Tab and Shift+Tab move focus; Ctrl+Tab types a tab."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt naming)
        if event.key() == Qt.Key.Key_Tab and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            self.insertPlainText("\t")
            return
        super().keyPressEvent(event)
