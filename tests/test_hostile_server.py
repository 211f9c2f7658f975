"""Against a server that breaks the rules (tests/scripted_server.py): a 2xx is never billed $0, never
negative; unusable usage is billed at the quote's bound and flagged; a bill over the quote is kept and
flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from studio.core.request import ImageRequest
from studio.service.endpoint import Endpoint
from studio.service.ledger import totals
from studio.service.retry import RetryPolicy
from studio.service.runner import ImageService

from .scripted_server import ScriptedServer, images_body
from .test_cli import LOW

REQ = ImageRequest(prompt="a lighthouse", size="1024x1024", quality="low")


@pytest.fixture
def hostile(tmp_path, run):
    with ScriptedServer() as server:
        endpoint = Endpoint(server.base_url, "test-key-not-secret")
        service = run(
            ImageService.open(
                endpoint,
                root=tmp_path / "library",
                tier=5,
                policy=RetryPolicy(backoff_base=0.01, server_base=0.01),
            )
        )
        yield server, service
        run(service.close())


@pytest.mark.parametrize(
    "usage, why",
    [
        (None, "the answer had no usage"),
        ("lots", "usage is a str"),
        ([1, 2], "usage is a list"),
        ({"input_tokens": "10", "output_tokens": 196}, "usage.input_tokens is '10'"),
        ({"input_tokens": 10, "output_tokens": float("inf")}, "usage.output_tokens is inf"),
        ({"input_tokens": 10, "output_tokens": -196}, "usage.output_tokens is -196"),
        ({"input_tokens": 10, "output_tokens": 10**12}, "usage.output_tokens is 1000000000000"),
        (
            {"input_tokens": 10, "output_tokens": 196, "output_tokens_details": [1]},
            "output_tokens_details is a list",
        ),
    ],
)
def test_unusable_usage_is_billed_at_the_bound_and_flagged(hostile, run, usage, why):
    server, service = hostile
    server.script(200, images_body(1, usage=usage))
    outcome = run(service.submit(REQ))
    job = outcome.jobs[0]
    assert job.state.value == "saved" and len(job.images) == 1
    assert job.billed_usd == outcome.quote.total_usd_max > 0  # never $0 for a 2xx, never negative
    assert "bill estimated: the answer's usage was unusable" in job.notice and why in job.notice
    assert "req_scripted" in job.notice
    assert run(service.db.run(totals)).today == job.billed_usd  # caps count it at once


def test_a_bill_over_the_quote_is_kept_and_flagged(hostile, run):
    server, service = hostile
    big = {
        "input_tokens": 10,
        "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
        "output_tokens": 5000,
        "output_tokens_details": {"image_tokens": 5000, "text_tokens": 0},
        "total_tokens": 5010,
    }
    server.script(200, images_body(1, usage=big))
    outcome = run(service.submit(REQ))
    job = outcome.jobs[0]
    assert job.billed_usd > outcome.quote.total_usd_max  # what OpenAI charges is what is recorded
    assert job.billed_usd == (Decimal(10) * 5 + Decimal(5000) * 30) / Decimal(1_000_000)
    assert "over the quote: billed $0.1501, quoted at most" in job.notice and "req_scripted" in job.notice


def test_a_good_usage_is_billed_from_usage_without_flags(hostile, run):
    server, service = hostile
    server.script(200, images_body(1))
    job = run(service.submit(REQ)).jobs[0]
    assert job.billed_usd == (Decimal(10) * 5 + Decimal(196) * 30) / Decimal(1_000_000) and not job.notice


def test_jobs_and_ledger_show_the_flags(tmp_path):
    """Through the CLI against the scripted server: `jobs` and `ledger` carry "over the quote" and "bill
    estimated"."""
    import json

    from .test_cli import cli

    big = {"input_tokens": 10, "output_tokens": 5000}
    with ScriptedServer() as server:
        server.script(200, b'{"object": "list", "data": []}')  # the CLI reads /v1/models first (then daily)
        server.script(200, images_body(1, usage=big))
        server.script(200, images_body(1, usage={"output_tokens": "many"}))
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "k-not-secret"}
        r1 = cli(
            "generate",
            "--prompt",
            "x",
            *LOW,
            "--out",
            str(tmp_path),
            env=env,
        )
        r2 = cli(
            "generate",
            "--prompt",
            "y",
            *LOW,
            "--out",
            str(tmp_path),
            env=env,
        )
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    rows = json.loads(cli("ledger", "--json").stdout)["rows"]
    assert "over the quote" in rows[0]["flags"] and "bill estimated" in rows[1]["flags"]
    assert "over the quote" in cli("ledger").stdout and "bill estimated" in cli("jobs").stdout
    assert "flags" in cli("ledger", "--csv").stdout.splitlines()[0]


