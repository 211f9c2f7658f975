"""Results land on the board by their events: rows are inserted and changed, the model is never reset for
an image, a re-roll's placeholder sits where its panel will land, and an edit never shows as a new tile."""

from __future__ import annotations

from PySide6.QtTest import QTest

from .window_helpers import generate_panels, painter_with_a_stroke, until


def _count(signal) -> list[int]:
    seen = [0]
    signal.connect(lambda *_: seen.__setitem__(0, seen[0] + 1))
    return seen


def test_results_are_inserted_never_reset(studio, qloop):
    window = studio()
    board = window.session.board
    resets, inserts, changes = _count(board.modelReset), _count(board.rowsInserted), _count(board.dataChanged)
    generate_panels(window, qloop, 3)
    assert resets[0] == 0 and inserts[0] >= 1 and changes[0] >= 3
    assert [r.panel_id for r in board.rows] == [p["id"] for p in window.session.boards.panel_rows]


def test_a_reroll_placeholder_sits_where_its_panel_lands(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 3)
    ids = [r.panel_id for r in board.rows]
    window.grid.setCurrentIndex(board.index(0))
    window.session.generator.reroll(ids[0])
    until(qloop, lambda: len(board.rows) == 4)
    assert board.rows[1].pending and [r.panel_id for r in board.rows[2:]] == ids[1:]  # right after panel 1
    until(qloop, lambda: not any(r.pending for r in board.rows))
    after = [r.panel_id for r in board.rows]
    assert (
        after[0] == ids[0]
        and after[2:] == ids[1:]
        and after == [p["id"] for p in window.session.boards.panel_rows]
    )


def test_an_edit_is_a_new_version_of_its_tile_never_a_new_tile(studio, qloop):
    window = studio()
    board, painter = painter_with_a_stroke(window, qloop)
    sizes, resets = [], _count(board.modelReset)
    board.rowsInserted.connect(lambda *_: sizes.append(len(board.rows)))
    QTest.keyClicks(painter.panel.prompt, "add a boat")
    painter.edit_action.trigger()
    until(qloop, lambda: board.rows[0].version == 2)
    assert sizes == [] and len(board.rows) == 1 and resets[0] == 0  # no phantom tile, no reload
    assert board.rows[0].path != window.session.boards.panel_rows[0]["original_path"]


def test_thumbnails_are_kept_in_an_lru_bounded_in_bytes(qapp, tmp_path):
    from PIL import Image

    from studio.state.thumbnails import ThumbnailCache

    paths = []
    for i in range(12):
        path = tmp_path / f"{i}.png"
        Image.new("RGB", (1024, 1024), (i * 20, 0, 0)).save(path)
        paths.append(str(path))
    cache = ThumbnailCache(budget_bytes=1 << 20)  # a 256 px RGB32 thumbnail is 256 KB: four fit
    for path in paths[:4]:
        assert cache.get(path) is not None  # decoded here: no running loop in this test
    cache.get(paths[0])  # shown again: the most recent now
    cache.get(paths[4])
    assert len(cache) == 4 and cache.bytes <= cache.budget_bytes
    kept = [p for p in paths[:5] if cache._images.get(p) is not None]
    assert paths[1] not in kept and paths[0] in kept and paths[4] in kept  # the least recently shown went
    cache.set_budget(1)  # at least 1 MB
    assert cache.budget_bytes == 1 << 20 and len(cache) == 4


def test_a_caption_or_a_star_changes_its_row_and_keeps_an_open_editor(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 3)
    resets, changed = _count(board.modelReset), []
    board.dataChanged.connect(lambda top, bottom, *_: changed.append((top.row(), bottom.row())))
    window.grid.edit(board.index(2))  # a caption being typed on panel 3 while panel 1 is starred
    ids = [r.panel_id for r in board.rows]
    window.session.boards.set_starred(ids[0], True)
    until(qloop, lambda: window.session.boards.panel_rows[0]["starred"])
    until(qloop, lambda: board.rows[0].starred)
    window.session.boards.set_caption(ids[1], "Harbour")
    until(qloop, lambda: board.rows[1].caption == "Harbour")
    assert resets[0] == 0 and {(0, 0), (1, 1)} <= set(changed)
    assert window.grid.state() == window.grid.State.EditingState  # the editor was not closed
    window.session.boards.move_panel(ids[2], 0)  # a new order still arrives whole
    until(qloop, lambda: [r.panel_id for r in board.rows] == [ids[2], ids[0], ids[1]])
    until(qloop, lambda: [p["id"] for p in window.session.boards.panel_rows] == [ids[2], ids[0], ids[1]])
