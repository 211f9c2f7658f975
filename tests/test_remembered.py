"""Remembered and honest: each board keeps its prompt and parameters across board switches and restarts,
the jobs panel shows recent jobs after a restart, a cancelled job reads "cancelled", a wait counts down."""

from __future__ import annotations

import os
from decimal import Decimal

from PySide6.QtWidgets import QStyleOptionViewItem

from studio.service import events as ev
from studio.state.jobs_model import JobRow, JobsModel
from tests.window_helpers import generate_panels, until


def _params(window) -> dict:
    v = window.session.prompt.values()
    return {k: v[k] for k in ("prompt", "size", "quality", "n", "output_format")}


def test_each_board_keeps_its_prompt_across_switches_and_restarts(studio, qloop):
    window = studio()
    session = window.session
    session.prompt.load(
        {
            "prompt": "a harbour at dawn",
            "size": "1536x1024",
            "quality": "medium",
            "n": 3,
            "output_format": "webp",
        }
    )
    harbour = _params(window)
    qloop.run_until_complete(session.boards.select("Second board"))
    assert _params(window) == harbour  # a new board starts from what the prompt holds
    session.prompt.set("prompt", "a forest path")
    session.prompt.set("n", 1)
    forest = _params(window)
    qloop.run_until_complete(session.boards.select("Untitled board"))
    until(qloop, lambda: _params(window) == harbour)  # the first board's own prompt is back
    assert window.editor.prompt.toPlainText() == "a harbour at dawn"
    qloop.run_until_complete(session.boards.select("Second board"))
    until(qloop, lambda: _params(window) == forest)
    session.prompt.set("prompt", "a forest path in fog")  # typed just before quitting
    qloop.run_until_complete(session.shutdown())
    window.close()
    again = studio()  # a restart opens the board shown last, with its prompt as it was left
    assert again.session.boards.board_name == "Second board"
    assert _params(again) == {**forest, "prompt": "a forest path in fog"}
    assert again.editor.prompt.toPlainText() == "a forest path in fog"
    qloop.run_until_complete(again.session.boards.select("Untitled board"))
    until(qloop, lambda: _params(again) == harbour)


def test_recent_jobs_are_listed_after_a_restart(studio, qloop):
    window = studio()
    generate_panels(window, qloop, 2, prompt="a kite")
    jobs = window.session.jobs  # the job's JobSaved may follow its images' ImageSaved by a loop turn
    until(qloop, lambda: [r.state for r in jobs.rows] == ["saved"])
    saved = jobs.rows
    qloop.run_until_complete(window.session.shutdown())
    window.close()
    again = studio()
    rows = again.session.jobs.rows
    assert [(r.job_id, r.state) for r in rows] == [(saved[0].job_id, "saved")]
    assert "saved · billed $" in again.jobs.list.model().index(0).data()


def test_a_cancelled_job_reads_cancelled_and_a_wait_counts_down(qapp):
    model = JobsModel()
    model.apply(ev.JobQueued("job-a", "group-a", 2, Decimal("0.10")))
    model.apply(ev.JobFailed("job-a", "cancelled", "Cancelled before it was sent: nothing was spent.", None))
    assert model.rows[0].state == "cancelled" and "cancelled" in model.rows[0].text()
    assert "failed" not in model.rows[0].text()
    model.apply(ev.JobFailed("job-b", "server", "The server failed.", "req_1"))
    assert model.rows[0].text().endswith("failed: The server failed.")
    wait = JobRow("job-c", "waiting", message="pacing for the rate limit: next call", wait_until=100.0)
    assert wait.text(now=66.0).endswith("next call in 34 s")
    assert wait.text(now=84.5).endswith("next call in 16 s")  # counts down: one number, no second clock
    assert wait.text(now=100.0).endswith("next call now")
    assert ev.RateLimited("job-c", 12.0, "rate-limited, retrying").message == "rate-limited, retrying in 12 s"


def test_job_rows_are_drawn_with_a_state_pill_and_wrap(studio, qloop):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QImage, QPainter

    from studio.ui.job_rows import PILLS

    window = studio()
    generate_panels(window, qloop, 1, prompt="a kite")
    jobs = window.session.jobs
    jobs.apply(ev.JobFailed("job-long", "server", "The server failed. " * 12, "req_9"))
    view = window.jobs.list
    delegate = view.itemDelegate()
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.widget = view
    option.rect = QRect(0, 0, 300, 400)
    saved_h = delegate.sizeHint(option, jobs.index(1)).height()
    failed_h = delegate.sizeHint(option, jobs.index(0)).height()
    assert failed_h > 3 * saved_h / 2  # the long message wraps onto more lines instead of being cut
    for row, state in ((0, "failed"), (1, "saved")):  # each row drawn: its state's pill, its word in it
        image = QImage(300, delegate.sizeHint(option, jobs.index(row)).height(), QImage.Format.Format_RGB32)
        image.fill(0)
        painter = QPainter(image)
        option.rect = image.rect()
        delegate.paint(painter, option, jobs.index(row))
        painter.end()
        if os.environ.get("SCREENSHOT_DIR"):
            image.save(os.path.join(os.environ["SCREENSHOT_DIR"], f"jobs-row-{state}.png"))
        colour = PILLS[state][1]
        centre = image.pixelColor(6 + 10, 6 + 8)  # inside the pill, left of its word
        assert abs(centre.red() - colour.red()) + abs(centre.green() - colour.green()) < 30, (state, centre)
