"""Help ▸ Keyboard shortcuts: every key of the main window read from its menus (so the sheet cannot go stale),
with the painter's and the viewer's keys beside them (checked against those windows by the tests)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .keys import close_keys
from .window_fit import opening_size


def painter_keys() -> list[tuple[str, str]]:
    """What the painter takes, as the user reads it: its tools from the painter's own key tables, the rest
    listed here (test_keyboard checks every shortcut of a real painter window appears)."""
    from .painter.markup_controls import MARKUP_KEYS, MARKUP_LABELS
    from .painter.window import TOOL_KEYS

    tools = [(f"Mask tool: {tool}", key) for tool, key in TOOL_KEYS.items()]
    tools += [(f"Markup tool: {MARKUP_LABELS[tool].lower()}", key) for tool, key in MARKUP_KEYS.items()]
    return tools + [
        ("Brush size smaller / larger", "[ / ]"),
        ("Pan", "Space + drag"),
        ("Undo (mask or markup)", _standard(QKeySequence.StandardKey.Undo)),
        ("Redo (mask or markup)", _standard(QKeySequence.StandardKey.Redo)),
        ("Invert mask", "Ctrl+I"),
        ("Clear mask", "Ctrl+Shift+A"),
        ("Fit / 100 %", "Ctrl+0 / Ctrl+1"),
        ("Zoom in", _standard(QKeySequence.StandardKey.ZoomIn)),
        ("Zoom out", _standard(QKeySequence.StandardKey.ZoomOut)),
        ("Send the edit (quote first)", "Ctrl+Return"),
        ("Close", _native(close_keys())),
    ]


VIEWER_KEYS: list[tuple[str, str]] = [
    ("Next / previous panel", "→ / ←  (PgDn / PgUp)"),
    ("Fit / 100 %", "Ctrl+0 (or F) / Ctrl+1"),
    ("Zoom in / out", "Ctrl++ / Ctrl+-, wheel"),
    ("Close", "Ctrl+W, Esc"),  # Ctrl+W first of close_keys()
]
EVERYWHERE: list[tuple[str, str]] = [
    ("Move focus out of the prompt / back", "Tab / Shift+Tab"),
    ("Type a tab in the prompt", "Ctrl+Tab"),
    ("Move through panels", "Arrow keys, Home, End"),
    ("Recall a history entry", "Return on the entry"),
    ("Close a dialog", "Esc"),
]


def menu_keys(menu_bar: QMenuBar) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu title, [(action, keys)]) for every menu action that has a shortcut, in menu order."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for top in menu_bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        rows = [(_plain(a.text()), _keys(a)) for a in menu.actions() if isinstance(a, QAction) and _keys(a)]
        if rows:
            groups.append((_plain(top.text()), rows))
    return groups


def _native(keys: list[QKeySequence]) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys if not k.isEmpty())


def _standard(key: QKeySequence.StandardKey) -> str:
    return _native(QKeySequence.keyBindings(key))


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _keys(action: QAction) -> str:
    return _native(action.shortcuts())


class ShortcutsSheet(QDialog):
    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutsSheet")
        opening_size(self, 560, 640)
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        groups = [*menu_keys(menu_bar), ("Everywhere", EVERYWHERE)]
        groups += [("Mask painter", painter_keys()), ("Viewer", VIEWER_KEYS)]
        for title, rows in groups:
            head = QTreeWidgetItem([title, ""])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(head)
            for text, keys in rows:
                self.tree.addTopLevelItem(QTreeWidgetItem([f"    {text}", keys]))
        self.tree.resizeColumnToContents(0)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        """Every line of the sheet as (action, keys): what a reader sees."""
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [(item.text(0).strip(), item.text(1)) for item in items if item is not None]
