"""Storyboard tools: a blank panel inserted between two (a shot to fill later), a duplicate right after its
panel, both undoable; a duplicate's image is billed once in an export."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.window_helpers import generate_panels, until

CTRL = Qt.KeyboardModifier.ControlModifier


def _ids(board) -> list:
    return [r.panel_id for r in board.rows]


def test_blank_and_duplicate_panels_are_inserted_in_place_and_undone(studio, qloop, tmp_path):
    window = studio()
    board = generate_panels(window, qloop, 2, prompt="a harbour")
    first, second = _ids(board)
    window.session.boards.set_caption(first, "Dawn")
    until(qloop, lambda: board.rows[0].caption == "Dawn")
    grid = window.grid
    grid.setCurrentIndex(board.index(0))
    window.activateWindow()
    grid.setFocus()
    QTest.keyClick(grid, Qt.Key.Key_B, CTRL)  # insert a blank panel between 1 and 2
    until(qloop, lambda: len(board.rows) == 3)
    blank = board.rows[1]
    assert _ids(board)[0] == first and _ids(board)[2] == second
    assert blank.path is None and not blank.pending and blank.caption == ""
    grid.viewport().grab()  # a blank tile draws
    grid.setCurrentIndex(board.index(0))
    QTest.keyClick(grid, Qt.Key.Key_D, CTRL)  # duplicate panel 1: the copy right after it
    until(qloop, lambda: len(board.rows) == 4)
    copy = board.rows[1]
    assert copy.panel_id not in (first, second, blank.panel_id)
    assert (copy.path, copy.caption) == (board.rows[0].path, "Dawn") and not copy.starred
    assert _ids(board)[2:] == [blank.panel_id, second]
    undo = window.session.boards.undo
    undo.undo()  # the duplicate goes
    until(qloop, lambda: _ids(board) == [first, blank.panel_id, second])
    undo.redo()  # and comes back as the same panel
    until(qloop, lambda: _ids(board) == [first, copy.panel_id, blank.panel_id, second])
    # exporting: the blank panel has nothing to export; the duplicate's image is billed once
    window.export_action.trigger()
    dialog = window.export_dialog
    (tmp_path / "out").mkdir()
    dialog.destination.setText(str(tmp_path / "out"))
    for fmt, box in dialog.checks.items():
        box.setChecked(fmt == "manifest")
    dialog.start()
    until(qloop, lambda: window.exporter.folder is not None, timeout=60)
    manifest = json.loads((Path(window.exporter.folder) / "manifest.json").read_text())
    billed = [p["billed_usd"] for p in manifest["panels"]]
    assert len(billed) == 3 and billed[1] == "0" and billed[0] == billed[2] != "0"
    QApplication.processEvents()
