"""The window's view of Batch API batches: sending a prompt's set as a batch (or every variant now),
the list of open and recent batches kept current by the service's BatchChanged events and a poll timer
(the service decides what is due: minutes against OpenAI, seconds against the sandbox), Cancel and Fetch
now, and a notification when one ends."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.core.placement import Placement
from studio.core.pricing import format_usd
from studio.service.api import VariantBatches
from studio.service.events import BatchChanged
from studio.service.memory import release_off_loop

from .board_controller import BoardController
from .prompt_library import PromptLibrary
from .tasks import TaskRunner
from .variant_set import VariantSet

TICK_MS, SANDBOX_TICK_MS = 15_000, 1_000


class BatchWatch(QObject):
    changed = Signal()  # rows changed
    finished = Signal(str)  # a batch ended: what it saved and cost (a notification)
    sent = Signal(str)  # a batch was submitted: what and where

    def __init__(
        self,
        batches: VariantBatches,
        variants: VariantSet,
        history: PromptLibrary,
        board: BoardController,
        tasks: TaskRunner,
        *,
        sandbox: bool,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._batches, self._variants, self._history = batches, variants, history
        self._board, self._tasks = board, tasks
        self.rows: list[dict[str, Any]] = []
        self._polling: asyncio.Task[Any] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(SANDBOX_TICK_MS if sandbox else TICK_MS)
        self._timer.timeout.connect(self.tick)

    # -- sending ----------------------------------------------------------------------------------

    def send_batch(self) -> asyncio.Task[Any]:
        """The prompt's set (or its one request) as a batch, with placeholders on the current board."""
        return self._tasks.start(self._submit(), "Sending as a batch")

    def send_now(self) -> asyncio.Task[Any]:
        """Every variant through the Images API route, in the template's order, paced as usual."""
        return self._tasks.start(self._now(), "Generating the variants")

    async def _submit(self) -> None:
        requests = await asyncio.to_thread(self._variants.requests)
        await self._history.remember(requests[0].snapshot())
        name = self._board.board_name
        sent = await self._batches.submit(requests, Placement.end(name))
        await self.reload()
        bound = sum((s.quote_max_usd for s in sent), Decimal(0))
        problems = [s.message for s in sent if s.remote_id is None and s.message]
        if problems:
            self.sent.emit(problems[0])
        else:
            self.sent.emit(
                f"Sent {len(requests):,} requests as {len(sent)} batch(es) to '{name}': at most "
                f"{format_usd(bound)}, results within 24 h (they fill the blank panels as they arrive)."
            )

    async def _now(self) -> None:
        requests = await asyncio.to_thread(self._variants.requests)
        await self._history.remember(requests[0].snapshot())
        outcomes = await self._batches.send_now(requests, Placement.end(self._board.board_name))
        await release_off_loop(job.received for o in outcomes for job in o.jobs)

    # -- tracking ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._timer.start()
        self.tick()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """Poll what is due (one poll at a time; a poll that fails is said on its batch)."""
        if self._polling is not None and not self._polling.done():
            return
        self._polling = self._tasks.start(self._poll(), "Checking batches")

    async def _poll(self) -> None:
        await self._batches.poll_due()
        await self.reload()

    async def reload(self) -> None:
        self.rows = await self._batches.listing()
        self.changed.emit()

    def apply(self, event: BatchChanged) -> None:
        """A batch changed in the service: its row now, a reload of the board that gained placeholders,
        a notification when it ended."""
        for row in self.rows:
            if row["id"] == event.batch_id:
                row.update(
                    status=event.status, completed=event.completed, failed=event.failed, message=event.message
                )
                row["eta_s"] = event.eta_s
        self.changed.emit()
        ours = event.board_id is not None and event.board_id == self._board.board_id
        if ours and (event.placeholders_added or event.finished):  # new blanks; blanks that never fill
            self._tasks.start(self._board.reload(), "Showing the batch's panels")
        if event.finished:
            self._tasks.start(self._announce(event), "Checking batches")

    async def _announce(self, event: BatchChanged) -> None:
        await self.reload()
        row = next((r for r in self.rows if r["id"] == event.batch_id), None)
        if row is None:
            return
        text = f"Batch {row['id'][:8]} {row['status']}: {row['saved']:,} of {row['requests']:,} saved"
        text += f", billed {format_usd(row['billed_usd'])}" if row["billed_usd"] else ""
        if row.get("message"):
            text += f". {row['message']}"
        self.finished.emit(text)

    def cancel(self, batch_id: str) -> asyncio.Task[Any]:
        async def go() -> None:
            await self._batches.cancel(batch_id)
            await self.reload()

        return self._tasks.start(go(), "Cancelling the batch")

    def fetch_now(self, batch_id: str) -> asyncio.Task[Any]:
        async def go() -> None:
            row, got = await self._batches.fetch(batch_id)
            await self.reload()
            if got is None and not row["fetched_at"]:
                self.sent.emit(
                    f"Batch {row['id'][:8]} is {row['status'].replace('_', ' ')} "
                    f"({row['completed']:,}/{row['requests']:,} done): its results come when it ends."
                )

        return self._tasks.start(go(), "Fetching the batch")
