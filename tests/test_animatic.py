"""The animatic preview plays the board in the app: each panel held for its own duration with its number
and caption, Space pauses, arrows step, it loops or stops at the end. The timer's intervals are checked,
and its time-outs fired by hand: no test waits on the clock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.window_helpers import generate_panels, until


def test_the_animatic_holds_each_panel_for_its_duration(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 3, prompt="a lighthouse")
    ids = [r.panel_id for r in board.rows]
    window.session.boards.set_fields(ids[1], duration=3.5)
    window.session.boards.set_caption(ids[1], "The keeper climbs")
    until(qloop, lambda: board.rows[1].duration == 3.5 and board.rows[1].caption)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F5)
    player = window.animatic_window
    assert player.isVisible() and player.index == 0 and player.playing
    assert player.timer.isActive() and player.timer.interval() == 2000  # panel 1: 2 s (the default)
    until(qloop, lambda: player.screen_view.image is not None)  # decoded off the GUI thread
    assert "0:00.0 of 0:07.5" in player.position.text()
    player.timer.timeout.emit()  # its time is up
    assert player.index == 1 and player.timer.interval() == 3500
    assert player.screen_view.text == "2. The keeper climbs"
    until(qloop, lambda: player.screen_view.image is not None)
    assert "Panel 2 · 2 of 3 · 3.5 s · 0:02.0 of 0:07.5" in player.position.text()
    player.activateWindow()
    QTest.keyClick(player, Qt.Key.Key_Space)  # pause: nothing moves on
    assert not player.playing and not player.timer.isActive() and player.play_button.text() == "Play"
    QTest.keyClick(player, Qt.Key.Key_Right)  # a step while paused
    assert player.index == 2 and not player.timer.isActive()
    QTest.keyClick(player, Qt.Key.Key_Space)
    player.timer.timeout.emit()  # the end, looping: the first panel again
    assert player.index == 0 and player.playing
    QTest.keyClick(player, Qt.Key.Key_L)  # loop off: the end stops it
    QTest.keyClick(player, Qt.Key.Key_Left)
    player.go(2)
    player.timer.timeout.emit()
    assert player.index == 2 and not player.playing and player.play_button.text() == "Play"
    closed: list[int] = []
    player.finished.connect(closed.append)
    QTest.keyClick(player, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    until(qloop, lambda: bool(closed))
