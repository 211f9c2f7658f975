"""Rate-tier emulation: images and tokens per (possibly shortened) minute, in a sliding window."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from studio.core.rate_window import RateWindow


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float  # seconds until the request could fit (0 when allowed)
    too_large: bool  # the request alone exceeds the limit: waiting will not help
    limit_images: int
    remaining_images: int
    limit_tokens: int
    remaining_tokens: int
    reset_seconds: float


class SlidingWindowLimiter:
    def __init__(
        self,
        images_per_minute: int,
        tokens_per_minute: int,
        minute_seconds: float = 60.0,
        clock=time.monotonic,
    ):
        self.ipm, self.tpm, self.minute = images_per_minute, tokens_per_minute, minute_seconds
        self._clock = clock
        self._window = RateWindow(images_per_minute, tokens_per_minute, minute_seconds)
        self._lock = threading.Lock()

    def check(self, images: int, tokens: int) -> Decision:
        """Admit and record the request, or say how long to wait."""
        with self._lock:
            now = self._clock()
            wait = self._window.wait_for(images, tokens, now)
            reset = self._window.reset_in(now)
            if wait == 0.0:
                self._window.add(now, images, tokens)
            used_i, used_t = self._window.used()
            return Decision(
                wait == 0.0,
                wait or 0.0,
                wait is None,
                self.ipm,
                max(self.ipm - used_i, 0),
                self.tpm,
                max(self.tpm - used_t, 0),
                reset,
            )


def format_reset(seconds: float) -> str:
    """OpenAI's duration style: 250ms, 2.661s, 6m0s (rounded up, never early)."""
    if seconds < 1:
        return f"{max(math.ceil(seconds * 1000), 0)}ms"
    if seconds < 60:
        return f"{math.ceil(seconds * 1000) / 1000:g}s"
    minutes, secs = divmod(math.ceil(seconds), 60)
    return f"{minutes}m{secs}s"