def test_a_model_list_that_is_not_one_falls_back_without_a_crash(hostile, run):
    from studio.service.model_list import refresh_models

    server, service = hostile
    server.script(200, images_body(1))  # a proxy answering /v1/models with something else entirely
    listed = run(refresh_models(service))
    assert listed.shutdowns == {} and service.registry.get("gpt-image-2")  # the bundled lifecycle stays
    server.script(
        200, b'{"object": "list", "data": [{"id": null}, {"id": "gpt-image-2", "shutdown_date": "soon"}]}'
    )
    listed = run(refresh_models(service, force=True))
    assert listed.shutdowns == {"gpt-image-2": None}  # the unreadable entry skipped, the bad date ignored


def _b64(colour) -> str:
    import base64

    from .scripted_server import png

    return base64.b64encode(png(colour)).decode()


def _saved_files(job) -> list:
    from pathlib import Path

    return [Path(i.path) for i in job.images if Path(i.path).exists() and Path(i.sidecar).exists()]


def test_the_connection_drops_after_image_1_of_2(hostile, run):
    server, service = hostile
    body = f'{{"created": 1, "data": [{{"b64_json": "{_b64((200, 0, 0))}"}}, {{"b64_json": "{_b64((0, 200, 0))[:5000]}'
    server.script(200, body.encode(), {"content-length": str(len(body) + 100_000)}, close_after=True)
    outcome = run(service.submit(REQ.with_changes(n=2)))
    job = outcome.jobs[0]
    assert job.state.value == "saved" and len(_saved_files(job)) == 1
    assert "1 of 2 images arrived; then" in job.notice and "bill estimated" in job.notice
    assert job.billed_usd == outcome.quote.total_usd_max  # a 2xx was probably billed: never $0
    assert (
        len([r for r in server.requests if r["path"].endswith("/images/generations")]) == 1
    )  # nothing re-sent


def test_json_truncated_after_the_images_keeps_them(hostile, run):
    server, service = hostile
    body = f'{{"created": 1, "data": [{{"b64_json": "{_b64((1, 2, 3))}"}}, {{"b64_json": "{_b64((4, 5, 6))}"}}], "usage": {{"inp'
    server.script(200, body.encode())
    job = run(service.submit(REQ.with_changes(n=2))).jobs[0]
    assert job.state.value == "saved" and len(_saved_files(job)) == 2
    assert "2 of 2 images arrived; then" in job.notice and "bill estimated" in job.notice


def test_odd_fields_never_break_the_save(hostile, run):
    server, service = hostile
    server.script(
        200,
        images_body(
            1,
            extra={
                "output_format": ["png"],
                "data": [
                    {
                        "b64_json": _b64((9, 9, 9)),
                        "revised_prompt": 'a "b64_json" trap and \\"b64_json\\": "x"',
                    }
                ],
            },
        ),
    )
    job = run(service.submit(REQ)).jobs[0]
    assert job.state.value == "saved" and len(_saved_files(job)) == 1 and job.images[0].path.endswith(".png")


def test_fewer_images_than_asked_are_saved_and_said(hostile, run):
    server, service = hostile
    server.script(200, images_body(1))
    job = run(service.submit(REQ.with_changes(n=2))).jobs[0]
    assert (
        job.state.value == "saved" and len(_saved_files(job)) == 1 and "1 of 2 images arrived" in job.notice
    )


def _event(kind: str, **fields) -> bytes:
    import json

    return f"event: {kind}\ndata: {json.dumps({'type': kind, **fields})}\n\n".encode()


