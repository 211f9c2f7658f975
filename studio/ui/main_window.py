"""The main window. For now: the frame, the sandbox banner and the menus; the studio arrives in issue 5."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QVBoxLayout, QWidget

SANDBOX_TEXT = "Sandbox — placeholder images, no charges"


class SandboxBanner(QFrame):
    add_key_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sandboxBanner")
        self.setStyleSheet("#sandboxBanner { background: #fff4ce; border-bottom: 1px solid #e0c060; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.label = QLabel(SANDBOX_TEXT)
        self.label.setStyleSheet("font-weight: 600; color: #5a4500;")
        self.button = QPushButton("Add API key…")
        self.button.clicked.connect(self.add_key_requested)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, *, board_name: str = "Untitled board", endpoint_label: str, sandbox: bool):
        super().__init__()
        self.setWindowTitle(f"Asset Studio — {board_name}")
        self.resize(1100, 720)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banner = SandboxBanner() if sandbox else None
        if self.banner is not None:
            layout.addWidget(self.banner)
            self.banner.add_key_requested.connect(self._explain_key)
        self.placeholder = QLabel(
            "<h2>Asset Studio</h2>"
            f"<p>Connected to <b>{endpoint_label}</b>.</p>"
            "<p>The prompt editor, storyboard grid and cost meter are on their way.<br>"
            "Meanwhile the command line works: <code>asset-studio quote</code>, "
            "<code>asset-studio generate --prompt …</code>, <code>asset-studio edit …</code>.</p>"
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.placeholder, 1)
        self.setCentralWidget(central)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        quit_action.triggered.connect(self.close)
        self.menuBar().addMenu("&File").addAction(quit_action)
        self.quit_action = quit_action

    def _explain_key(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Add an API key",
                          "Store your OpenAI API key in the system keyring, then restart Asset Studio:\n\n"
                          "    asset-studio key set\n\n"
                          "(it reads the key from standard input and checks it). OPENAI_API_KEY in the environment "
                          "also works, for one session.", parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # non-blocking: never exec() a dialog under the asyncio loop
        self.key_dialog = box

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt naming)
        self.closed.emit()
        super().closeEvent(event)
