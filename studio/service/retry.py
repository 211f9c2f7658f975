"""Our retry policy, by error kind (the SDK's own retries are off)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .failures import Failure, Kind


@dataclass(frozen=True)
class RetryPolicy:
    rate_limit_attempts: int = 5  # retries after a 429 rate_limit_exceeded
    server_attempts: int = 2  # retries after a 5xx
    backoff_base: float = 2.0
    backoff_cap: float = 60.0
    server_base: float = 5.0

    def next_wait(
        self, failure: Failure, retries_so_far: int, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before retrying, or None: do not retry.

        Never retried: quota, moderation, bad requests, auth, permission, unknown models, and
        above all a timeout or dropped connection after sending (it may have been billed)."""
        rng = rng or random.Random()
        if failure.kind is Kind.RATE_LIMITED:
            if retries_so_far >= self.rate_limit_attempts:
                return None
            if failure.retry_after is not None:
                return max(0.0, failure.retry_after)
            ceiling = min(self.backoff_cap, self.backoff_base * 2**retries_so_far)
            return ceiling * (0.75 + 0.25 * rng.random())  # exponential backoff with jitter
        if failure.kind is Kind.SERVER:
            if retries_so_far >= self.server_attempts:
                return None
            return min(self.backoff_cap, self.server_base * 3**retries_so_far) * (0.75 + 0.25 * rng.random())
        return None