@pytest.mark.parametrize("ending", ["error", "drop"])
def test_a_stream_that_fails_after_image_1_keeps_it_and_bills_its_usage(hostile, run, ending):
    server, service = hostile
    usage = {
        "input_tokens": 10,
        "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
        "output_tokens": 296,
        "total_tokens": 306,
    }
    body = _event(
        "image_generation.completed",
        b64_json=_b64((7, 7, 7)),
        usage=usage,
        output_format="png",
        size="1024x1024",
        quality="low",
        background="opaque",
        created_at=1,
    )
    if ending == "error":
        body += _event("error", error={"message": "the server fell over", "type": "server_error"})
        server.script(200, body, {"content-type": "text/event-stream"})
    else:
        server.script(
            200,
            body,
            {"content-type": "text/event-stream", "content-length": str(len(body) + 50_000)},
            close_after=True,
        )
    request = REQ.with_changes(n=2, stream=True, partial_images=1)
    job = run(service.submit(request)).jobs[0]
    assert (
        job.state.value == "saved"
        and len(_saved_files(job)) == 1
        and "1 of 2 images arrived; then" in job.notice
    )
    assert job.billed_usd == (Decimal(10) * 5 + Decimal(296) * 30) / Decimal(1_000_000)  # from its own usage
    assert "bill estimated" not in job.notice


def test_a_full_disk_for_previews_never_aborts_a_streamed_call(service_factory, run, monkeypatch):
    """Previews cannot be written (ENOSPC): the call goes on, the final image is saved and billed."""
    import errno

    from studio.service import results

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results, "save_preview", full)
    monkeypatch.setattr("studio.service.previews.save_preview", full)
    service = service_factory()
    job = run(service.submit(REQ.with_changes(stream=True, partial_images=2))).jobs[0]
    assert job.state.value == "saved" and len(_saved_files(job)) == 1 and job.billed_usd > 0


def test_an_edit_that_can_never_fit_the_tier_is_refused_with_the_numbers(
    service_factory, run, png_file, sandbox
):
    from studio.core.errors import RefusedError
    from studio.core.request import EditRequest

    service = service_factory(tier=1)  # 100,000 tokens per minute
    images = tuple(png_file(1024, 1024, name=f"ref{i}.png") for i in range(16))
    request = EditRequest(prompt="combine them", images=images, size="1024x1024", quality="low")
    sent = len(sandbox.sandbox.requests)
    with pytest.raises(
        RefusedError,
        match=r"can never fit your rate tier: one call may use up to [\d,]+ tokens and the "
        r"tier allows 100,000 tokens per minute",
    ):
        run(service.submit(request))
    assert len(sandbox.sandbox.requests) == sent  # nothing sent, nothing journaled
    assert run(service.db.run(lambda conn: conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])) == 0


