"""Errors from an async action reach the window that started it (TaskRunner.start's parent), and a
success callback gets the result: one helper for every task the GUI starts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject

from studio.state.tasks import TaskRunner

from .window_helpers import painter_with_a_stroke, until


def test_a_failure_goes_to_the_callback_or_out_with_who_started_it(qloop):
    runner, owner = TaskRunner(), QObject()
    routed: list[tuple[str, object]] = []
    runner.failed.connect(lambda text, parent: routed.append((text, parent)))

    async def boom() -> None:
        raise OSError(28, "No space left on device")

    async def fine() -> int:
        return 7

    got: list[object] = []
    tasks = [
        runner.start(boom(), "Saving the caption", parent=owner),
        runner.start(boom(), "Exporting", failure=got.append),
        runner.start(fine(), "Counting", success=got.append),
    ]
    qloop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    until(qloop, lambda: len(got) == 2 and len(routed) == 1)
    assert routed[0][1] is owner and routed[0][0].startswith("Saving the caption:")
    assert "No space left on device" in routed[0][0]
    assert any(isinstance(g, str) and g.startswith("Exporting:") for g in got) and 7 in got
    assert runner.running == 0  # no reference kept once done


def test_a_failed_painter_action_is_shown_in_the_painter_not_the_main_window(studio, qloop, sandbox):
    window = studio()
    board, painter = painter_with_a_stroke(window, qloop)
    version = Path(painter.controller.versions[0]["path"])
    version.write_bytes(b"not an image any more")  # a file damaged behind the studio's back
    window.message.setVisible(False)
    painter.panel.version_picked.emit(0)  # what a click in the versions list says
    until(qloop, lambda: "showing a version" in painter.statusBar().currentMessage())
    assert not window.message.isVisible()  # the main window stays quiet: the painter asked


def test_a_failure_after_its_window_was_closed_goes_to_the_main_window(qloop):
    runner, owner = TaskRunner(), QObject()
    routed: list[tuple[str, object]] = []
    runner.failed.connect(lambda text, parent: routed.append((text, parent)))
    gate = asyncio.Event()

    async def late_boom() -> None:
        await gate.wait()
        raise OSError(5, "Input/output error")

    task = runner.start(late_boom(), "Showing the result", parent=owner)
    owner.deleteLater()  # the window that started it closes (its C++ object goes) before the failure
    until(qloop, lambda: not shiboken6.isValid(owner))
    gate.set()
    qloop.run_until_complete(asyncio.gather(task, return_exceptions=True))
    until(qloop, lambda: len(routed) == 1)
    assert routed[0][1] is None and "Input/output error" in routed[0][0]


def test_closing_the_painter_while_a_result_loads_raises_nothing(studio, qloop):
    window = studio()
    board, painter = painter_with_a_stroke(window, qloop)
    errors: list[str] = []
    window.session.tasks.failed.connect(lambda text, _parent: errors.append(text))
    painter._display(board.rows[0].path, "showing the result")  # a decode still running...
    painter.close()  # ...when the user closes the painter
    until(qloop, lambda: not window.painter_windows)
    qloop.run_until_complete(asyncio.sleep(0.3))  # the decode's thread would have finished by now
    assert errors == [] and not window.message.isVisible()
