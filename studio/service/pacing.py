"""Client-side pacing per rate tier: images and tokens per minute, so 429s are avoided, not hit.

A sliding window like the server's, plus what the server says: `x-ratelimit-remaining-*` of 0
holds calls until `x-ratelimit-reset-*`, and a 429's Retry-After holds them for that long.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping

from studio.core.errors import RefusedError
from studio.core.rate_window import RateWindow

WaitCallback = Callable[[float], Awaitable[None] | None]
_DURATION = re.compile(
    r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$"
)


def parse_reset(text: str) -> float | None:
    """'1s', '6m0s', '250ms', '1h2m3.5s' -> seconds."""
    m = _DURATION.match((text or "").strip())
    if not m or not any(m.groups()):
        try:
            return float(text)
        except (TypeError, ValueError):
            return None
    h, mi, s, ms = (float(g) if g else 0.0 for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


class NeverFits(RefusedError):
    """One call needs more tokens than the rate tier allows per minute: it would wait forever."""

    def __init__(self, needed: int, per_minute: int):
        self.needed, self.per_minute = needed, per_minute
        super().__init__(
            f"this request can never fit your rate tier: one call may use up to {needed:,} "
            f"tokens and the tier allows {per_minute:,} tokens per minute; send fewer or smaller "
            "input images, a lower quality or size, or set a higher tier (asset-studio tier N)"
        )


ARRIVAL_S = 0.25  # seconds a request may take from being stamped sent to the server counting it


class Pacer:
    def __init__(
        self,
        images_per_minute: int,
        tokens_per_minute: int,
        *,
        minute_seconds: float = 60.0,
        margin: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ipm, self.tpm, self.minute = images_per_minute, tokens_per_minute, minute_seconds
        # sent-time vs the server's arrival time: a share of the minute, but never less than a request's trip
        # and parsing can take on a loaded machine (a shortened minute does not shorten the network)
        self.margin = max(margin * minute_seconds, ARRIVAL_S) if margin else 0.0
        self._clock = clock
        self._window = RateWindow(
            images_per_minute, tokens_per_minute, minute_seconds
        )  # times updated when sent
        self._hold_until = 0.0
        self._lock = asyncio.Lock()

    def chunks(self, n: int, tokens_per_image: int, fixed_tokens: int = 0) -> list[int]:
        """Split an n-image job into calls that each fit in one minute's allowance; every call also carries
        `fixed_tokens` (its prompt and input images). Refused when not even one image fits."""
        room = self.tpm - fixed_tokens
        if room < tokens_per_image:
            raise NeverFits(fixed_tokens + tokens_per_image, self.tpm)
        per_call = max(1, min(n, self.ipm, room // max(tokens_per_image, 1) or 1))
        sizes = [per_call] * (n // per_call)
        if n % per_call:
            sizes.append(n % per_call)
        return sizes

    def _wait_needed(self, images: int, tokens: int, now: float) -> float:
        wait = max(0.0, self._hold_until - now)
        fits_in = self._window.wait_for(images, tokens, now, grace=self.margin)
        return max(wait, self.minute if fits_in is None else fits_in)  # too large: one whole minute alone

    async def acquire(self, images: int, tokens: int, on_wait: WaitCallback | None = None) -> Slot:
        """Wait (FIFO) until a call of `images` images and `tokens` tokens fits, then count it.

        Call `slot.sending()` right before the request goes out: the window counts from then."""
        async with self._lock:
            while True:
                now = self._clock()
                wait = self._wait_needed(images, tokens, now)
                if wait <= 0:
                    return Slot(self._window.add(now, images, tokens), self._clock)
                if on_wait is not None:
                    result = on_wait(wait)
                    if asyncio.iscoroutine(result):
                        await result
                await asyncio.sleep(wait)

    def hold(self, seconds: float, *, since: float | None = None) -> None:
        """Hold every call for `seconds` from `since` (default: now), e.g. a 429's Retry-After."""
        start = self._clock() if since is None else since
        self._hold_until = max(self._hold_until, start + seconds)

    def observe(self, headers: Mapping[str, str], *, since: float | None = None) -> None:
        """Adapt to the server's own accounting when it sends x-ratelimit-* headers.

        `since` is when the request was sent: the server computed its reset on arrival, not
        when its answer reached us (counting from the answer would wait a whole call too long)."""
        for kind in ("images", "requests", "tokens"):
            remaining = headers.get(f"x-ratelimit-remaining-{kind}")
            reset = parse_reset(headers.get(f"x-ratelimit-reset-{kind}", ""))
            if remaining is None or reset is None:
                continue
            try:
                left = int(remaining)
            except ValueError:
                continue
            if left <= 0:
                self.hold(reset, since=since)


class Slot:
    def __init__(self, entry: list[float], clock: Callable[[], float]):
        self._entry, self._clock = entry, clock

    def sending(self) -> float:
        """Stamp the slot with the moment the request is sent; returns that moment."""
        self._entry[0] = self._clock()
        return self._entry[0]


def unlimited() -> Pacer:
    """For endpoints without limits (the embedded sandbox)."""
    return Pacer(10**9, 10**12, minute_seconds=1.0, margin=0.0)
