"""Rate-tier emulation: images and tokens per (possibly shortened) minute, in a sliding window."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass


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
    def __init__(self, images_per_minute: int, tokens_per_minute: int, minute_seconds: float = 60.0, clock=time.monotonic):
        self.ipm, self.tpm, self.minute = images_per_minute, tokens_per_minute, minute_seconds
        self._clock = clock
        self._events: deque[tuple[float, int, int]] = deque()  # (time, images, tokens)
        self._lock = threading.Lock()

    def _prune(self, now: float) -> None:
        while self._events and now - self._events[0][0] >= self.minute:
            self._events.popleft()

    def check(self, images: int, tokens: int) -> Decision:
        """Admit and record the request, or say how long to wait."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            used_i = sum(e[1] for e in self._events)
            used_t = sum(e[2] for e in self._events)
            too_large = images > self.ipm or tokens > self.tpm
            fits = not too_large and used_i + images <= self.ipm and used_t + tokens <= self.tpm
            reset = (self._events[0][0] + self.minute - now) if self._events else 0.0
            if fits:
                self._events.append((now, images, tokens))
                used_i += images
                used_t += tokens
                return Decision(True, 0.0, False, self.ipm, self.ipm - used_i, self.tpm, self.tpm - used_t, max(reset, 0.0))
            wait = 0.0
            if not too_large:
                # walk the window until enough images and tokens have expired
                free_i, free_t = self.ipm - used_i, self.tpm - used_t
                for t, n, k in self._events:
                    free_i += n
                    free_t += k
                    if free_i >= images and free_t >= tokens:
                        wait = t + self.minute - now
                        break
            return Decision(False, max(wait, 0.0), too_large, self.ipm, max(self.ipm - used_i, 0), self.tpm, max(self.tpm - used_t, 0), max(reset, 0.0))


def format_reset(seconds: float) -> str:
    """OpenAI's duration style: 250ms, 2.661s, 6m0s (rounded up, never early)."""
    if seconds < 1:
        return f"{max(math.ceil(seconds * 1000), 0)}ms"
    if seconds < 60:
        return f"{math.ceil(seconds * 1000) / 1000:g}s"
    minutes, secs = divmod(math.ceil(seconds), 60)
    return f"{minutes}m{secs}s"
