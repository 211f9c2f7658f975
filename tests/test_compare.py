"""Compare: two to four selected panels side by side, zoom and pan in step; a swipe and an onion skin for
two; a panel with an edit compared with its previous version; several selected panels starred at once."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from studio.service.api.boards import NewVersion
from tests.window_helpers import generate_panels, until

CTRL = Qt.KeyboardModifier.ControlModifier


def _select(grid, rows) -> None:
    """Ctrl+click on each of `rows`: the last one current, all of them selected."""
    selection, model = grid.selectionModel(), grid.board_model
    selection.setCurrentIndex(model.index(rows[-1]), QItemSelectionModel.SelectionFlag.NoUpdate)
    selection.clearSelection()
    for r in rows:
        selection.select(model.index(r), QItemSelectionModel.SelectionFlag.Select)
    assert sorted(i.row() for i in selection.selectedIndexes()) == sorted(rows)


def _loaded(window) -> bool:
    return all(not v.item.pixmap().isNull() for v in window.views)


def test_compare_side_by_side_in_step_then_swipe_and_onion(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 3, prompt="a lighthouse")
    _select(window.grid, [0, 2])
    window.activateWindow()
    window.grid.setFocus()
    QTest.keyClick(window.grid, Qt.Key.Key_C)
    compare = window.compare_window
    until(qloop, lambda: _loaded(compare))
    assert [c.text().split(" ·")[0] for c in compare.captions] == ["Panel 1", "Panel 3"]
    a, b = compare.views
    compare.activateWindow()
    QTest.keyClick(compare, Qt.Key.Key_1, CTRL)  # 1:1 in both
    assert a.scale_factor == b.scale_factor == 1.0
    a.horizontalScrollBar().setValue(a.horizontalScrollBar().maximum())  # pan one: the other follows
    a.verticalScrollBar().setValue(37)
    assert b.horizontalScrollBar().value() == a.horizontalScrollBar().value() > 0
    assert b.verticalScrollBar().value() == 37
    b.zoom(0.5)  # zooming either one zooms both
    assert a.scale_factor == b.scale_factor == 0.5
    QTest.keyClick(compare, Qt.Key.Key_0, CTRL)
    assert a.scale_factor == b.scale_factor < 1.0
    # swipe: the divider decides which image shows in the middle
    compare.set_mode("swipe")
    overlay = compare.overlay
    assert compare.stack.currentWidget() is overlay and compare.slider.isEnabled()
    centre = overlay.image_rect().center().toPoint()
    compare.slider.setValue(0)
    after = overlay.grab().toImage().pixelColor(centre)
    compare.slider.setValue(100)
    before = overlay.grab().toImage().pixelColor(centre)
    assert after != before
    QTest.keyClick(compare, Qt.Key.Key_Left)  # ←/→ move the divider
    assert compare.slider.value() == 95
    # onion skin: halfway is between the two
    compare.set_mode("onion")
    compare.slider.setValue(50)
    mid = overlay.grab().toImage().pixelColor(centre)
    for channel in ("red", "green", "blue"):
        lo, hi = sorted((getattr(before, channel)(), getattr(after, channel)()))
        assert lo - 2 <= getattr(mid, channel)() <= hi + 2
    QTest.keyClick(compare, Qt.Key.Key_W, CTRL)
    QApplication.processEvents()
    assert board.rows[0].path  # nothing on the board changed


def test_one_panel_compares_its_previous_version_and_several_are_starred_at_once(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 3, prompt="a harbour")
    first = board.rows[0]
    studio_boards = window.session.studio.boards
    edited = NewVersion(kind="edit", path=board.rows[1].path, prompt="make it night")
    qloop.run_until_complete(studio_boards.add_version(first.panel_id, edited))
    _select(window.grid, [0])
    window.compare_action.trigger()
    until(qloop, lambda: getattr(window, "compare_window", None) is not None)
    compare = window.compare_window
    until(qloop, lambda: _loaded(compare))
    labels = [c.text().split(" ·")[0] for c in compare.captions]
    assert labels == ["Panel 1", "Panel 1"] and "v1" in compare.captions[0].text()
    assert "v2" in compare.captions[1].text()
    compare.close()
    # Ctrl-selected panels are starred together, and one undo unstars them all
    _select(window.grid, [0, 2])
    window.star_action.trigger()
    until(qloop, lambda: [r.starred for r in board.rows] == [True, False, True])
    window.session.boards.undo.undo()
    until(qloop, lambda: not any(r.starred for r in board.rows))


def test_several_selected_panels_are_re_rolled_and_exported_together(studio, qloop, tmp_path):
    import json
    from pathlib import Path

    window = studio()
    board = generate_panels(window, qloop, 3, prompt="a harbour")
    first, second, third = (r.panel_id for r in board.rows)
    _select(window.grid, [0, 2])
    window.reroll_action.trigger()  # one question for both, with their summed quote
    box = window.reroll_box
    assert "Re-roll 2 panels" in box.text() and "at most $" in box.text()
    box.accept()
    until(qloop, lambda: len(board.rows) == 5 and not any(r.pending for r in board.rows))
    ids = [r.panel_id for r in board.rows]
    assert ids[0] == first and ids[2] == second and ids[3] == third  # each new one right after its panel
    # export only the selection: two panels, numbered 1 and 2, in board order
    window.session.boards.set_starred(second, True)
    until(qloop, lambda: board.rows[2].starred)
    _select(window.grid, [3, 0])
    window.export_action.trigger()
    dialog = window.export_dialog
    labels = [dialog.which.itemText(i) for i in range(dialog.which.count())]
    assert labels == ["Every panel on the board", "Only the 2 selected panels", "Only the 1 starred panel"]
    dialog.which.setCurrentIndex(1)
    for fmt, box in dialog.checks.items():
        box.setChecked(fmt in ("manifest", "png"))
    (tmp_path / "out").mkdir()
    dialog.destination.setText(str(tmp_path / "out"))
    dialog.start()
    until(qloop, lambda: window.exporter.folder is not None, timeout=60)
    folder = Path(window.exporter.folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [p["number"] for p in manifest["panels"]] == [1, 2]
    assert sorted(p.name for p in folder.glob("*.png")) == ["01-panel.png", "02-panel.png"]
