"""Start coroutines from Qt slots: one place that keeps references and turns failures into messages.

qasync's asyncSlot keeps no reference to its task (qasync #98) and an exception in a task nobody
awaits is lost; every coroutine the GUI starts goes through TaskRunner.start instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.errors import StudioError
from studio.core.redact import redact
from studio.service.failures import explain


def describe(what: str, exc: BaseException) -> str:
    if isinstance(exc, StudioError):
        return redact(str(exc))
    return redact(f"{what}: {explain(exc).message}")


class TaskRunner(QObject):
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._done(t, what))
        return task

    def _done(self, task: asyncio.Task[Any], what: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.failed.emit(describe(what, exc))

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
