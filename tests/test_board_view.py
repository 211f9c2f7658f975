"""The grid fills its width, its tile size follows the slider and Ctrl+= / Ctrl+-, it can show only the
starred panels, and new results scroll into view on a full board."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.window_helpers import generate_panels, until

CTRL = Qt.KeyboardModifier.ControlModifier


def _visible_rows(grid) -> list[int]:
    return [i for i in range(grid.board_model.rowCount()) if not grid.isRowHidden(i)]


def test_columns_fill_the_width_and_follow_the_tile_size(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 6)
    grid, tools = window.grid, window.view_tools
    window.resize(1600, 900)
    QApplication.processEvents()
    before = grid.columns
    used = before * (grid.thumb_edge + 24)
    assert abs(grid.viewport().width() - used) < grid.thumb_edge  # no column's width left blank
    window.activateWindow()
    grid.setFocus()
    QTest.keyClick(grid, Qt.Key.Key_Equal, CTRL)  # larger tiles: fewer columns
    QTest.keyClick(grid, Qt.Key.Key_Equal, CTRL)
    assert tools.slider.value() == 224 + 64 and grid.columns < before
    for _ in range(6):
        QTest.keyClick(grid, Qt.Key.Key_Minus, CTRL)
    assert tools.slider.value() == 96 and grid.columns > before
    tools.slider.setValue(224)
    QApplication.processEvents()
    tile = grid.visualRect(board.index(0)).width()  # the tiles drawn follow the edge the grid fitted
    assert grid.thumb_edge <= tile <= grid.thumb_edge + 24


def test_starred_only_filters_the_grid(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 4)
    ids = [r.panel_id for r in board.rows]
    window.session.boards.set_starred(ids[1], True)
    until(qloop, lambda: board.rows[1].starred)
    window.view_tools.starred_action.trigger()
    assert _visible_rows(window.grid) == [1]
    window.session.boards.set_starred(ids[3], True)  # starring another shows it at once
    until(qloop, lambda: _visible_rows(window.grid) == [1, 3])
    window.session.boards.set_starred(ids[1], False)
    until(qloop, lambda: _visible_rows(window.grid) == [3])
    window.view_tools.starred_action.trigger()
    assert _visible_rows(window.grid) == [0, 1, 2, 3]


def test_new_results_scroll_into_view_on_a_full_board(studio, qloop):
    window = studio()
    window.resize(1100, 720)
    board = generate_panels(window, qloop, 10)
    grid = window.grid
    grid.scrollToTop()
    QApplication.processEvents()
    assert grid.verticalScrollBar().maximum() > 0  # the board is taller than the view
    window.session.prompt.load({"prompt": "more", "size": "1024x1024", "quality": "low", "n": 1})
    window.generate()
    until(qloop, lambda: len(board.rows) == 11)
    until(qloop, lambda: grid.viewport().rect().intersects(grid.visualRect(board.index(10))))
    until(qloop, lambda: not board.rows[10].pending)
