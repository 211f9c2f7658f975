"""The Batch route: a sibling of the Images API route, sharing the journal, the ledger's reservations and
caps, and the events. Submitting is batch_submit.py, fetching batch_fetch.py; this module tracks
batches: polling with backoff (minutes against OpenAI, seconds against the sandbox), progress with an
ETA, cancel, a batch's own failure explained on it and its lines, and the resumption of a batch whose
submit was cut short.

    batches = Batches(service)
    [sent] = await batches.submit(requests, Placement.end("Shots"))
    await batches.poll_due()      # what the window's timer and `batch status` call
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from studio.core.errors import RefusedError
from studio.core.placement import Placement
from studio.core.request import ImageRequest

from . import batch_store, journal
from .batch_fetch import Fetched, fetch
from .batch_store import ENDED, PREPARING
from .batch_submit import Submitted, submit
from .events import BatchChanged

if TYPE_CHECKING:
    from .runner import ImageService

FIRST_POLL_S, MAX_POLL_S, SANDBOX_POLL_S = 60.0, 600.0, 1.0


class Batches:
    def __init__(self, service: ImageService):
        self.service = service
        self._lock = asyncio.Lock()  # one poll or fetch at a time: fetching twice at once would double

    # -- submitting ---------------------------------------------------------------------------

    async def submit(
        self, requests: list[ImageRequest], placement: Placement, *, budget: Decimal | None = None
    ) -> list[Submitted]:
        """Send requests as one batch (several when over the API's requests per file)."""
        return await submit(self, requests, placement, budget)

    # -- tracking -----------------------------------------------------------------------------

    def poll_interval(self, row: dict[str, Any]) -> float:
        """Seconds between polls: one minute, growing by half each poll to ten (the sandbox: one)."""
        if self.service.endpoint.is_sandbox:
            return SANDBOX_POLL_S
        return min(MAX_POLL_S, FIRST_POLL_S * 1.5 ** min(int(row.get("polls") or 0), 10))

    def is_due(self, row: dict[str, Any], now: dt.datetime | None = None) -> bool:
        if not row.get("polled_at"):
            return True
        now = now or journal.utc_now()
        waited = (now - dt.datetime.fromisoformat(row["polled_at"])).total_seconds()
        return waited >= self.poll_interval(row)

    async def open_batches(self) -> list[dict[str, Any]]:
        return await self.service.db.run(batch_store.open_batches, self.service.endpoint.public_url)

    async def poll_due(self) -> list[dict[str, Any]]:
        """Poll every open batch whose time has come (and fetch the ones that ended)."""
        url = self.service.endpoint.public_url
        for gone in await self.service.db.run(batch_store.gone_sandbox_batches, url):
            async with self._lock:
                await self._elsewhere(gone)
        rows = [r for r in await self.open_batches() if self.is_due(r)]
        return [await self.poll(r["id"]) for r in rows]

    async def poll(self, batch_id: str, *, fetch_ended: bool = True) -> dict[str, Any]:
        """Read the batch's state from OpenAI; once it ended, fetch it. Returns its row."""
        async with self._lock:
            row = await self.get(batch_id)
            if row["fetched_at"] is not None:
                pass  # settled: nothing more to read
            elif row["endpoint"] != self.service.endpoint.public_url:
                await self._elsewhere(row)
            elif row["remote_id"] is None:
                await self._resume_preparing(row)
            else:
                await self._read(row)
            row = await self.get(batch_id)
            if fetch_ended and row["status"] in ENDED and row["fetched_at"] is None:
                await self._fetch(row)
                row = await self.get(batch_id)
            return row

    async def _read(self, row: dict[str, Any]) -> None:
        from .failures import explain

        client = await self.service.ready_client()
        try:
            remote = await asyncio.to_thread(lambda: client.batches.retrieve(row["remote_id"]).model_dump())
        except Exception as exc:  # a dead network or a 5xx: said on the batch, polled again later
            message = f"Could not read the batch's state: {explain(exc).message} (will try again)"
            await self.service.db.run(batch_store.set_message, row["id"], message)
            await self.service.db.run(batch_store.update, row["id"], _as_remote(row))
            self.publish(row["id"])
            return
        await self.service.db.run(batch_store.update, row["id"], remote)
        if remote.get("status") == "failed":
            await self.service.db.run(batch_store.set_message, row["id"], batch_failure(remote))
        self.publish(row["id"])  # its end is told once fetched (what it saved and cost)

    async def _elsewhere(self, row: dict[str, Any]) -> None:
        """A batch of another endpoint: polled only through it. A sandbox's batch ends with its sandbox
        (which kept it in memory): its lines fail, unbilled."""
        if not row["sandbox"]:
            message = f"Made through {row['endpoint']}: switch to that endpoint to poll or fetch it."
            await self.service.db.run(batch_store.set_message, row["id"], message)
            self.publish(row["id"])
            return
        message = "The offline sandbox that ran this batch has stopped; its results are gone (no charges)."
        await self.end_unfetched(row["id"], "expired", "expired", message)
        self.publish(row["id"], finished=True)

    async def _resume_preparing(self, row: dict[str, Any]) -> None:
        """A submit cut short (a kill, a timeout on create): the batch is found among OpenAI's by its
        metadata, or nothing was sent and its lines fail unbilled."""
        client = await self.service.ready_client()

        def find() -> dict[str, Any] | None:
            for page_item in client.batches.list(limit=100):
                meta = page_item.metadata or {}
                if meta.get("local_id") == row["id"]:
                    return page_item.model_dump()
                if page_item.created_at and page_item.created_at < _epoch(row["created_at"]) - 3600:
                    return None
            return None

        try:
            remote = await asyncio.to_thread(find)
        except Exception:  # noqa: BLE001 (asked again at the next poll)
            return
        if remote is not None:
            await self.service.db.run(batch_store.submitted, row["id"], remote)
            await self.service.db.run(batch_store.set_message, row["id"], None)
            await self.service.db.run(batch_store.update, row["id"], remote)
        else:
            message = "The app stopped before this batch was sent; nothing was sent or billed."
            await self.end_unfetched(row["id"], "failed", "interrupted", message)
            await self.service.publish_cost()
        self.publish(row["id"], finished=remote is None)

    # -- fetching and cancelling ------------------------------------------------------------------

    async def fetch(self, batch_id: str) -> tuple[dict[str, Any], Fetched | None]:
        """Poll now and, if it ended, fetch its results (None while it still runs)."""
        row = await self.poll(batch_id, fetch_ended=False)
        if row["status"] not in ENDED or row["fetched_at"] is not None:
            return row, None
        async with self._lock:
            got = await self._fetch(await self.get(batch_id))
        return await self.get(batch_id), got

    async def _fetch(self, row: dict[str, Any]) -> Fetched:
        got = await fetch(self, row)
        self.publish(row["id"], finished=True)
        return got

    async def cancel(self, batch_id: str) -> dict[str, Any]:
        """Ask OpenAI to cancel: what finished is kept and billed, the rest becomes 'cancelled, not billed'
        when the batch ends (a batch not yet sent is cancelled here at once)."""
        row = await self.get(batch_id)
        if row["status"] in ENDED or row["fetched_at"]:
            raise RefusedError(f"batch {row['id'][:8]} is {row['status']}: nothing to cancel")
        if row["remote_id"] is None and row["status"] == PREPARING:
            message = "Cancelled before it was sent: nothing was sent or billed."
            await self.end_unfetched(row["id"], "cancelled", "cancelled", message)
            self.publish(row["id"], finished=True)
            return await self.get(batch_id)
        client = await self.service.ready_client()
        remote = await asyncio.to_thread(lambda: client.batches.cancel(row["remote_id"]).model_dump())
        await self.service.db.run(batch_store.update, row["id"], remote)
        self.publish(row["id"])
        return await self.get(batch_id)

    # -- shared ---------------------------------------------------------------------------------

    async def get(self, batch_id: str) -> dict[str, Any]:
        row = await self.service.db.run(batch_store.get, batch_id)
        if row is None:
            raise RefusedError(f"batch {batch_id!r}: no such batch (or the prefix names several)")
        return row

    async def listing(self) -> list[dict[str, Any]]:
        return [with_costs(r) for r in await self.service.db.run(batch_store.listing)]

    def board_name(self, board_id: int | None) -> str | None:
        if board_id is None:
            return None
        row = self.service.db.run_sync(
            lambda conn: conn.execute("SELECT name FROM boards WHERE id = ?", (board_id,)).fetchone()
        )
        return row["name"] if row else None

    async def end_unfetched(self, batch_id: str, status: str, kind: str, message: str) -> None:
        """A batch that will never be fetched (never sent, refused, its sandbox gone): said on it, its
        lines failed unbilled, their placeholders to the trash, and it is closed, so no later poll
        takes it up again."""
        db = self.service.db
        await db.run(batch_store.set_message, batch_id, message, status)
        await db.run(batch_store.fail_lines, batch_id, kind, message)
        await db.run(batch_store.fetched, batch_id)
        await self.drop_placeholders(batch_id)

    async def drop_placeholders(self, batch_id: str) -> None:
        lines = await self.service.db.run(batch_store.lines, batch_id)
        failed = [p for j in lines if j["state"] == "failed" for p in json.loads(j["panel_ids_json"] or "[]")]
        await self.service.db.run(batch_store.drop_placeholders, failed)

    def publish(self, batch_id: str, *, finished: bool = False, placeholders: bool = False) -> None:
        row = self.service.db.run_sync(batch_store.get, batch_id)
        if row is None:
            return
        self.service.events.publish(
            BatchChanged(
                row["id"],
                row["status"],
                row["completed"],
                row["failed"],
                row["requests"],
                row["board_id"],
                eta_seconds(row, journal.utc_now()),
                row["message"],
                finished,
                placeholders,
            )
        )


def batch_failure(remote: dict[str, Any]) -> str:
    """A failed batch's errors.data, said plainly (the enqueued-token limit, a model refused, bad lines)."""
    errors = (remote.get("errors") or {}).get("data") or []
    if not errors:
        return "The batch failed without saying why (no errors.data). Nothing was billed."
    first = errors[0]
    code, text = first.get("code") or "", first.get("message") or ""
    line = f" (line {first['line']})" if first.get("line") else ""
    if code == "token_limit_exceeded" or "enqueued token limit" in text.lower():
        return (
            f"OpenAI's queue for this model is full: {text} Wait for your other batches to finish, or "
            "send fewer requests per batch."
        )
    if code == "model_not_supported":
        return f"{text} Send these requests now (the Images API) instead."
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"The batch failed: {code}{line}: {text}{more}."


def eta_seconds(row: dict[str, Any], now: dt.datetime) -> float | None:
    """Time left at the rate so far (from in_progress), or None before any line is done."""
    done = int(row["completed"] or 0) + int(row["failed"] or 0)
    if row["status"] != "in_progress" or not done or not row.get("in_progress_at"):
        return None
    spent = (now - dt.datetime.fromisoformat(row["in_progress_at"])).total_seconds()
    return max(0.0, spent / done * (int(row["requests"]) - done))


def with_costs(row: dict[str, Any]) -> dict[str, Any]:
    """A listing row with what it cost so far (the sum of its lines' bills) and its bound."""
    billed = sum((Decimal(b) for b in (row.get("bills") or "").split()), Decimal(0))
    return {**row, "billed_usd": billed, "bound_usd": Decimal(row["quote_max_usd"])}


def _as_remote(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": row["status"],
        "request_counts": {"completed": row["completed"], "failed": row["failed"]},
        "output_file_id": row["output_file_id"],
        "error_file_id": row["error_file_id"],
    }


def _epoch(iso_text: str) -> float:
    return dt.datetime.fromisoformat(iso_text).timestamp()
