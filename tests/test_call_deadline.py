"""The overall deadline per call, as the window shows it: bytes received while an answer arrives, and the
deadline's base as a setting that the next call uses."""

from __future__ import annotations

from decimal import Decimal

from studio.core import deadline
from studio.service import events as ev


def test_the_jobs_panel_shows_bytes_received_and_when_the_call_gives_up(qapp):
    from studio.state.jobs_model import JobsModel

    model = JobsModel()
    model.apply(ev.JobQueued("j1" * 8, "g", 2, Decimal("0.02")))
    model.apply(ev.JobSent("j1" * 8, 1))
    assert model.rows[0].text().endswith("generating…")
    model.apply(ev.Receiving("j1" * 8, 1_234_567, 540.0))
    assert model.rows[0].text().endswith("receiving… 1.2 MB (gives up after 9 min)")


def test_a_placeholder_tile_shows_bytes_received(qapp):
    from studio.state.board_model import BoardModel
    from studio.state.thumbnails import ThumbnailCache

    board = BoardModel(ThumbnailCache())
    board.add_pending("job", 0, 2, 0)
    board.update_pending("job", state="generating")
    board.update_pending("job", received=48_000)
    assert [r.received for r in board.rows] == [48_000, 48_000]


def test_the_deadline_base_is_a_setting_the_next_call_uses(studio, qloop):

    from .window_helpers import until

    window = studio()
    window.open_settings()
    dialog = window.settings_dialog
    until(qloop, lambda: dialog.deadline.value() == deadline.DEFAULT_BASE_S)  # loaded from the library
    dialog.deadline.setValue(30)
    dialog.save()
    until(qloop, lambda: dialog.message.text().startswith("Saved"))
    assert qloop.run_until_complete(window.session.studio.settings.load()).deadline_base_s == 30
