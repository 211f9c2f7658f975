"""A sliding rate window of images and tokens per minute: the one piece of arithmetic the client's pacer
(studio.service.pacing) and the sandbox's rate-tier emulation (studio.sandbox.ratelimit) share. Pure: the
caller passes the time; locking is the caller's."""

from __future__ import annotations

from collections import deque


class RateWindow:
    def __init__(self, images_per_minute: int, tokens_per_minute: int, minute_seconds: float = 60.0):
        self.ipm, self.tpm, self.minute = images_per_minute, tokens_per_minute, minute_seconds
        self.entries: deque[list[float]] = deque()  # [time, images, tokens], oldest first

    def prune(self, now: float, grace: float = 0.0) -> None:
        """Forget what left the window (`grace`: extra seconds an entry is kept, e.g. for clock skew)."""
        while self.entries and now - self.entries[0][0] >= self.minute + grace:
            self.entries.popleft()

    def used(self) -> tuple[int, int]:
        return int(sum(e[1] for e in self.entries)), int(sum(e[2] for e in self.entries))

    def too_large(self, images: int, tokens: int) -> bool:
        """The request alone is over a minute's allowance: no wait makes it fit."""
        return images > self.ipm or tokens > self.tpm

    def wait_for(self, images: int, tokens: int, now: float, grace: float = 0.0) -> float | None:
        """Seconds until a request of `images` and `tokens` fits (0: now), or None if it never can."""
        self.prune(now, grace)
        if self.too_large(images, tokens):
            return None
        used_i, used_t = self.used()
        free_i, free_t = self.ipm - used_i, self.tpm - used_t
        if free_i >= images and free_t >= tokens:
            return 0.0
        for t, n, k in self.entries:  # walk the window until enough has expired
            free_i += int(n)
            free_t += int(k)
            if free_i >= images and free_t >= tokens:
                return max(0.0, t + self.minute + grace - now)
        return self.minute + grace

    def add(self, now: float, images: int, tokens: int) -> list[float]:
        entry = [now, images, tokens]
        self.entries.append(entry)
        return entry

    def reset_in(self, now: float) -> float:
        """Seconds until the oldest entry leaves the window (0 when empty)."""
        return max(0.0, self.entries[0][0] + self.minute - now) if self.entries else 0.0
