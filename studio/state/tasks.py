"""Start coroutines from Qt slots: the one place that keeps references to them and says where their
results and failures go, in the spirit of Anki's QueryOp.

    tasks.start(coro, "Saving the caption", parent=self, success=on_saved, failure=on_failed)

qasync's asyncSlot keeps no reference to its task (qasync #98) and an exception in a task nobody awaits
is lost; every coroutine the GUI starts goes through TaskRunner.start instead. A failure goes to the
`failure` callback when one is given, else out through `failed` with the object that started the action,
so the window that asked (the painter, a dialog) shows it rather than the main window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from studio.core.errors import StudioError
from studio.core.redact import redact
from studio.service.failures import explain


def describe(what: str, exc: BaseException) -> str:
    if isinstance(exc, StudioError):
        return redact(str(exc))
    return redact(f"{what}: {explain(exc).message}")


class TaskRunner(QObject):
    failed = Signal(str, object)  # the message, and the object that started the action (None: the window)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(
        self,
        coro: Coroutine[Any, Any, Any],
        what: str,
        *,
        parent: QObject | None = None,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[str], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run `coro` on the loop. `what` names it in a failure's message; `parent` is where the failure
        is shown (its window); `success` gets the result, `failure` the message instead of `failed`."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._done(t, what, parent, success, failure))
        return task

    def _done(
        self,
        task: asyncio.Task[Any],
        what: str,
        parent: QObject | None,
        success: Callable[[Any], None] | None,
        failure: Callable[[str], None] | None,
    ) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            if success is not None:
                success(task.result())
            return
        message = describe(what, exc)
        if parent is not None and not shiboken6.isValid(parent):
            parent = None  # the window that started it is gone: the failure is shown in the main window
        if failure is not None:
            failure(message)
        else:
            self.failed.emit(message, parent)

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
