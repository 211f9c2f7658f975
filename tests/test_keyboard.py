"""Keyboard-first: focus leaves the prompt with Tab, every action has a key and the sheet lists it, captions
are edited only from F2 or the caption itself, the viewer steps through the board, the same zoom keys
everywhere, Close in the painter and the viewer."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.window_helpers import generate_panels, until

CTRL = Qt.KeyboardModifier.ControlModifier


def _double_click(widget, at) -> None:
    """Press, release, double-click, release, as a real mouse sends them (QTest.mouseDClick sends no press
    first in Qt 6, so a view never sees a double-click on the item it pressed)."""
    for kind, buttons in (
        (QEvent.Type.MouseButtonPress, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
        (QEvent.Type.MouseButtonDblClick, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
    ):
        point = QPointF(at)
        event = QMouseEvent(
            kind,
            point,
            widget.mapToGlobal(point),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, event)


def _caption_editor(grid) -> QLineEdit:
    (editor,) = [e for e in grid.viewport().findChildren(QLineEdit) if e.isVisible()]
    return editor


def _focus(window, widget) -> None:
    window.activateWindow()
    widget.setFocus()
    QApplication.processEvents()


def test_tab_leaves_the_prompt_and_ctrl_tab_types_one(studio, qtbot):
    window = studio()
    prompt = window.editor.prompt
    _focus(window, prompt)
    QTest.keyClicks(prompt, "a kite")
    QTest.keyClick(prompt, Qt.Key.Key_Tab)
    assert prompt.toPlainText() == "a kite"  # no tab typed
    assert QApplication.focusWidget() is not prompt
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is prompt
    QTest.keyClick(prompt, Qt.Key.Key_Tab, CTRL)
    assert prompt.toPlainText() == "a kite\t" and QApplication.focusWidget() is prompt


def test_every_action_has_a_key_listed_in_the_sheet(studio, qloop):
    window = studio()
    assert QKeySequence("Ctrl+,") in window.settings_action.shortcuts()  # Settings on every platform
    window.shortcuts_action.trigger()
    sheet = window.shortcuts_sheet
    rows = sheet.rows()
    listed = " | ".join(keys for _, keys in rows)
    native = QKeySequence.SequenceFormat.NativeText
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            if not key.isEmpty() and action.text():
                assert key.toString(native) in listed, f"{action.text()} ({key.toString()}) not in the sheet"
    names = [name for name, _ in rows]
    assert "Settings" in names and "Keyboard shortcuts" in names and "Mask painter" in names
    sheet.close()


def test_captions_start_only_from_f2_or_the_caption_and_return_only_commits(studio, qloop, qtbot):
    window = studio()
    board = generate_panels(window, qloop, 2)
    grid = window.grid
    grid.setCurrentIndex(board.index(0))
    _focus(window, grid)
    # a click on the selected tile, then S: the panel is starred, no caption was started or replaced
    centre = grid.visualRect(board.index(0)).center()
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.keyClick(grid, Qt.Key.Key_S)
    until(qloop, lambda: board.rows[0].starred)
    assert board.rows[0].caption == "" and grid.state() != grid.State.EditingState
    # a double-click on the image opens the viewer, not an editor
    _double_click(grid.viewport(), centre)
    assert len(window.viewers) == 1 and grid.state() != grid.State.EditingState
    window.viewers[0].close()
    until(qloop, lambda: not window.viewers)
    _focus(window, grid)
    # a double-click on the caption edits it; Return commits and opens nothing
    caption = grid.caption_rect(board.index(1)).center()
    _double_click(grid.viewport(), caption)
    until(qloop, lambda: grid.state() == grid.State.EditingState)
    editor = _caption_editor(grid)
    QTest.keyClicks(editor, "Harbour at dawn")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    until(qloop, lambda: board.rows[1].caption == "Harbour at dawn")
    assert not window.viewers  # Return committed and did nothing else
    # F2 edits too, and Esc cancels without a change
    grid.setCurrentIndex(board.index(1))
    _focus(window, grid)
    QTest.keyClick(grid, Qt.Key.Key_F2)
    until(qloop, lambda: grid.state() == grid.State.EditingState)
    editor = _caption_editor(grid)
    QTest.keyClicks(editor, "zzz")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    until(qloop, lambda: grid.state() != grid.State.EditingState)
    assert board.rows[1].caption == "Harbour at dawn" and not window.viewers


def test_viewer_steps_through_the_board_with_the_same_zoom_keys(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 3, prompt="a lighthouse")
    window.grid.setCurrentIndex(board.index(0))
    window.open_panel()
    viewer = window.viewers[-1]
    assert viewer.windowTitle().startswith("Panel 1")
    assert "Panel 1 of 3" in viewer.details.text() and "a lighthouse" in viewer.details.text()
    until(qloop, lambda: not viewer.view.item.pixmap().isNull())
    viewer.activateWindow()
    QTest.keyClick(viewer, Qt.Key.Key_1, CTRL)  # 1:1
    assert viewer.view.scale_factor == 1.0
    QTest.keyClick(viewer, Qt.Key.Key_0, CTRL)  # fit, as in the painter
    assert viewer.view.scale_factor < 1.0  # a 1024² image in a 1000×700 window
    QTest.keyClick(viewer, Qt.Key.Key_Left)  # the first panel: nothing before it
    assert viewer.windowTitle().startswith("Panel 1")
    QTest.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.windowTitle().startswith("Panel 2") and window.grid.currentIndex().row() == 1
    assert viewer.path == board.rows[1].path
    QTest.keyClick(viewer, Qt.Key.Key_PageDown)
    QTest.keyClick(viewer, Qt.Key.Key_Right)  # the last panel: stays
    assert viewer.windowTitle().startswith("Panel 3") and viewer.path == board.rows[2].path
    until(qloop, lambda: not viewer.view.item.pixmap().isNull())
    QTest.keyClick(viewer, Qt.Key.Key_W, CTRL)
    until(qloop, lambda: not window.viewers)


def test_painter_keys_title_and_close(studio, qloop):
    from studio.ui.shortcuts_sheet import painter_keys

    window = studio()
    board = generate_panels(window, qloop, 2)
    first = board.rows[0].panel_id
    window.session.boards.trash(first)
    until(qloop, lambda: len(board.rows) == 1)
    window.grid.setCurrentIndex(board.index(0))
    window.paint_action.trigger()
    until(qloop, lambda: bool(window.painter_windows))
    painter = window.painter_windows[-1]
    # the grid's number (1), never the library's id (2)
    assert painter.windowTitle() == "Mask Painter — panel 1" and board.rows[0].panel_id != 1
    listed = " | ".join(keys for _, keys in painter_keys())
    for action in painter.findChildren(QAction):
        for key in action.shortcuts():
            if not key.isEmpty():
                text = key.toString(QKeySequence.SequenceFormat.NativeText)
                assert text in listed, f"painter's {action.text()} ({text}) not in the sheet"
    assert painter.opacity.minimum() == 0  # the overlay can be hidden
    painter.activateWindow()
    QTest.keyClick(painter, Qt.Key.Key_W, CTRL)
    until(qloop, lambda: not window.painter_windows)


def test_history_entry_opens_with_return(studio, qloop):
    window = studio()
    generate_panels(window, qloop, 1, prompt="a red kite over hills")
    window.session.prompt.set("prompt", "something else")
    history = window.editor.history
    until(qloop, lambda: history.count() >= 1)
    history.setCurrentRow(0)
    _focus(window, history)
    QTest.keyClick(history, Qt.Key.Key_Return)
    assert window.session.prompt.value("prompt") == "a red kite over hills"
