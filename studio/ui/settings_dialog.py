"""Settings: API key (keyring), base URL, rate tier, budget caps, default parameters, data folder."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.core import deadline
from studio.core.errors import RefusedError
from studio.state.key_setup import delete_stored_key, key_status
from studio.state.lifecycle import endpoint_models, set_opted_models, set_svg_model_selection
from studio.state.preferences import OPENAI_BASE, parse_amount, refusal_text
from studio.state.session import Session

from .docks import scrolling
from .theme import apply_theme
from .window_fit import opening_size


class SettingsDialog(QDialog):
    def __init__(self, session: Session, data_folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Settings — Asset Studio")
        self.setObjectName("settingsDialog")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("OpenAI API key")
        self.key.setPlaceholderText("sk-… (checked, then stored in the OS keyring)")
        self.key.setMinimumWidth(160)
        self.store_key = QPushButton("Check and store")
        self.delete_key = QPushButton("Remove")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        self.storage = QComboBox()  # only when the OS has no usable keyring: the user chooses, never silently
        self.storage.addItem("This session only", "session")
        self.storage.addItem("Plain-text file (not encrypted)", "file")
        self.storage.setVisible(False)
        key_row.addWidget(self.storage)
        key_row.addWidget(self.store_key)
        key_row.addWidget(self.delete_key)
        self.key_status = QLabel()
        self.key_status.setWordWrap(True)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText(f"{OPENAI_BASE} (OPENAI_BASE_URL overrides)")
        self.tier = QSpinBox()
        self.tier.setRange(1, 5)
        self.deadline = QSpinBox()
        self.deadline.setObjectName("answerDeadline")
        self.deadline.setRange(10, int(deadline.MAX_S))
        self.deadline.setSuffix(" s")
        self.deadline.setToolTip(
            "How long one 1024x1024 medium call may take in all before it is given up as outcome "
            "unknown (a server trickling its answer). Larger sizes, higher quality and more images "
            "get proportionally longer, up to an hour."
        )
        self.caps = {k: QLineEdit() for k in ("call", "day", "month", "board")}
        for k, w in self.caps.items():
            w.setPlaceholderText("no cap (USD)")
        self.svg_selection = QCheckBox(
            "My OpenAI project has SVG model selection (offer the SVG author settings)"
        )
        self.svg_selection.setObjectName("svgSelection")
        self.svg_selection.setChecked(session.prompt.svg_model_selection)
        self.defaults = QPushButton("Use the current parameters as defaults")
        folder = QPushButton(data_folder)
        folder.setFlat(True)
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(data_folder)))
        form.addRow("API key", key_row)
        form.addRow("", self.key_status)
        form.addRow("Base URL", self.base_url)
        form.addRow("Rate tier", self.tier)
        form.addRow("Answer deadline", self.deadline)
        self.thumb_memory = QSpinBox()
        self.thumb_memory.setObjectName("thumbnailMemory")
        self.thumb_memory.setRange(8, 4096)
        self.thumb_memory.setSuffix(" MB")
        self.thumb_memory.setToolTip(
            "Memory for the board's decoded thumbnails; the least recently shown are "
            "dropped first and decoded again when scrolled back into view."
        )
        form.addRow("Thumbnail memory", self.thumb_memory)
        self.theme = QComboBox()
        self.theme.setObjectName("themeBox")
        for text, choice in (
            ("Follow the system (dark where it does not say)", "system"),
            ("Dark", "dark"),
            ("Light", "light"),
        ):
            self.theme.addItem(text, choice)
        self.theme.setToolTip("Neutral greys in both themes, so the surround never tints how an image reads")
        form.addRow("Theme", self.theme)
        form.addRow("Cap per call", self.caps["call"])
        form.addRow("Cap per day", self.caps["day"])
        form.addRow("Cap per month", self.caps["month"])
        form.addRow(f"Cap for board “{session.boards.board_name}”", self.caps["board"])
        form.addRow("SVG", self.svg_selection)
        self.extra_models = QListWidget()
        self.extra_models.setObjectName("extraModels")
        self.extra_models.setMaximumHeight(70)
        self.extra_models.setToolTip(
            "Models your endpoint lists that this version does not know. Tick one to use it: "
            "checked with the common GPT-image rules, quoted as an estimate with a doubled bound."
        )
        form.addRow("Newer models", self.extra_models)
        form.addRow("Defaults", self.defaults)
        form.addRow("Data folder", folder)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: fields under their labels
        inner = QWidget()
        inner.setLayout(form)
        layout.addWidget(scrolling(inner), 1)  # a short screen scrolls the settings instead of clipping them
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("settingsMessage")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.store_key.clicked.connect(self.check_and_store)
        self.delete_key.clicked.connect(
            lambda: session.tasks.start(self._delete_key(), "Removing the key", parent=self)
        )
        self.defaults.clicked.connect(
            lambda: session.tasks.start(self._save_defaults(), "Saving defaults", parent=self)
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        opening_size(self, 760, 620)  # never larger than the screen
        self.loaded = session.tasks.start(self._load(), "Loading settings", parent=self)

    def done(self, result: int) -> None:
        """Closed while still loading: the load stops (its answers would land in a deleted dialog)."""
        self.loaded.cancel()
        super().done(result)

    async def _load(self) -> None:
        prefs = self.session.preferences
        unknown, opted = await endpoint_models(self.session)
        self.extra_models.clear()
        for model in unknown or []:
            item = QListWidgetItem(f"{model}  (not in this version's model list)")
            item.setData(Qt.ItemDataRole.UserRole, model)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if model in opted else Qt.CheckState.Unchecked)
            self.extra_models.addItem(item)
        if not unknown:
            self.extra_models.addItem("none: your endpoint lists no image model this version does not know")
        settings = await prefs.load()
        self.base_url.setText(settings.base_url)
        self.tier.setValue(settings.tier)
        self.deadline.setValue(round(settings.deadline_base_s))
        self.thumb_memory.setValue(settings.thumbnail_cache_mb)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        for k in ("call", "day", "month"):
            value = getattr(settings, f"cap_{k}")
            self.caps[k].setText("" if value is None else str(value))
        board_cap = await prefs.board_cap(self.session.boards.board_id)
        self.caps["board"].setText("" if board_cap is None else str(board_cap))
        if settings.problems:
            self.message.setText(" ".join(settings.problems))
        await self._show_key_state()

    async def _show_key_state(self) -> None:
        usable, text = await key_status(self.session.service.endpoint)
        self.storage.setVisible(not usable)
        self.key_status.setText(text)

    def show_message(self, text: str) -> None:
        """A failed action this dialog started (TaskRunner routes it here while the dialog is open)."""
        self.message.setText(text)

    def save(self) -> None:
        self.session.tasks.start(self._save(), "Saving settings", parent=self)

    async def _save(self) -> None:
        try:  # nothing is saved until everything is valid
            values = {k: parse_amount(w.text()) for k, w in self.caps.items()}
            await self.session.preferences.save_all(
                self.session.boards.board_name,
                values["board"],
                base_url=self.base_url.text().strip(),
                tier=self.tier.value(),
                deadline_base_s=float(self.deadline.value()),
                thumbnail_cache_mb=self.thumb_memory.value(),
                theme=self.theme.currentData(),
                cap_call=values["call"],
                cap_day=values["day"],
                cap_month=values["month"],
            )
        except RefusedError as exc:
            self.message.setText(refusal_text(exc))
            return
        self.session.thumbnails.set_budget(self.thumb_memory.value() << 20)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.theme.currentData())  # at once, in every open window
        await set_svg_model_selection(self.session, self.svg_selection.isChecked())
        items = [self.extra_models.item(i) for i in range(self.extra_models.count())]
        await set_opted_models(
            self.session,
            {
                i.data(Qt.ItemDataRole.UserRole)
                for i in items
                if i.data(Qt.ItemDataRole.UserRole) and i.checkState() == Qt.CheckState.Checked
            },
        )
        await self.session.cost_watch.refresh()
        self.message.setText(
            "Saved. Caps and the deadline apply now; the tier, base URL and key apply from the next start."
        )

    def check_and_store(self) -> None:
        key = self.key.text().strip()
        self.key.clear()  # the field never keeps the key
        if not key:
            self.message.setText("Paste a key first.")
            return
        self.session.tasks.start(self._store(key), "Storing the key", parent=self)

    async def _store(self, key: str) -> None:
        setup = self.session.key_setup(self)
        storage = "keyring" if not self.storage.isVisible() else self.storage.currentData()
        done = asyncio.get_running_loop().create_future()
        setup.result.connect(lambda ok, text: None if done.done() else done.set_result((ok, text)))
        setup.add_key(key, storage, self.base_url.text().strip() or None)
        ok, text = await done
        self.message.setText(text)
        await self._show_key_state()

    async def _delete_key(self) -> None:
        removed = await delete_stored_key()
        self.message.setText(
            "The stored key was removed (the running session keeps its endpoint until restart)."
            if removed
            else "No key was stored."
        )
        await self._show_key_state()

    async def _save_defaults(self) -> None:
        await self.session.preferences.update(
            defaults={k: v for k, v in self.session.prompt.values().items() if k != "prompt"}
        )
        self.message.setText("New windows start with these parameters.")
