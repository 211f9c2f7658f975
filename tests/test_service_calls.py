"""The service through the real SDK against the sandbox's faults: requests sent, retries, messages."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from studio.core.placement import Placement
from studio.core.provenance import read_provenance, strip_provenance
from studio.core.request import ImageRequest
from studio.service import journal, library
from studio.service.events import (
    CostUpdated,
    ImageSaved,
    JobFailed,
    JobQueued,
    JobSaved,
    JobSent,
    JobUnknown,
    RateLimited,
)
from studio.service.journal import JobState

REQ = ImageRequest(prompt="a lighthouse at dusk", size="1024x1024", quality="low")


def _image_requests(sandbox) -> int:
    return sum(1 for r in sandbox.sandbox.requests if r["path"].startswith("/v1/images/"))


@pytest.mark.parametrize(
    "fault, requests, state, words",
    [
        ("rate_limit", 2, JobState.SAVED, None),
        ("rate_limit_no_retry_after", 2, JobState.SAVED, None),
        ("rate_limit:*", 6, JobState.FAILED, "Rate-limited"),
        ("insufficient_quota", 1, JobState.FAILED, "out of credit"),
        ("server_error", 2, JobState.SAVED, None),
        ("overloaded:*", 3, JobState.FAILED, "OpenAI is having trouble (HTTP 503)"),
        ("moderation_input", 1, JobState.FAILED, "input stage"),
        ("moderation_output", 1, JobState.FAILED, "output stage"),
        ("bad_key", 1, JobState.FAILED, "API key was refused"),
        ("org_unverified", 1, JobState.FAILED, "platform.openai.com/settings/organization/general"),
        ("drop", 1, JobState.UNKNOWN, "may have been processed and billed"),
    ],
)
def test_each_fault_sends_the_right_number_of_requests(
    run, sandbox, service_factory, fault, requests, state, words
):
    service = service_factory()
    sandbox.config.faults.push(fault)
    outcome = run(service.submit(REQ))
    job = outcome.jobs[0]
    assert job.state is state
    assert _image_requests(sandbox) == requests
    if words:
        assert words in job.failure.message
    row = service.db.run_sync(journal.get_job, job.job_id)
    assert row["state"] == state.value and row["attempts"] == requests
    sandbox.config.faults.clear()


def test_rate_limit_retry_is_announced(run, sandbox, service_factory):
    service = service_factory()
    listener = service.events.listener()
    sandbox.config.faults.push("rate_limit")
    run(service.submit(REQ))
    waits = [e for e in listener.drain() if isinstance(e, RateLimited)]
    assert waits and waits[0].message == "rate-limited, retrying in 1 s"


def test_timeout_after_sending_is_outcome_unknown_and_not_retried(run, sandbox, service_factory):
    service = service_factory(timeout=0.5)
    sandbox.config.faults.push("hang")
    outcome = run(service.submit(REQ))
    job = outcome.jobs[0]
    assert job.state is JobState.UNKNOWN and _image_requests(sandbox) == 1
    assert "may still have been processed and billed" in job.failure.message


def test_a_saved_job_walks_every_state_and_keeps_its_provenance(run, sandbox, service_factory, tmp_path):
    service = service_factory()
    listener = service.events.listener()
    outcome = run(
        service.submit(ImageRequest(prompt="a fox", size="1024x1024", quality="low", n=2), board="Shots")
    )
    assert outcome.ok and len(outcome.jobs[0].images) == 2
    kinds = [type(e) for e in listener.drain()]
    assert kinds[:2] == [JobQueued, JobSent] and kinds.count(ImageSaved) == 2
    assert kinds.index(JobSaved) > kinds.index(ImageSaved) and kinds[-1] is CostUpdated
    job = outcome.jobs[0]
    row = service.db.run_sync(journal.get_job, job.job_id)
    assert (
        row["state"] == "saved"
        and row["request_id"].startswith("req_")
        and Decimal(row["billed_usd"]) == job.billed_usd
    )
    assert json.loads(row["request_json"])["prompt"] == "a fox"
    for image, received in zip(job.images, job.received):
        data = Path(image.path).read_bytes()
        assert strip_provenance(data) == received  # the received bytes, untouched
        sidecar = json.loads(Path(image.sidecar).read_text())
        assert sidecar["request_id"] == row["request_id"] and sidecar["usage"] == job.usage
        assert sidecar["billed_usd"] == str(job.billed_usd) and sidecar["prompt"] == "a fox"
        import hashlib

        assert sidecar["sha256_received"] == hashlib.sha256(received).hexdigest()
        assert read_provenance(data)["request_id"] == row["request_id"]
    board = service.db.run_sync(library.board_id, "Shots")
    panels = service.db.run_sync(library.panels, board)
    assert [p["path"] for p in panels] == [i.path for i in job.images]


def test_n_beyond_the_tier_is_split_into_paced_calls(run, sandbox, service_factory):
    service = service_factory(tier=1, minute_seconds=0.5)  # 5 images per (half-second) minute
    outcome = run(service.submit(ImageRequest(prompt="x", size="1024x1024", quality="low", n=7), board="B"))
    assert [j.state for j in outcome.jobs] == [JobState.SAVED, JobState.SAVED]
    assert [len(j.images) for j in outcome.jobs] == [5, 2]
    assert [i.index for j in outcome.jobs for i in j.images] == list(range(7))  # panel order kept


def test_streamed_previews_are_kept_then_replaced(run, sandbox, service_factory):
    service = service_factory()
    seen = []
    listener = service.events.listener()
    outcome = run(
        service.submit(
            ImageRequest(prompt="x", size="1024x1024", quality="low", stream=True, partial_images=2)
        )
    )
    from studio.service.events import PartialImage

    partials = [e for e in listener.drain() if isinstance(e, PartialImage)]
    assert [(p.index, p.step) for p in partials] == [(0, 0), (0, 1)]
    seen = [Path(p.path) for p in partials]
    assert outcome.ok and not any(p.exists() for p in seen)  # replaced by the final image
    assert service.db.run_sync(library.previews, outcome.jobs[0].job_id) == []


def test_disk_full_in_the_library_keeps_the_image_and_says_so(run, sandbox, service_factory, monkeypatch):
    import errno

    from studio.service import results

    real = results.atomic_write

    def full_library(path: Path, data: bytes) -> None:
        if "images" in path.parts:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(results, "atomic_write", full_library)
    service = service_factory()
    outcome = run(service.submit(REQ))
    job = outcome.jobs[0]
    assert (
        job.state is JobState.SAVED and "No space left on device" in job.notice and "recovered" in job.notice
    )
    assert strip_provenance(Path(job.images[0].path).read_bytes()) == job.received[0]


def test_when_no_folder_can_be_written_the_bytes_stay_in_memory(run, sandbox, service_factory, monkeypatch):
    import errno

    from studio.service import results

    def nowhere(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results, "atomic_write", nowhere)
    service = service_factory()
    outcome = run(service.submit(REQ))
    job = outcome.jobs[0]
    assert job.state is JobState.RECEIVED and len(job.received) == 1 and "still in memory" in job.notice
    assert service.db.run_sync(journal.get_job, job.job_id)["error_kind"] == "save_failed"


def test_sandbox_calls_are_recorded_but_never_charged(run, service_factory):
    from studio.service import ledger

    service = service_factory(is_sandbox=True)
    run(service.submit(REQ))
    totals = service.db.run_sync(ledger.totals)
    assert totals.today == 0 and totals.sandbox_calls == 1


def test_events_are_immutable():
    import dataclasses

    event = JobFailed("j", "quota", "m", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.message = "x"  # type: ignore[misc]
    assert JobUnknown("j", "m") == JobUnknown("j", "m")


def test_subscribers_receive_events_through_an_async_iterator(run, service_factory):
    import asyncio

    service = service_factory()

    async def go():
        seen = []

        async def consume():
            async for event in service.events.subscribe():
                seen.append(type(event).__name__)
                if isinstance(event, CostUpdated):
                    return

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0)  # let the subscriber register
        await service.submit(REQ)
        await asyncio.wait_for(consumer, 5)
        return seen

    assert run(go()) == ["JobQueued", "JobSent", "ImageSaved", "JobSaved", "CostUpdated"]


def test_cancel_a_queued_job_spends_nothing(run, sandbox, service_factory):
    import asyncio

    from studio.service import ledger

    service = service_factory(tier=1, minute_seconds=30)  # the second call waits for the next "minute"

    async def until(predicate):
        for _ in range(1000):
            if predicate():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not met in time")

    listener = service.events.listener()
    queued: list[str] = []
    sent: set[str] = set()

    def follow() -> None:  # what the service says, through its public events
        for event in listener.drain():
            if isinstance(event, JobQueued):
                queued.append(event.job_id)
            elif isinstance(event, JobSent):
                sent.add(event.job_id)

    def unsent() -> list[str]:
        follow()
        return [j for j in queued if j not in sent]

    async def go():
        first = asyncio.create_task(
            service.submit(ImageRequest(prompt="x", size="1024x1024", quality="low", n=5))
        )
        await until(lambda: not follow() and len(sent) == 1)  # the first call is out
        second = asyncio.create_task(
            service.submit(ImageRequest(prompt="y", size="1024x1024", quality="low"))
        )
        await until(lambda: len(unsent()) == 1)  # the second waits for the next minute
        [waiting] = unsent()
        assert service.cancel(waiting)
        return await first, await second

    first, second = run(go())
    assert (
        first.ok
        and second.jobs[0].state is JobState.FAILED
        and "nothing was spent" in second.jobs[0].failure.message
    )
    assert _image_requests(sandbox) == 1
    rows = {r["job_id"]: r for r in service.db.run_sync(ledger.ledger_rows)}
    assert rows[second.jobs[0].job_id]["committed_usd"] == "0"


def test_reroll_lands_right_after_its_panel(run, service_factory):
    service = service_factory()
    run(service.submit(ImageRequest(prompt="a", size="1024x1024", quality="low", n=3), board="R"))
    board = service.db.run_sync(library.board_id, "R")
    before = service.db.run_sync(library.panels, board)
    listener = service.events.listener()
    run(
        service.submit(
            ImageRequest(prompt="a", size="1024x1024", quality="low"), Placement.after("R", before[0]["id"])
        )
    )
    after = service.db.run_sync(library.panels, board)
    assert [p["id"] for p in after][0] == before[0]["id"] and [p["id"] for p in after][2:] == [
        p["id"] for p in before[1:]
    ]
    saved = [e for e in listener.drain() if isinstance(e, ImageSaved)]
    assert (
        len(saved) == 1 and saved[0].panel["id"] == after[1]["id"] and saved[0].panel["position"] == 1
    )  # where it landed
    assert saved[0].placement.where == "after"


def test_each_placement_puts_results_where_it_says(run, service_factory):
    service = service_factory()
    req = ImageRequest(prompt="a", size="1024x1024", quality="low")
    listener = service.events.listener()
    run(service.submit(req, Placement.end("P")))
    run(service.submit(req, Placement.library("P")))  # the board carries the cost, no panel is made
    run(service.submit(req))  # neither: the library only
    board = service.db.run_sync(library.board_id, "P")
    assert len(service.db.run_sync(library.panels, board)) == 1
    queued = [e.placement.where for e in listener.drain() if isinstance(e, JobQueued)]
    assert queued == ["end", "library", "library"]
    with pytest.raises(ValueError):
        Placement("after", "P")  # an anchor is required


def test_unknown_jobs_can_be_resent_or_dismissed(run, sandbox, service_factory):
    service = service_factory()
    sandbox.config.faults.push("drop")
    outcome = run(service.submit(REQ, board="U"))
    job_id = outcome.jobs[0].job_id
    again = run(service.resend(job_id))
    assert again.ok and service.db.run_sync(journal.get_job, job_id)["error_kind"] == "resent"
    sandbox.config.faults.push("drop")
    other = run(service.submit(REQ)).jobs[0].job_id
    run(service.dismiss(other))
    assert service.db.run_sync(journal.get_job, other)["error_kind"] == "dismissed"


def test_cancel_before_the_job_task_first_runs(run, sandbox, service_factory):
    import asyncio

    service = service_factory()

    listener = service.events.listener()

    async def go():
        submit = asyncio.create_task(service.submit(REQ))
        while listener.queue.empty():  # queued (JobQueued), its task created but not yet started
            await asyncio.sleep(0)
        job_id = listener.drain()[0].job_id
        assert service.cancel(job_id)
        return await submit

    outcome = run(go())
    assert outcome.jobs[0].state is JobState.FAILED and "nothing was spent" in outcome.jobs[0].failure.message
    assert service.db.run_sync(journal.get_job, outcome.jobs[0].job_id)["state"] == "failed"
    assert _image_requests(sandbox) == 0


@pytest.mark.parametrize(
    "fault, state, words",
    [
        ("moderation_output", JobState.FAILED, "output stage"),  # an error event inside the stream
        ("drop", JobState.UNKNOWN, "may have been processed and billed"),
    ],
)
def test_streamed_calls_fail_like_the_others(run, sandbox, service_factory, fault, state, words):
    """Streamed calls run on the worker thread too; their failures are explained the same way."""
    service = service_factory()
    sandbox.config.faults.push(fault)
    outcome = run(service.submit(REQ.with_changes(stream=True, partial_images=1)))
    job = outcome.jobs[0]
    assert job.state is state and words in job.failure.message
    sandbox.config.faults.clear()


@pytest.mark.parametrize("stream", [False, True])
def test_the_sandbox_can_hang_up_after_image_1_and_the_image_is_kept(run, sandbox, service_factory, stream):
    """The drop_after_image fault, through the real SDK: the first image arrived whole and is saved, once."""
    service = service_factory()
    sandbox.config.faults.push("drop_after_image")
    request = REQ.with_changes(n=2, stream=stream, partial_images=1 if stream else 0)
    job = run(service.submit(request)).jobs[0]
    assert (
        job.state is JobState.SAVED and len(job.images) == 1 and "1 of 2 images arrived; then" in job.notice
    )
    assert _image_requests(sandbox) == 1 and job.billed_usd > 0  # never re-sent, never $0
    sandbox.config.faults.clear()
