"""Jobs from the service's events: queued, running, rate-limited (with a countdown), done, failed, unknown."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from studio.core.pricing import format_usd
from studio.core.text import format_bytes, format_duration
from studio.service import events as ev


@dataclass(frozen=True)
class JobRow:
    job_id: str
    state: str  # queued | running | waiting | saved | failed | cancelled | unknown | stuck
    n: int = 1
    quote_max_usd: Decimal | None = None
    billed_usd: Decimal | None = None
    message: str = ""
    wait_until: float | None = None  # time.monotonic() when a rate-limit wait ends
    kind: str = ""
    received: int = 0  # bytes of the answer so far
    deadline_s: float | None = None

    def text(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        head = f"{self.job_id[:8]}  n={self.n}  "
        if self.state == "waiting" and self.wait_until is not None:
            left = max(0, math.ceil(self.wait_until - now))
            return head + (f"{self.message} in {left} s" if left else f"{self.message} now")
        if self.state == "saved":
            return (
                head + f"saved · billed {format_usd(self.billed_usd) if self.billed_usd is not None else '—'}"
            )
        if self.state == "queued":
            return (
                head
                + "queued · quote ≤ "
                + (format_usd(self.quote_max_usd) if self.quote_max_usd is not None else "—")
            )
        if self.state == "running":
            if not self.received:
                return head + "generating…"
            limit = f" (gives up after {format_duration(self.deadline_s)})" if self.deadline_s else ""
            return head + f"receiving… {format_bytes(self.received)}{limit}"
        if self.state == "unknown":
            return head + "outcome unknown — may have been billed. " + self.message
        if self.state == "stuck":
            return head + "never settled — " + self.message
        if self.state == "cancelled":
            return head + "cancelled before it was sent — nothing was spent"
        return head + f"failed: {self.message}"


class JobsModel(QAbstractListModel):
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[JobRow] = []

    def _find(self, job_id: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.job_id == job_id), None)

    def _set(self, job_id: str, **changes: Any) -> None:
        i = self._find(job_id)
        if i is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self.rows.insert(0, replace(JobRow(job_id, "queued"), **changes))
            self.endInsertRows()
            return
        self.rows[i] = replace(self.rows[i], **changes)
        self.dataChanged.emit(self.index(i), self.index(i))

    def load_unknown(self, jobs: list[dict[str, Any]]) -> None:
        """Jobs from earlier runs the user decides about: outcome unknown (re-send, dismiss or resolve as
        failed) and jobs another host sent and never settled ("stuck": resolve them)."""
        for j in jobs:
            if self._find(j["id"]) is not None:
                continue
            if j["state"] == "unknown":
                self._set(
                    j["id"],
                    state="unknown",
                    n=j["n"],
                    kind=j["kind"],
                    message=j.get("error_message") or "",
                    quote_max_usd=Decimal(j["quote_max_usd"]),
                )
            else:
                why = (
                    f"{j['state']} on host {j.get('owner_host')!r}, which never settled it here; it keeps "
                    f"{format_usd(Decimal(j['quote_max_usd']))} reserved until you resolve it"
                )
                self._set(
                    j["id"],
                    state="stuck",
                    n=j["n"],
                    kind=j["kind"],
                    message=why,
                    quote_max_usd=Decimal(j["quote_max_usd"]),
                )

    def load_recent(self, jobs: list[dict[str, Any]]) -> None:
        """Settled jobs of earlier runs (newest first), below what this run shows: the panel after a restart
        looks as it did before it."""
        new = [j for j in jobs if self._find(j["id"]) is None]
        if not new:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for j in new:
            cancelled = j["state"] == "failed" and j.get("error_kind") == "cancelled"
            billed = j.get("billed_usd")
            self.rows.append(
                JobRow(
                    j["id"],
                    "cancelled" if cancelled else j["state"],
                    n=j["n"],
                    kind=j["kind"],
                    quote_max_usd=Decimal(j["quote_max_usd"]),
                    billed_usd=Decimal(billed) if billed is not None else None,
                    message=j.get("error_message") or "",
                )
            )
        self.endInsertRows()

    def apply(self, event: Any) -> None:
        if isinstance(event, ev.JobSaved) and event.batch_id is not None:
            return  # a batch's saved lines are the Batches panel's (its failed ones are listed here)
        if isinstance(event, ev.JobQueued):
            self._set(event.job_id, state="queued", n=event.n, quote_max_usd=event.quote_max_usd)
        elif isinstance(event, ev.JobSent):
            self._set(event.job_id, state="running", wait_until=None, received=0)
        elif isinstance(event, ev.Receiving):
            self._set(event.job_id, received=event.bytes_received, deadline_s=event.deadline_s)
        elif isinstance(event, ev.RateLimited):
            self._set(
                event.job_id,
                state="waiting",
                message=event.what,
                wait_until=time.monotonic() + event.wait_s,
            )
        elif isinstance(event, ev.JobSaved):
            self._set(event.job_id, state="saved", billed_usd=event.billed_usd, wait_until=None)
        elif isinstance(event, ev.JobFailed):
            state = "cancelled" if event.kind == "cancelled" else "failed"
            self._set(event.job_id, state=state, message=event.message, wait_until=None)
        elif isinstance(event, ev.JobUnknown):
            self._set(event.job_id, state="unknown", message=event.message, wait_until=None)

    def remove(self, job_id: str) -> None:
        i = self._find(job_id)
        if i is not None:
            self.beginRemoveRows(QModelIndex(), i, i)
            del self.rows[i]
            self.endRemoveRows()

    def tick(self) -> None:
        """Refresh countdowns (called every second by the view)."""
        for i, r in enumerate(self.rows):
            if r.state == "waiting":
                self.dataChanged.emit(self.index(i), self.index(i))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return r.text()
        if role == self.RowRole:
            return r
        return None
