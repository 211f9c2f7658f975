"""Client-side pacing: split n-image jobs, follow the server's headers, avoid 429s."""

from __future__ import annotations

import pytest

from studio.core.request import ImageRequest
from studio.sandbox.app import SandboxConfig
from studio.sandbox.server import EmbeddedSandbox
from studio.service.endpoint import Endpoint
from studio.service.failures import Failure, Kind
from studio.service.pacing import NeverFits, Pacer, parse_reset
from studio.service.retry import RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_chunks_fit_the_images_and_tokens_per_minute():
    pacer = Pacer(5, 100_000)
    assert pacer.chunks(10, 196) == [5, 5] and pacer.chunks(7, 196) == [5, 2] and pacer.chunks(3, 196) == [3]
    assert pacer.chunks(10, 13_342) == [5, 5]  # 4K high: 7 per minute by tokens, 5 by images
    assert Pacer(50, 100_000).chunks(10, 13_342) == [7, 3]
    assert Pacer(5, 100_000).chunks(3, 20_000, 50_000) == [2, 1]  # each call also carries 50,000 input tokens
    with pytest.raises(NeverFits, match="one call may use up to 500 tokens and the tier allows 100"):
        Pacer(5, 100).chunks(2, 500)  # one image alone is over: it would wait forever, so it is refused


@pytest.mark.parametrize(
    "text, seconds",
    [("1s", 1), ("6m0s", 360), ("250ms", 0.25), ("2.661s", 2.661), ("1h2m3s", 3723), ("7", 7), ("", None)],
)
def test_reset_durations(text, seconds):
    assert parse_reset(text) == seconds


def test_window_wait_and_server_headers(run):
    clock = FakeClock()
    pacer = Pacer(5, 1_000_000, minute_seconds=60, margin=0.0, clock=clock)
    assert pacer._wait_needed(5, 10, clock()) == 0
    run(pacer.acquire(5, 10))
    clock.t += 10
    assert pacer._wait_needed(1, 10, clock()) == pytest.approx(50)
    clock.t += 50
    assert pacer._wait_needed(1, 10, clock()) == 0
    pacer.observe({"x-ratelimit-remaining-images": "0", "x-ratelimit-reset-images": "12s"}, since=clock.t - 2)
    assert pacer._wait_needed(1, 10, clock()) == pytest.approx(10)  # counted from when it was sent
    pacer.observe({"x-ratelimit-remaining-images": "3", "x-ratelimit-reset-images": "50s"})
    assert pacer._wait_needed(1, 10, clock()) == pytest.approx(10)


def test_retry_policy_by_code():
    policy = RetryPolicy()
    limited = Failure(Kind.RATE_LIMITED, "m", 429, "rate_limit_exceeded", retry_after=7)
    assert policy.next_wait(limited, 0) == 7 and policy.next_wait(limited, 5) is None
    backoff = [policy.next_wait(Failure(Kind.RATE_LIMITED, "m"), i) for i in range(5)]
    assert all(b1 < b2 for b1, b2 in zip(backoff, backoff[1:])) and backoff[-1] <= 60
    assert (
        policy.next_wait(Failure(Kind.SERVER, "m", 500), 1)
        and policy.next_wait(Failure(Kind.SERVER, "m", 500), 2) is None
    )
    for kind in (
        Kind.QUOTA,
        Kind.MODERATION,
        Kind.AUTH,
        Kind.PERMISSION,
        Kind.NOT_FOUND,
        Kind.INVALID,
        Kind.OUTCOME_UNKNOWN,
    ):
        assert policy.next_wait(Failure(kind, "m"), 0) is None


def test_paced_jobs_meet_no_429_from_a_tier_1_server(run, tmp_path):
    from studio.service.runner import ImageService

    with EmbeddedSandbox(SandboxConfig(tier=1, minute_seconds=1.0)) as sb:
        service = run(
            ImageService.open(Endpoint(sb.base_url, "k"), root=tmp_path, tier=1, minute_seconds=1.0)
        )
        try:
            outcome = run(service.submit(ImageRequest(prompt="x", size="1024x1024", quality="low", n=9)))
        finally:
            run(service.close())
        assert outcome.ok and sum(len(j.images) for j in outcome.jobs) == 9
        statuses = [r.get("status") for r in sb.sandbox.requests]
        assert statuses == [200, 200]
