"""Undo and Redo that keep their labels in a toolbar: the text an undo stack gives its actions ("Undo
Stroke", "Undo Fill") goes into the tooltip instead, so the toolbar never jumps as it changes."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction


class SteadyText(QObject):
    """Keeps an undo stack's action labelled `text` (the toolbar does not jump as "Undo Stroke" becomes
    "Undo Fill"); what it would undo goes into its tooltip instead. A child of the action: it goes with
    it, and Qt disconnects it then."""

    def __init__(self, action: QAction, text: str):
        super().__init__(action)
        self.action, self.text = action, text
        action.changed.connect(self.keep)
        self.keep()

    def keep(self) -> None:
        if not shiboken6.isValid(self.action):  # the undo stack says goodbye as the window closes
            return
        said = self.action.text()
        if said != self.text:
            self.action.blockSignals(True)
            self.action.setText(self.text)
            self.action.blockSignals(False)
            self.action.setToolTip(said)


def steady_text(action: QAction, text: str) -> None:
    SteadyText(action, text)
