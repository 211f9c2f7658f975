"""Variants and batches in the window: the template's preview with both prices, every variant sent now
in order, a batch's placeholders filling in on the board, the Batches panel, Cancel, the notification,
and a batch still open across a restart."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from .window_helpers import until


def _ticking(clock, predicate):
    """`predicate`, while the app's (injected) clock moves on a second per check: polls come due."""

    def check():
        clock.advance(dt.timedelta(seconds=1))
        return predicate()

    return check


def _prompt(window, text: str) -> None:
    window.session.prompt.load({"prompt": text, "size": "1024x1024", "quality": "low", "n": 1})


def test_a_template_previews_its_set_with_both_prices_and_errors_with_the_position(studio, qloop):
    window = studio()
    bar = window.editor.variant_bar
    assert "{a|b}" in bar.preview.text()  # the hint, before any template
    _prompt(window, "a {red|blue} kite over {dunes|sea}")
    text = bar.preview.text()
    assert "4 variants" in text and "as a batch" in text and "a red kite over dunes" in text
    p = window.session.variants.preview
    assert p.batch_max * 2 == p.now_max
    assert window.editor.generate.text().startswith("Generate 4 variants · ≤ $")
    assert "≤ $" in bar.batch.text() and bar.batch.isEnabled()
    _prompt(window, "a {red|blue kite")
    assert "never closed" in bar.preview.text() and "at character 3" in bar.preview.text()
    assert not window.editor.generate.isEnabled() and not bar.batch.isEnabled()


def test_csv_rows_fill_columns_and_a_bad_file_is_said(studio, qloop, tmp_path):
    window = studio()
    rows = tmp_path / "cast.csv"
    rows.write_text("name,colour\nMara,purple\nJo,green\nAi,gold\n", encoding="utf-8")
    _prompt(window, "{name} in a {colour} hoodie")
    assert "not a column" not in window.editor.variant_bar.preview.text()
    assert "no CSV file was given" in window.editor.variant_bar.preview.text()
    window.session.variants.set_rows_file(str(rows))
    assert window.session.variants.preview.count == 3
    assert "cast.csv · 3 rows" in window.editor.variant_bar.rows_name.text()
    bad = tmp_path / "bad.csv"
    bad.write_bytes("name\n\xff\xfe".encode("latin-1"))
    window.session.variants.set_rows_file(str(bad))
    assert "not UTF-8" in window.editor.variant_bar.preview.text()


def test_generate_sends_every_variant_now_in_the_templates_order(studio, qloop):
    window = studio()
    _prompt(window, "a {red|blue|green} kite")
    window.generate()
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 3 and all(not r.pending for r in board.rows))
    prompts = [json.loads(p["request_json"])["prompt"] for p in window.session.boards.panel_rows]
    assert prompts == ["a red kite", "a blue kite", "a green kite"]


def test_send_as_batch_fills_placeholders_and_tells_when_it_ends(studio, qloop, qtbot, sandbox, pinned_clock):
    sandbox.config.batch_seconds = 1.0
    window = studio()
    _prompt(window, "a {red|blue|green|gold} kite")
    qtbot.mouseClick(window.editor.variant_bar.batch, Qt.MouseButton.LeftButton)
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 4)  # blank placeholders at once, in the template's order
    assert all(r.path is None for r in board.rows)
    kites = ["a red kite", "a blue kite", "a green kite", "a gold kite"]
    until(qloop, lambda: [r.waiting for r in board.rows] == kites)  # each says what it waits for
    panel = window.batches
    until(qloop, lambda: panel.table.rowCount() == 1)
    assert "4 requests" in panel.detail.text()
    assert "/ ≤ $" in panel.table.item(0, 2).text()
    seen = []
    window.session.batch_watch.finished.connect(seen.append)
    until(qloop, _ticking(pinned_clock, lambda: all(r.path for r in board.rows)), timeout=40)
    until(qloop, lambda: bool(seen))
    assert "completed: 4 of 4 saved" in seen[0]
    assert window.message.text() == seen[0]
    prompts = [json.loads(p["request_json"])["prompt"] for p in window.session.boards.panel_rows]
    assert prompts == ["a red kite", "a blue kite", "a green kite", "a gold kite"]
    until(qloop, lambda: "completed, fetched" in panel.detail.text())
    assert panel.table.cellWidget(0, 1).format() == "4/4"
    assert not panel.cancel.isEnabled()


def test_cancel_from_the_panel_and_an_open_batch_survives_a_restart(studio, qloop, sandbox, pinned_clock):
    sandbox.config.batch_seconds = 30.0
    window = studio()
    _prompt(window, "a {red|blue|green|gold|white|black} kite")
    window.send_batch()
    until(qloop, lambda: window.batches.table.rowCount() == 1)
    qloop.run_until_complete(window.session.shutdown())  # quit with the batch open
    window.close()
    again = studio()
    until(qloop, lambda: again.batches.table.rowCount() == 1)
    row = again.session.batch_watch.rows[0]
    assert row["status"] in ("validating", "in_progress") and not row["fetched_at"]
    again.batches.table.selectRow(0)
    assert again.batches.cancel.isEnabled()
    QTest.mouseClick(again.batches.cancel, Qt.MouseButton.LeftButton)
    until(qloop, lambda: again.session.batch_watch.rows[0]["status"] in ("cancelling", "cancelled"))
    fetched = _ticking(pinned_clock, lambda: again.session.batch_watch.rows[0]["fetched_at"] is not None)
    until(qloop, fetched, timeout=60)
    board = again.session.board
    until(qloop, lambda: len([r for r in board.rows if r.path is None]) == 0)  # the unran ones went
    assert len(board.rows) < 6
