"""The first-run welcome: a panel inside the main window (not a modal dialog), skippable. The prompt
editor keeps keyboard focus, so Ctrl+Return still generates in the sandbox while it is open."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.state.key_setup import KeySetup
from studio.state.preferences import parse_amount

SANDBOX_INTRO = (
    "You are in the <b>sandbox</b>: pictures are placeholders made on this computer and nothing is charged. "
    "Try it now: type a prompt and press <b>Ctrl+Return</b>. Add your OpenAI key when you want real images; "
    "every call is quoted first and capped by your budget."
)


class WelcomePanel(QFrame):
    closed = Signal()

    def __init__(self, session, key_setup: KeySetup, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.key_setup = session, key_setup
        self.setObjectName("welcome")
        self.setStyleSheet(
            "#welcome { background: palette(alternate-base); border-bottom: 1px solid palette(mid); }"
        )
        outer = QVBoxLayout(self)
        title = QLabel("<b>Welcome to Asset Studio</b>")
        intro = QLabel(SANDBOX_INTRO)
        intro.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(intro)
        grid = QGridLayout()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("sk-… (checked against /v1/models, then kept in your OS keyring)")
        self.key.setMinimumWidth(120)
        self.storage = QComboBox()
        self.storage.addItem("This session only", "session")
        self.storage.addItem("Plain-text file (not encrypted)", "file")
        self.storage.setVisible(False)
        self.add_key = QPushButton("Add your OpenAI key")
        grid.addWidget(QLabel("API key"), 0, 0)
        key_row = QHBoxLayout()  # the key field wide, its storage and button beside it
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.storage)
        key_row.addWidget(self.add_key)
        grid.addLayout(key_row, 0, 1, 1, 3)
        self.key_status = QLabel("")
        self.key_status.setWordWrap(True)
        grid.addWidget(self.key_status, 1, 1, 1, 3)
        self.tier = QComboBox()
        for n in range(1, 6):
            t = session.registry.tier(n)
            self.tier.addItem(f"Tier {n}: {t.images_per_minute} images/min", n)
        self.tier_help = QLabel(
            "Your tier is on platform.openai.com › Limits; calls are paced so they never hit the limit."
        )
        self.tier_help.setWordWrap(True)
        grid.addWidget(QLabel("Rate tier"), 2, 0)
        grid.addWidget(self.tier, 2, 1)
        grid.addWidget(self.tier_help, 2, 2, 1, 2)
        caps = QHBoxLayout()
        self.day_cap = QLineEdit("5.00")
        self.month_cap = QLineEdit("50.00")
        for label, field in (("per day $", self.day_cap), ("per month $", self.month_cap)):
            field.setMaximumWidth(90)
            field.setMinimumWidth(64)  # "50.00" readable whole
            caps.addWidget(QLabel(label))
            caps.addWidget(field)
        note = QLabel("— a call that could cross a cap is refused before anything is spent.")
        note.setWordWrap(True)  # wraps on a small screen instead of widening the window
        caps.addWidget(note, 1)
        grid.addWidget(QLabel("Budget caps"), 3, 0)
        grid.addLayout(caps, 3, 1, 1, 3)
        outer.addLayout(grid)
        for box in (self.storage, self.tier):  # long items elide instead of widening a small window
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(8)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.skip = QPushButton("Skip")
        self.done = QPushButton("Save and close")
        buttons.addWidget(self.skip)
        buttons.addWidget(self.done)
        outer.addLayout(buttons)
        for w in (
            self.key,
            self.storage,
            self.add_key,
            self.tier,
            self.day_cap,
            self.month_cap,
            self.skip,
            self.done,
        ):
            w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # the prompt editor keeps the keyboard
        self.add_key.clicked.connect(self._add_key)
        self.key.returnPressed.connect(self._add_key)
        self.skip.clicked.connect(lambda: self._close(save=False))
        self.done.clicked.connect(lambda: self._close(save=True))
        key_setup.result.connect(self._key_result)
        key_setup.keyring_checked.connect(self._keyring_checked)

    def _keyring_checked(self, usable: bool, backend: str) -> None:
        self.storage.setVisible(not usable)
        if not usable:
            self.key.setPlaceholderText("sk-… (no OS keyring here: choose where to keep it)")
            self.key_status.setText(
                f"No usable OS keyring was found ({backend}). Keep the key for this session only, set "
                "OPENAI_API_KEY "
                "before starting, or opt in to a plain-text file (mode 0600) that anyone with your account "
                "can read."
            )

    def _add_key(self) -> None:
        storage = "keyring" if self.key_setup.keyring_usable else self.storage.currentData()
        key = self.key.text()
        self.key.clear()  # the field never keeps the key
        self.key_status.setText("Checking the key…")
        self.key_setup.add_key(key, storage)

    def _key_result(self, ok: bool, message: str) -> None:
        self.key_status.setText(message)

    def _close(self, *, save: bool) -> None:
        if save:
            self.session.tasks.start(self._save(), "Saving the first-run choices")
        else:
            self.session.tasks.start(self.session.preferences.update(welcome="skipped"), "Saving")
        self.hide()
        self.closed.emit()

    async def _save(self) -> None:
        try:
            day, month = parse_amount(self.day_cap.text()), parse_amount(self.month_cap.text())
        except Exception as exc:
            self.session.error.emit(f"Budget caps: {exc}")
            day = month = None
        caps = {
            f"cap_{which}": value
            for which, value in (("day", day), ("month", month))
            if value is not None and value > Decimal(0)
        }
        await self.session.preferences.update(tier=self.tier.currentData(), welcome="saved", **caps)
        await self.session.cost_watch.refresh()
