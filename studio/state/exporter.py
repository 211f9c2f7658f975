"""Exporting the current board off the GUI thread, with progress and cancel."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.service.export.board import load_board
from studio.service.export.leftovers import remember_folder
from studio.service.export.run import FORMATS, ExportCancelled, ExportOptions, export_board

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

    def __init__(self, session: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._cancel: threading.Event | None = None
        self.running = False
        self.folder: str | None = None

    def start(self, out_dir: str, options: ExportOptions) -> asyncio.Task[Any] | None:
        if self.running:
            return None
        return self.session.tasks.start(self._run(Path(out_dir), options), "Export")

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
            board = await self.session.db.run(load_board, self.session.board_name)
            await self.session.db.run(remember_folder, out_dir)  # a killed export's leftovers are found later
            result = await asyncio.to_thread(
                export_board, board, out_dir, options, progress=report, cancel=self._cancel
            )
        except ExportCancelled:
            self.cancelled.emit()
            return
        except Exception as exc:  # shown in the dialog, and nothing half-written stays behind
            from .tasks import describe

            self.failed.emit(describe("Export", exc))
            return
        finally:
            self.running = False
            self._cancel = None
        self.folder = str(result.folder)
        if result.skipped:
            self.skipped.emit(result.skipped)
        self.finished.emit(self.folder)
