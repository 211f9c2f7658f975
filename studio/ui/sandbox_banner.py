"""The strip above the grid while the app runs on the offline sandbox (no key): it says so, and offers to
add the API key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

SANDBOX_TEXT = "Sandbox — placeholder images, no charges"


class SandboxBanner(QFrame):
    add_key_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sandboxBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # its colours: studio/ui/theme.py
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.label = QLabel(SANDBOX_TEXT)
        self.label.setWordWrap(True)  # wraps on a narrow window instead of widening it
        self.label.setObjectName("sandboxText")
        self.button = QPushButton("Add API key…")
        self.button.clicked.connect(self.add_key_requested)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