def test_a_key_of_another_shape_echoed_by_a_401_is_redacted_everywhere(tmp_path):
    import json

    from .test_cli import cli

    key = "corpgw-" + "Q7x" * 8  # not sk-…: the pattern alone would miss it
    echo = {
        "error": {
            "message": f"Incorrect API key provided: {key}. You can find your API key at ...",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    with ScriptedServer() as server:
        server.script(200, b'{"object": "list", "data": []}')
        server.script(401, json.dumps(echo).encode())
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": key}
        r = cli(
            "generate",
            "--prompt",
            "x",
            *LOW,
            "--out",
            str(tmp_path),
            env=env,
        )
    assert r.returncode == 1 and "API key was refused" in r.stderr
    jobs = cli("jobs", "--json").stdout + cli("ledger", "--csv").stdout
    assert key not in r.stdout + r.stderr + jobs and "[redacted]" in r.stderr + jobs


def test_leftover_part_files_are_cleaned_up_on_start(tmp_path, run):
    import os
    import time

    from studio.service.endpoint import Endpoint

    root = tmp_path / "library"
    old = root / "images" / "2026" / "12" / ".abc-01-x.png.k3j2.part"
    young = root / "previews" / ".def-01-p1.png.zz9.part"
    result = root / "images" / "2026" / "12" / "abc-01-x.png"
    for path in (old, young, result):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    service = run(ImageService.open(Endpoint("http://127.0.0.1:9/v1", "k"), root=root))
    run(service.close())
    assert not old.exists() and young.exists() and result.exists()  # only stale temp files go


def test_a_trickling_answer_meets_its_deadline_and_becomes_outcome_unknown(tmp_path, run):
    from studio.service.events import Receiving

    with ScriptedServer() as server:
        server.script(200, images_body(1), trickle=(200, 0.05))  # 200 bytes, then a byte every 50 ms
        service = run(
            ImageService.open(
                Endpoint(server.base_url, "k-not-secret"), root=tmp_path / "lib", tier=5, deadline_s=1.5
            )
        )
        listener = service.events.listener()
        try:
            job = run(service.submit(REQ)).jobs[0]
        finally:
            run(service.close())
        assert len(server.requests) == 1  # never re-sent: it may have been billed
    assert job.state.value == "unknown" and job.failure.kind.value == "outcome_unknown"
    assert "The answer was too slow: no complete answer within 2 s (" in job.failure.message
    received = [e.bytes_received for e in listener.drain() if isinstance(e, Receiving)]
    assert received and received == sorted(received) and 200 <= received[-1] < len(images_body(1))


def test_images_that_arrived_before_the_deadline_are_kept(tmp_path, run):
    body = images_body(2)
    second = body.index(b'"b64_json"', body.index(b'"b64_json"') + 1)  # image 1 is complete before this
    with ScriptedServer() as server:
        server.script(200, body, trickle=(second, 0.05))
        service = run(
            ImageService.open(
                Endpoint(server.base_url, "k-not-secret"), root=tmp_path / "lib", tier=5, deadline_s=1.0
            )
        )
        try:
            job = run(service.submit(REQ.with_changes(n=2))).jobs[0]
        finally:
            run(service.close())
    assert job.state.value == "saved" and len(job.images) == 1
    assert "1 of 2 images arrived; then no complete answer within 1 s" in job.notice
    assert job.billed_usd > 0  # no usage arrived: billed at the quote's bound, flagged
    assert "bill estimated" in job.notice


def test_the_deadline_scales_with_size_quality_and_count_and_a_bad_setting_is_ignored():
    from studio.core.deadline import DEFAULT_BASE_S, MAX_S, base_from_setting, call_deadline

    small = call_deadline(REQ)
    assert small == DEFAULT_BASE_S
    assert call_deadline(REQ.with_changes(quality="high", size="1536x1024")) > small
    assert call_deadline(REQ.with_changes(n=4)) == small + 3 * 0.25 * DEFAULT_BASE_S
    assert call_deadline(REQ.with_changes(size="3840x2160", quality="high")) > 40 * 60
    assert call_deadline(REQ.with_changes(size="3840x2160", quality="high", n=10)) == MAX_S
    assert call_deadline(REQ, 60) == 60
    for stored in (None, "", "soon", "nan"):
        assert base_from_setting(stored) == DEFAULT_BASE_S
    assert (
        base_from_setting("1") == 10 and base_from_setting("1e9") == MAX_S and base_from_setting("240") == 240
    )


def test_a_canary_key_echoed_by_a_server_never_reaches_the_journal_files_or_output(tmp_path):
    """The key in use (not sk- shaped) echoed in a 401, in a stream's error event after an image, in a 404
    and a 400: no journal error text, no file under HOME, no output carries it."""
    import json
    import os
    from pathlib import Path

    from .test_cli import cli

    canary = "gw-canary-" + "Mz4" * 9
    said = f"upstream said: key {canary} is not allowed"
    stream = _event(
        "image_generation.completed",
        b64_json=_b64((9, 9, 9)),
        output_format="png",
        size="1024x1024",
        quality="low",
        background="opaque",
        created_at=1,
        usage={"input_tokens": 10, "output_tokens": 196, "total_tokens": 206},
    ) + _event("error", error={"message": said, "type": "server_error"})
    with ScriptedServer() as server:
        server.script(200, b'{"object": "list", "data": []}')
        server.script(
            401,
            json.dumps(
                {"error": {"message": said, "type": "invalid_request_error", "code": "invalid_api_key"}}
            ).encode(),
        )
        server.script(200, stream, {"content-type": "text/event-stream"})
        for status in (404, 400):  # neither is retried
            server.script(
                status, json.dumps({"error": {"message": said, "type": "invalid_request_error"}}).encode()
            )
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": canary}
        runs = [
            cli("generate", "--prompt", "x", *LOW, env=env),
            cli(
                "generate",
                "--prompt",
                "y",
                *LOW,
                "--n",
                "2",
                "--partial-images",
                "1",
                env=env,
            ),
            cli("generate", "--prompt", "z", *LOW, env=env),
            cli("generate", "--prompt", "w", *LOW, env=env),
        ]
    jobs = json.loads(cli("jobs", "--json").stdout)["jobs"]
    texts = [j["error_message"] or "" for j in jobs]
    assert len(jobs) == 4 and sum("upstream said: key [redacted]" in t for t in texts) >= 3, texts
    assert not [t for t in texts if canary in t], texts
    outputs = "".join(r.stdout + r.stderr for r in runs) + cli("ledger", "--csv").stdout + cli("jobs").stdout
    assert canary not in outputs + json.dumps(jobs) and "[redacted]" in outputs
    for path in Path(os.environ["HOME"]).rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path
