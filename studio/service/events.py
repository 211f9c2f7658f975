"""Typed, immutable events the service publishes; the GUI subscribes with `async for`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from studio.core.placement import Placement


@dataclass(frozen=True)
class JobQueued:
    job_id: str
    group_id: str
    n: int
    quote_max_usd: Decimal
    board_id: int | None = None
    first_index: int = 0  # panel index of this job's first image within its group
    placement: Placement = field(
        default_factory=Placement
    )  # where its results go (placeholders only for new panels)


@dataclass(frozen=True)
class JobSent:
    job_id: str
    attempt: int


@dataclass(frozen=True)
class RateLimited:
    job_id: str
    wait_s: float
    what: str  # "rate-limited, retrying" / "pacing for the rate limit: next call"

    @property
    def message(self) -> str:
        """What it means, once: "rate-limited, retrying in 12 s" (a view counts `wait_s` down itself)."""
        return f"{self.what} in {self.wait_s:.0f} s"


@dataclass(frozen=True)
class PartialImage:
    job_id: str
    index: int  # panel index within the group
    step: int
    path: str


@dataclass(frozen=True)
class TurnStage:
    """Where a refine turn is, from its stream's events: "planning…" while the mainline thinks,
    "drawing…" once the image call generates."""

    job_id: str
    stage: str


@dataclass(frozen=True)
class ImageSaved:
    job_id: str
    index: int
    path: str
    placement: Placement = field(default_factory=Placement)
    panel: dict[str, Any] | None = (
        None  # the new panel's library row (library.panel_view), with its "position"
    )


@dataclass(frozen=True)
class JobSaved:
    job_id: str
    paths: tuple[str, ...]
    billed_usd: Decimal | None
    request_id: str | None = None
    notice: str | None = (
        None  # what the user must know: "1 of 2 images arrived", "over the quote", a flagged image
    )
    batch_id: str | None = None  # a batch's line (its batch's notification sums them up)
    parts: tuple[tuple[str, Decimal], ...] = ()  # a bill in parts: a refine turn's mainline and image


@dataclass(frozen=True)
class JobFailed:
    job_id: str
    kind: str
    message: str
    request_id: str | None
    batch_id: str | None = None  # a batch's line: its batch's notification sums the failures up
    billed_usd: Decimal | None = None  # what it cost anyway (a refine turn's mainline that answered)
    parts: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class JobUnknown:
    job_id: str
    message: str


@dataclass(frozen=True)
class Receiving:
    job_id: str
    bytes_received: int  # of the answer so far (at most twice a second)
    deadline_s: float  # the call is given up as outcome unknown after this long


@dataclass(frozen=True)
class VersionAdded:
    """An edit became the current version of a panel (the panel's row, with its "position")."""

    job_id: str
    panel: dict[str, Any]


@dataclass(frozen=True)
class CostUpdated:
    today_usd: Decimal
    month_usd: Decimal


@dataclass(frozen=True)
class BatchChanged:
    """A batch was submitted, polled, fetched or ended: its row as batch_store.listing gives it (status,
    counts, bound, what it cost so far), `eta_s` from the rate so far (None before it is known), and
    whether this change ended it (a notification)."""

    batch_id: str
    status: str
    completed: int
    failed: int
    total: int
    board_id: int | None = None
    eta_s: float | None = None
    message: str | None = None
    finished: bool = False
    placeholders_added: bool = False  # its board gained placeholder panels (a board view reloads)


Event = (
    BatchChanged
    | JobQueued
    | JobSent
    | RateLimited
    | PartialImage
    | TurnStage
    | ImageSaved
    | JobSaved
    | JobFailed
    | JobUnknown
    | Receiving
    | VersionAdded
    | CostUpdated
)


class EventBus:
    """Fan-out to any number of subscribers; each gets every event published after it subscribed."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event | None]] = set()

    def publish(self, event: Event) -> None:
        for q in list(self._queues):
            q.put_nowait(event)

    def close(self) -> None:
        for q in list(self._queues):
            q.put_nowait(None)

    async def subscribe(self) -> AsyncIterator[Event]:
        q: asyncio.Queue[Event | None] = asyncio.Queue()
        self._queues.add(q)
        try:
            while (event := await q.get()) is not None:
                yield event
        finally:
            self._queues.discard(q)

    def listener(self) -> Listener:
        """Subscribe now (synchronously), read later: no event between the two is missed."""
        return Listener(self)


class Listener:
    def __init__(self, bus: EventBus) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._bus = bus
        bus._queues.add(self.queue)

    def drain(self) -> list[Event]:
        items = []
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if item is not None:
                items.append(item)
        return items

    def close(self) -> None:
        self._bus._queues.discard(self.queue)
