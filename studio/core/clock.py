"""The one clock of the app, in UTC. Everything that depends on the date asks it, never the OS directly.

Model lifecycle (is a model deprecated, shut down?), ledger days and months, caps and the dates in
file names all read `now()` / `today()` from here, so tests (and anyone reproducing a bug report)
can pin the date: `use(FixedClock(...))` in-process, or `ASSET_STUDIO_CLOCK=2026-12-01T09:00:00Z` in
the environment of a child process (the CLI, the sandbox server). A pinned clock stands still.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Protocol

ENV = "ASSET_STUDIO_CLOCK"


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still (or moves only when told): for tests and reproductions."""

    def __init__(self, at: dt.datetime):
        if at.tzinfo is None:
            raise ValueError("a FixedClock needs a timezone-aware time")
        self.at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta

    @classmethod
    def on(cls, day: dt.date, hour: int = 12) -> FixedClock:
        return cls(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC))


def parse_instant(text: str) -> dt.datetime:
    """'2026-12-01', '2026-12-01T09:00:00Z' or with an offset; naive times are taken as UTC."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _from_environment() -> Clock:
    pinned = os.environ.get(ENV, "").strip()
    if not pinned:
        return SystemClock()
    try:
        return FixedClock(parse_instant(pinned))
    except ValueError:
        raise SystemExit(
            f"{ENV}={pinned!r} is not an ISO date or time (for example 2026-12-01T09:00:00Z)"
        ) from None


_current: Clock = _from_environment()


def now() -> dt.datetime:
    """The current UTC time from the app's clock."""
    return _current.now()


def today() -> dt.date:
    """The current UTC date from the app's clock."""
    return _current.now().date()


def current() -> Clock:
    return _current


def use(clock: Clock) -> Clock:
    """Make `clock` the app's clock; returns the previous one (to restore it)."""
    global _current
    previous, _current = _current, clock
    return previous
