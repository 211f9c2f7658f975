"""The sandbox's Files and Batch APIs, through the real SDK over real HTTP (shared/docs/batch-api.md)."""

from __future__ import annotations

import base64
import io
import json
import time

import pytest
from PIL import Image

from studio.sandbox.app import SandboxConfig
from studio.sandbox.server import EmbeddedSandbox
from tests.schema import validate as schema_validate

GEN = "/v1/images/generations"


def line(custom_id, prompt="a kite", url=GEN, **body):
    return json.dumps(
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": url,
            "body": {"model": "gpt-image-2", "prompt": prompt, "size": "1024x1024", "quality": "low", **body},
        }
    )


@pytest.fixture
def fast():
    config = SandboxConfig(batch_seconds=0.2)
    with EmbeddedSandbox(config) as sb:
        from openai import OpenAI

        sdk = OpenAI(base_url=sb.base_url, api_key="test-key-not-secret", max_retries=0, timeout=30)
        yield sb, sdk
        sdk.close()


def submit(sdk, lines, endpoint=GEN):
    upload = sdk.files.create(file=("in.jsonl", ("\n".join(lines) + "\n").encode()), purpose="batch")
    return sdk.batches.create(input_file_id=upload.id, endpoint=endpoint, completion_window="24h")


def wait(sdk, batch, timeout=30):
    deadline = time.monotonic() + timeout
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        assert time.monotonic() < deadline, batch.status
        time.sleep(0.05)
        batch = sdk.batches.retrieve(batch.id)
    return batch


def records(sdk, file_id):
    with sdk.files.with_streaming_response.content(file_id) as response:
        assert response.http_request.headers["accept"] == "application/binary"
        return [json.loads(raw) for raw in response.iter_lines() if raw.strip()]


def test_a_batch_runs_validating_to_completed_with_answers_and_an_error_file(fast):
    sb, sdk = fast
    batch = submit(sdk, [line("a"), line("b", prompt="a boat"), line("bad", size="1000x1000")])
    assert batch.status == "validating"
    assert batch.request_counts.total == 0  # counts are 0 while validating
    assert batch.expires_at == batch.created_at + 86400
    done = wait(sdk, batch)
    assert done.status == "completed"
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (3, 2, 1)
    assert done.in_progress_at and done.finalizing_at and done.completed_at
    answers = {r["custom_id"]: r for r in records(sdk, done.output_file_id)}
    assert set(answers) == {"a", "b"}
    for answer in answers.values():
        assert answer["error"] is None and answer["response"]["status_code"] == 200
        body = answer["response"]["body"]
        schema_validate(body, "ImagesResponse")
        png = base64.b64decode(body["data"][0]["b64_json"])
        assert Image.open(io.BytesIO(png)).size == (1024, 1024)
        assert body["usage"]["output_tokens"] > 0
    [error] = records(sdk, done.error_file_id)
    assert error["custom_id"] == "bad" and error["error"] is None  # a 4xx is a response, not an error
    assert error["response"]["status_code"] == 400
    assert error["response"]["body"]["error"]["param"] == "size"
    assert done.usage.output_tokens == sum(
        a["response"]["body"]["usage"]["output_tokens"] for a in answers.values()
    )
    assert sdk.files.retrieve(done.output_file_id).purpose == "batch_output"


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (["{not json"], "invalid_json_line"),
        ([line("a"), line("a")], "duplicate_custom_id"),
        ([line("a", url="/v1/images/edits")], "url_mismatch"),
        ([line("a"), line("b", model="gpt-image-2.5-flare")], "model_mismatch"),
        ([line("a", model="gpt-image-2.6-sunburst")], "model_not_supported"),
    ],
)
def test_bad_input_files_fail_the_batch_while_validating_with_the_line(fast, lines, code):
    _, sdk = fast
    done = wait(sdk, submit(sdk, lines))
    assert done.status == "failed"
    assert done.errors.data[0].code == code
    assert done.output_file_id is None


