"""The studio window over a real Session, the qasync loop and the embedded sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from studio.ui.sandbox_banner import SANDBOX_TEXT

from .window_helpers import generate_panels, until

ROOT = Path(__file__).resolve().parents[1]


def test_start_state_title_banner_and_focus(studio, qloop):
    window = studio()
    assert window.windowTitle() == "Asset Studio — Untitled board"
    assert (
        window.banner is not None
        and window.banner.label.text() == SANDBOX_TEXT
        and window.banner.button.isVisible()
    )
    assert window.focusWidget() is window.editor.prompt  # typing starts a prompt at once
    assert not window.editor.generate.isEnabled()  # nothing typed yet


def test_full_flow_generate_caption_reorder_restart(studio, qloop, qtbot):
    window = studio()
    QTest.keyClicks(window.editor.prompt, "A lighthouse at dusk")
    window.editor.size_box.setCurrentText("1024x1024")
    window.editor.quality.setCurrentText("low")
    window.editor.n.setValue(3)
    assert window.editor.generate.isEnabled() and "≤ $" in window.editor.generate.text()
    qtbot.mouseClick(window.editor.generate, Qt.MouseButton.LeftButton)
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 3 and all(not r.pending for r in board.rows))
    ids = [r.panel_id for r in board.rows]
    assert board.setData(board.index(0), "Establishing shot")
    mime = board.mimeData([board.index(0)])
    board.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, board.index(-1))  # drag panel 1 to the end
    until(qloop, lambda: [r.panel_id for r in board.rows] == [ids[1], ids[2], ids[0]])
    until(qloop, lambda: window.session.costs.state.last_billed is not None)
    assert "sandbox, not charged" in window.costs.last.text()
    library_order = [ids[1], ids[2], ids[0]]
    until(  # the caption and the move reached the library (the board is reloaded from it after each)
        qloop,
        lambda: (
            [p["id"] for p in window.session.boards.panel_rows] == library_order
            and window.session.boards.panel_rows[2]["caption"] == "Establishing shot"
        ),
    )
    window.close()
    qloop.run_until_complete(window.session.shutdown())

    again = studio()  # restart: everything is still there
    rows = again.session.board.rows
    assert [r.panel_id for r in rows] == [ids[1], ids[2], ids[0]]
    assert rows[2].caption == "Establishing shot"
    assert again.editor.history.count() == 1 and "A lighthouse at dusk" in again.editor.history.item(0).text()


def test_invalid_size_blocks_generate_and_offers_the_nearest(studio):
    window = studio()
    window.editor.prompt.setPlainText("x")
    window.editor.size_box.setCurrentText("1000x1000")
    assert not window.editor.generate.isEnabled()
    assert "multiples of 16" in window.editor.error.text()
    assert window.editor.nearest.isVisible() and window.editor.nearest.text() == "Use 1008x1008"
    window.editor.nearest.click()
    assert window.session.prompt.value("size") == "1008x1008" and window.editor.generate.isEnabled()


def test_over_budget_is_refused_in_the_window_with_the_numbers(studio, qloop, sandbox):
    from decimal import Decimal

    window = studio(is_sandbox=False)
    qloop.run_until_complete(window.session.studio.costs.set_cap("day", Decimal("0.001")))
    window.session.prompt.load({"prompt": "x", "size": "1024x1024", "quality": "low"})
    window.generate()
    until(qloop, lambda: window.message.isVisible())
    assert "daily cap is $0.001" in window.message.text() and "is left" in window.message.text()
    assert not any(r["path"].startswith("/v1/images") for r in sandbox.sandbox.requests)


def test_failures_are_shown_and_unknown_jobs_can_be_resent(studio, qloop, sandbox):
    window = studio()
    sandbox.config.faults.push("moderation_input")
    window.session.prompt.load({"prompt": "x", "size": "1024x1024", "quality": "low"})
    window.generate()
    until(qloop, lambda: window.message.isVisible())
    assert "input stage" in window.message.text()
    sandbox.config.faults.push("drop")
    window.generate()
    jobs = window.session.jobs
    try:
        until(qloop, lambda: any(r.state == "unknown" for r in jobs.rows))
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; jobs: {[r.text() for r in jobs.rows]}; sandbox: {list(sandbox.sandbox.requests)}; msg "
            f"{window.message.text()!r}"
        ) from None
    row = next(i for i, r in enumerate(jobs.rows) if r.state == "unknown")
    window.jobs.list.setCurrentIndex(jobs.index(row))
    assert (
        window.jobs.resend.isEnabled()
        and window.jobs.dismiss.isEnabled()
        and not window.jobs.cancel.isEnabled()
    )
    window.jobs.resend.click()
    try:
        until(qloop, lambda: len(window.session.board.rows) == 1 and not window.session.board.rows[0].pending)
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; message: {window.message.text()!r}; jobs: {[r.text() for r in jobs.rows]}"
        ) from None


def test_delete_goes_to_trash_and_undo_brings_it_back(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 2)
    window.grid.setCurrentIndex(board.index(0))
    window.delete_action.trigger()
    until(qloop, lambda: len(board.rows) == 1)
    window.undo_action.trigger()
    until(qloop, lambda: len(board.rows) == 2)
    window.grid.setCurrentIndex(board.index(0))
    window.star_action.trigger()
    until(qloop, lambda: board.rows[0].starred)


def test_presets_and_history_recall(studio, qloop):
    window = studio()
    s = window.session
    s.prompt.load({"prompt": "poster", "size": "1536x1024", "quality": "high"})
    s.prompts.save_preset("Posters")
    until(qloop, lambda: [name for name, _ in s.prompts.presets] == ["Posters"])
    s.prompt.load({"prompt": "other", "size": "1024x1024", "quality": "low"})
    s.prompts.load_preset("Posters")
    assert (s.prompt.value("size"), s.prompt.value("quality")) == ("1536x1024", "high")
    s.prompts.rename_preset("Posters", "Big posters")
    until(qloop, lambda: [name for name, _ in s.prompts.presets] == ["Big posters"])


def test_thumbnails_are_small(studio, qloop):
    window = studio()
    window.session.prompt.load({"prompt": "x", "size": "3840x2160", "quality": "low"})
    window.generate()
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 1 and not board.rows[0].pending)
    board.data(board.index(0), Qt.ItemDataRole.DecorationRole)
    until(qloop, lambda: board.data(board.index(0), Qt.ItemDataRole.DecorationRole) is not None)
    image = board.data(board.index(0), Qt.ItemDataRole.DecorationRole)
    assert max(image.width(), image.height()) <= 256


def test_settings_store_the_key_and_caps(studio, qloop, isolated):
    window = studio()
    window.open_settings()
    dialog = window.settings_dialog
    qloop.run_until_complete(dialog.loaded)
    dialog.base_url.setText(window.session.service.endpoint.base_url)
    dialog.key.setText("sk-settings-" + "k" * 30)
    dialog.check_and_store()
    until(qloop, lambda: "Stored in the OS keyring" in dialog.message.text())
    assert dialog.key.text() == "" and "kkkk" not in dialog.message.text()
    until(qloop, lambda: "Key in use: the OS keyring" in dialog.key_status.text())
    assert not window.session.sandbox  # used at once, no restart
    assert isolated.store[("asset-studio", "openai-api-key")].startswith("sk-settings-")
    dialog.caps["day"].setText("2.50")
    dialog.save()
    until(qloop, lambda: window.session.costs.state.cap_day is not None)
    assert str(window.session.costs.state.cap_day) == "2.50" and window.costs.bars["day"].isVisibleTo(
        window.costs
    )


def test_quit_shortcut_closes_and_journals(studio, qloop, qtbot):
    window = studio()
    with qtbot.waitSignal(window.closed, timeout=2000):
        window.quit_action.trigger()


def test_gui_entry_point_starts_the_sandbox_and_exits_0():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run(
        [sys.executable, "-m", "studio", "--smoke"], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert "title='Asset Studio — Untitled board'" in r.stdout and "sandbox=True" in r.stdout


def test_reroll_is_quoted_first_and_lands_after_its_panel(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 2)
    first, second = board.rows[0].panel_id, board.rows[1].panel_id
    window.grid.setCurrentIndex(board.index(0))
    window.reroll_action.trigger()
    box = window.reroll_box
    assert "at most $0.00" in box.text() and box.isVisible()
    box.accept()
    until(qloop, lambda: len(board.rows) == 3 and all(not r.pending for r in board.rows))
    assert board.rows[0].panel_id == first and board.rows[2].panel_id == second
