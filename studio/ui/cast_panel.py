"""The Cast panel beside the grid: the board's cast and style sheet (entries switched on and off with their
check boxes, Space from the keyboard), the text woven into every prompt (editable; Reset brings the
generated one back), the prompt exactly as it will be sent, what the model's limits left out, the panel
shots continue from, and the last continuity hint."""

from __future__ import annotations

import functools

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.state.cast_board import CastBoard
from studio.state.prompt_model import PromptModel

from .refine_panel import THUMB, icon_of

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


class CastPanel(QWidget):
    add_files_requested = Signal()  # the window asks for files and a name
    add_panel_requested = Signal()  # the selected panel, as a new entry or more of one
    describe_requested = Signal(str, str)  # an entry's name and description: the window asks for a new one

    def __init__(self, cast: CastBoard, prompt: PromptModel, thumbnails, parent: QWidget | None = None):
        super().__init__(parent)
        self.cast, self.prompt, self.thumbnails = cast, prompt, thumbnails
        self.setObjectName("castPanel")
        layout = QVBoxLayout(self)
        self.follow = QCheckBox("New panels follow the cast")
        self.follow.setToolTip(
            "Each generation on this board is sent with the enabled entries' images as references "
            "(the edit endpoint, images only) and their descriptions woven into the prompt."
        )
        layout.addWidget(self.follow)
        self.entries = QListWidget()
        self.entries.setObjectName("castEntries")
        self.entries.setAccessibleName("Cast entries (Space switches one on or off)")
        self.entries.setIconSize(QSize(THUMB, THUMB))
        self.entries.setWordWrap(True)
        self.entries.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.entries.setMinimumHeight(140)
        layout.addWidget(self.entries, 2)
        buttons = QHBoxLayout()
        self.add_file = QPushButton("Add image…")
        self.add_panel = QPushButton("Add panel")
        self.add_panel.setToolTip(
            "The selected panel's picture (Ctrl+Shift+A), or a crop of it: Edit ▸ Add crop of panel to cast"
        )
        buttons.addWidget(self.add_file)
        buttons.addWidget(self.add_panel)
        layout.addLayout(buttons)
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.stop_chain = QPushButton("Stop continuing")
        row = QHBoxLayout()
        row.addWidget(self.chain, 1)
        row.addWidget(self.stop_chain)
        layout.addLayout(row)
        woven_label = QLabel("Woven into every prompt (edit it freely):")
        woven_label.setWordWrap(True)
        layout.addWidget(woven_label)
        self.woven = QPlainTextEdit()
        self.woven.setObjectName("castWoven")
        self.woven.setAccessibleName("Text woven into every prompt")
        self.woven.setPlaceholderText("Nothing: no entry is on.")
        self.woven.setMaximumHeight(110)
        layout.addWidget(self.woven)
        self.reset = QPushButton("Reset the text")
        self.reset.setToolTip("Back to the text made from the entries' names and descriptions")
        layout.addWidget(self.reset, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(QLabel("Sent as:"))
        self.final = QPlainTextEdit()
        self.final.setObjectName("castFinal")
        self.final.setAccessibleName("The prompt as it will be sent")
        self.final.setReadOnly(True)
        self.final.setMaximumHeight(130)
        layout.addWidget(self.final)
        self.notes = QLabel()
        self.notes.setObjectName("castNotes")
        self.notes.setWordWrap(True)
        layout.addWidget(self.notes)
        self.hint = QLabel()
        self.hint.setObjectName("castHint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self._edit_timer = QTimer(self, singleShot=True, interval=600)
        self._showing = False
        self._connect()
        self.refresh()

    def _connect(self) -> None:
        c = self.cast
        c.changed.connect(self.refresh)
        self.prompt.changed.connect(self._show_final)
        self.follow.toggled.connect(lambda on: None if self._showing else c.set_follow(on))
        self.entries.itemChanged.connect(self._entry_toggled)
        self.entries.itemDoubleClicked.connect(self._describe)
        self.entries.customContextMenuRequested.connect(self._menu)
        self.add_file.clicked.connect(self.add_files_requested)
        self.add_panel.clicked.connect(self.add_panel_requested)
        self.stop_chain.clicked.connect(lambda: c.continue_from(None))
        self.woven.textChanged.connect(lambda: None if self._showing else self._edit_timer.start())
        self._edit_timer.timeout.connect(lambda: c.set_preamble(self.woven.toPlainText()))
        self.reset.clicked.connect(lambda: c.set_preamble(None))
        self.thumbnails.ready.connect(self._thumbnails_ready)

    # -- state -> view --------------------------------------------------------------------------

    def refresh(self) -> None:
        c = self.cast
        self._showing = True
        try:
            self.follow.setChecked(bool(c.options.get("follow", True)))
            self.entries.clear()
            for entry in c.entries:
                self.entries.addItem(self._item(entry))
            if not c.entries:
                empty = QListWidgetItem(
                    "No cast yet. Add a character, a prop, a place or a style frame: an image file, or the "
                    "selected panel. Every new panel of this board then follows them."
                )
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                self.entries.addItem(empty)
            number = c.chained_number()
            self.chain.setText(
                f"Continuing from panel {number}: the next panel takes it as its first reference, and "
                "each one after takes the last."
                if number
                else ""
            )
            self.chain.setVisible(bool(number))
            self.stop_chain.setVisible(bool(number))
            if not self.woven.hasFocus():
                self.woven.setPlainText(c.preamble())
            self.reset.setEnabled(c.options.get("preamble") is not None)
            self.hint.setText(c.last_hint)
            self.hint.setToolTip(c.hint_details)
        finally:
            self._showing = False
        self._show_final()

    def _item(self, entry: dict) -> QListWidgetItem:
        images = entry["images"]
        about = f" — {entry['description']}" if entry["description"] else ""
        item = QListWidgetItem(f"{entry['name']}{about}\n{len(images)} reference image(s)")
        path = images[0]["path"] if images else None
        item.setIcon(icon_of(self.thumbnails.get(path)))
        item.setData(NAME_ROLE, entry["name"])
        item.setData(PATH_ROLE, path)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
        )
        item.setCheckState(Qt.CheckState.Checked if entry["enabled"] else Qt.CheckState.Unchecked)
        item.setToolTip(
            "\n".join(f"{i['width']}×{i['height']}, {i['bytes']:,} bytes" for i in images)
            + "\nDouble-click to describe; right-click for more."
        )
        return item

    def _show_final(self) -> None:
        c = self.cast
        self.final.setPlainText(c.final_prompt() if c.active else "(the prompt alone: no cast is followed)")
        notes = list(self.prompt.cast_notes)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def _thumbnails_ready(self, paths: list) -> None:
        arrived = set(paths)
        for i in range(self.entries.count()):
            item = self.entries.item(i)
            if item.data(PATH_ROLE) in arrived:
                item.setIcon(icon_of(self.thumbnails.get(item.data(PATH_ROLE))))

    # -- view -> state --------------------------------------------------------------------------

    def _entry_toggled(self, item: QListWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        if not self._showing and name:
            self.cast.set_enabled(name, item.checkState() == Qt.CheckState.Checked)

    def _entry(self, name: str) -> dict | None:
        return next((e for e in self.cast.entries if e["name"] == name), None)

    def _describe(self, item: QListWidgetItem) -> None:
        entry = self._entry(item.data(NAME_ROLE) or "")
        if entry is not None:
            self.describe_requested.emit(entry["name"], entry["description"])

    def _menu(self, at: QPoint) -> None:
        item = self.entries.itemAt(at)
        if item is None or not item.data(NAME_ROLE):
            return
        name = item.data(NAME_ROLE)
        menu = QMenu(self)
        menu.addAction("Describe…", lambda: self._describe(item))
        entry = self._entry(name) or {"images": []}
        if len(entry["images"]) > 1:  # one image out of several
            images = menu.addMenu("Remove one image")
            for k, image in enumerate(entry["images"], 1):
                label = f"{k}: {image['width']}×{image['height']}"
                images.addAction(label, functools.partial(self.cast.remove_image, int(image["id"])))
        menu.addAction("Remove from the cast", lambda: self.cast.remove(name))
        self._open_menu = menu
        menu.popup(self.entries.viewport().mapToGlobal(at))
