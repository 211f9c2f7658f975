"""Exporting a board: its panels read from the library, the files written off the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

from ..db import Database
from ..export.board import load_board
from ..export.leftovers import last_folder, remember_folder, sweep
from ..export.run import FORMATS, ExportCancelled, ExportOptions, ExportResult, export_board

__all__ = ["FORMATS", "ExportCancelled", "ExportOptions", "ExportResult", "Exports"]


class Exports:
    def __init__(self, db: Database):
        self._db = db

    async def sweep(self) -> list[Path]:
        """Remove hidden partial folders that a killed export left behind."""
        return await self._db.run(sweep)

    async def last_folder(self) -> str | None:
        """Where the latest export went (the dialog opens there), if that folder still exists."""
        return await self._db.run(last_folder)

    async def export(
        self,
        board: str,
        out_dir: Path,
        options: ExportOptions,
        *,
        progress: Callable[[float, str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ExportResult:
        """Every chosen format of `board` into a new folder under `out_dir` (written on a worker thread;
        `progress` is called there). The folder is remembered so a killed export's leftovers are found."""
        options.check()
        loaded = await self._db.run(load_board, board)
        await self._db.run(remember_folder, out_dir)
        return await asyncio.to_thread(
            export_board, loaded, out_dir, options, progress=progress, cancel=cancel
        )