def test_files_api_refuses_a_batch_file_that_is_not_jsonl_and_serves_raw_bytes(fast):
    import openai

    _, sdk = fast
    with pytest.raises(openai.BadRequestError, match="Must be .jsonl"):
        sdk.files.create(file=("in.txt", b"{}"), purpose="batch")
    png = b"\x89PNG\r\n\x1a\n-not-really"
    stored = sdk.files.create(file=("ref.png", png), purpose="user_data")
    assert sdk.files.content(stored.id).content == png
    assert sdk.files.delete(stored.id).deleted
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(stored.id)


def test_an_edit_batch_reads_its_images_by_file_id(fast, png_file):
    sb, sdk = fast
    source = png_file(256, 256).data
    ref = sdk.files.create(file=("ref.png", source), purpose="user_data")
    body = {"images": [{"file_id": ref.id}], "size": "1024x1024"}
    done = wait(sdk, submit(sdk, [line("e1", url="/v1/images/edits", **body)], "/v1/images/edits"))
    [answer] = records(sdk, done.output_file_id)
    assert answer["response"]["status_code"] == 200
    assert answer["response"]["body"]["usage"]["input_tokens_details"]["image_tokens"] > 0


def test_cancel_keeps_what_finished_and_lists_the_rest(fast):
    sb, sdk = fast
    sb.config.batch_seconds = 3.0
    batch = submit(sdk, [line(f"l{i}") for i in range(6)])
    deadline = time.monotonic() + 30
    while (now := sdk.batches.retrieve(batch.id)).request_counts.completed < 1:
        assert now.status == "in_progress" or now.status == "validating", now.errors
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sdk.batches.cancel(batch.id).status == "cancelling"
    done = wait(sdk, batch)
    assert done.status == "cancelled"
    finished = records(sdk, done.output_file_id)
    unran = records(sdk, done.error_file_id)
    assert 1 <= len(finished) < 6 and len(finished) + len(unran) == 6
    assert {r["error"]["code"] for r in unran} == {"batch_cancelled"}


def test_injected_batch_faults_expire_and_token_limit(fast):
    sb, sdk = fast
    sb.config.faults.push("batch/expire")
    expired = wait(sdk, submit(sdk, [line(f"l{i}") for i in range(4)]))
    assert expired.status == "expired"
    assert len(records(sdk, expired.output_file_id)) == 2
    assert {r["error"]["code"] for r in records(sdk, expired.error_file_id)} == {"batch_expired"}
    sb.config.faults.push("batch/token_limit")
    full = wait(sdk, submit(sdk, [line("x")]))
    assert full.status == "failed" and full.errors.data[0].code == "token_limit_exceeded"
    sb.config.faults.push("line/moderation_input")
    moderated = wait(sdk, submit(sdk, [line("m"), line("ok")]))
    [blocked] = records(sdk, moderated.error_file_id)
    assert blocked["response"]["body"]["error"]["code"] == "moderation_blocked"


def test_an_all_failed_batch_completes_without_an_output_file(fast):
    _, sdk = fast
    done = wait(sdk, submit(sdk, [line("a", size="1000x1000"), line("b", quality="ultra")]))
    assert done.status == "completed" and done.output_file_id is None and done.error_file_id


def test_batches_list_pages_newest_first(fast):
    _, sdk = fast
    made = [submit(sdk, [line("a")]).id for _ in range(3)]
    first = sdk.batches.list(limit=2)
    assert [b.id for b in first.data] == made[::-1][:2] and first.has_more
    assert [b.id for b in sdk.batches.list(limit=2)] == made[::-1]  # the SDK pages on by itself


def test_batch_faults_need_their_prefix():
    from studio.sandbox.faults import FaultPlan, FaultSpecError

    with pytest.raises(FaultSpecError, match="batch/"):
        FaultPlan("expire")
    with pytest.raises(FaultSpecError):
        FaultPlan("batch/rate_limit")
    with pytest.raises(FaultSpecError, match="line/"):
        FaultPlan("line/hang")
    FaultPlan("batch/failed,line/server_error:2")
