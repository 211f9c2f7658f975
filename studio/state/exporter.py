"""Exporting the current board off the GUI thread, with progress and cancel."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.service.api import FORMATS, ExportCancelled, ExportOptions, Exports

from .board_controller import BoardController
from .tasks import TaskRunner, describe

__all__ = [
    "FORMATS",
    "ExportOptions",
    "Exporter",
]  # the dialog builds options from these, never from the service


class Exporter(QObject):
    progress = Signal(float, str)
    finished = Signal(str)  # the finished folder
    skipped = Signal(list)  # panels left out because their image could not be read: [{number, reason, ...}]
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self, exports: Exports, board: BoardController, tasks: TaskRunner, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._exports, self._board, self._tasks = exports, board, tasks
        self._cancel: threading.Event | None = None
        self.running = False
        self.folder: str | None = None

    def recall_folder(self, then: Callable[[str], None], parent: QObject | None = None) -> None:
        """`then(folder)` with the folder the latest export went into, when there is one."""
        self._tasks.start(
            self._exports.last_folder(),
            "Finding the last export folder",
            parent=parent,
            success=lambda folder: then(folder) if folder else None,
        )

    def start(self, out_dir: str, options: ExportOptions) -> asyncio.Task[Any] | None:
        if self.running:
            return None
        return self._tasks.start(self._run(Path(out_dir), options), "Export")

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    async def _run(self, out_dir: Path, options: ExportOptions) -> None:
        self.running = True
        self._cancel = threading.Event()
        loop = asyncio.get_running_loop()

        def report(fraction: float, what: str) -> None:  # called on the export thread
            loop.call_soon_threadsafe(self.progress.emit, fraction, what)

        try:
            result = await self._exports.export(
                self._board.board_name, out_dir, options, progress=report, cancel=self._cancel
            )
        except ExportCancelled:
            self.cancelled.emit()
            return
        except Exception as exc:  # shown in the dialog, and nothing half-written stays behind
            self.failed.emit(describe("Export", exc))
            return
        finally:
            self.running = False
            self._cancel = None
        self.folder = str(result.folder)
        if result.skipped:
            self.skipped.emit(result.skipped)
        self.finished.emit(self.folder)
