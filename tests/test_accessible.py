"""Every interactive widget of the main window, the painter, the viewer, compare, the animatic, Settings
and the export dialog has an accessible name (its own, its text, or its form label's, as assistive
technology reads it through QAccessible)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from tests.window_helpers import generate_panels, until

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)


def unnamed(root: QWidget) -> list[str]:
    """Interactive widgets under `root` (shown ones) that assistive technology would read without a name."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox | QAbstractSpinBox):
            continue  # the combo box's or spin box's own editor: its owner carries the name
        if widget.objectName() in (
            "qt_scrollarea_hcontainer",
            "qt_scrollarea_vcontainer",
            "qt_toolbar_ext_button",
        ):
            continue
        if type(widget).__name__ in ("QScrollBar", "QToolBarExtension", "QDockWidgetTitleButton"):
            continue  # Qt's own parts, named by Qt
        face = QAccessible.queryAccessibleInterface(widget)
        name = face.text(QAccessible.Text.Name) if face is not None else ""
        if not name.strip():
            missing.append(
                f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.window()).__name__}"
            )
    return missing


def test_every_interactive_widget_is_named(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 2, prompt="a harbour")
    missing = unnamed(window)
    window.settings_action.trigger()
    until(qloop, lambda: window.settings_dialog.isVisible())
    missing += unnamed(window.settings_dialog)
    window.settings_dialog.close()
    window.export_action.trigger()
    missing += unnamed(window.export_dialog)
    window.export_dialog.close()
    window.grid.setCurrentIndex(board.index(0))
    window.open_panel()
    missing += unnamed(window.viewers[-1])
    window.viewers[-1].close()
    selection = window.grid.selectionModel()
    for row in (0, 1):
        selection.select(board.index(row), QItemSelectionModel.SelectionFlag.Select)
    window.compare_panels()
    missing += unnamed(window.compare_window)
    window.compare_window.close()
    window.play_animatic()
    missing += unnamed(window.animatic_window)
    window.animatic_window.close()
    window.grid.setCurrentIndex(board.index(0))
    window.paint_action.trigger()
    until(qloop, lambda: bool(window.painter_windows))
    missing += unnamed(window.painter_windows[-1])
    window.painter_windows[-1].close()
    assert missing == [], "\n".join(missing)
