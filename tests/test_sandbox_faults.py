"""Injected faults reach the SDK as the real API's would, and the service explains each one."""

from __future__ import annotations

import openai
import pytest

from studio.core.request import ImageRequest
from studio.core.validation import validate
from studio.sandbox.app import SandboxConfig
from studio.sandbox.faults import FaultPlan, FaultSpecError
from studio.sandbox.server import EmbeddedSandbox
from studio.service.client import make_client
from studio.service.endpoint import Endpoint
from studio.service.failures import Kind, explain
from studio.service.images_api import call_images


def _gen(client):
    return client.images.generate(model="gpt-image-2", prompt="x", size="1024x1024", quality="low")


@pytest.mark.parametrize(
    "fault, exc_type, code, kind",
    [
        ("rate_limit", openai.RateLimitError, "rate_limit_exceeded", Kind.RATE_LIMITED),
        ("rate_limit_no_retry_after", openai.RateLimitError, "rate_limit_exceeded", Kind.RATE_LIMITED),
        ("insufficient_quota", openai.RateLimitError, "insufficient_quota", Kind.QUOTA),
        ("server_error", openai.InternalServerError, None, Kind.SERVER),
        ("overloaded", openai.InternalServerError, "overloaded", Kind.SERVER),
        ("moderation_input", openai.BadRequestError, "moderation_blocked", Kind.MODERATION),
        ("moderation_output", openai.BadRequestError, "moderation_blocked", Kind.MODERATION),
        ("bad_key", openai.AuthenticationError, "invalid_api_key", Kind.AUTH),
        ("org_unverified", openai.PermissionDeniedError, None, Kind.PERMISSION),
    ],
)
def test_status_faults(run, client, sandbox, fault, exc_type, code, kind):
    sandbox.config.faults.push(fault)
    with pytest.raises(exc_type) as err:
        run(_gen(client))
    assert err.value.code == code
    failure = explain(err.value)
    assert failure.kind is kind and failure.request_id
    run(_gen(client))  # the fault was used up: the next call succeeds


def test_retry_after_is_sent_only_when_asked(run, client, sandbox):
    sandbox.config.faults.push("rate_limit,rate_limit_no_retry_after")
    with pytest.raises(openai.RateLimitError) as first:
        run(_gen(client))
    with pytest.raises(openai.RateLimitError) as second:
        run(_gen(client))
    assert first.value.response.headers["retry-after"] == "1" and explain(first.value).retry_after == 1
    assert "retry-after" not in second.value.response.headers and explain(second.value).retry_after is None


def test_explanations_are_specific(run, client, sandbox):
    sandbox.config.faults.push("moderation_input,moderation_output,org_unverified,insufficient_quota")
    texts = []
    for _ in range(4):
        with pytest.raises(openai.APIStatusError) as err:
            run(_gen(client))
        texts.append(explain(err.value).message)
    assert "input stage" in texts[0] and "prompt" in texts[0]
    assert "output stage" in texts[1]
    assert "platform.openai.com/settings/organization" in texts[2]
    assert "credit" in texts[3]


def test_moderation_output_inside_a_stream(run, sync_client, sandbox, registry):
    sandbox.config.faults.push("moderation_output")
    checked = validate(
        ImageRequest(prompt="x", size="1024x1024", quality="low", stream=True, partial_images=1), registry
    )
    with pytest.raises(openai.APIError) as err:
        run(call_images(sync_client, checked))
    failure = explain(err.value)
    assert failure.kind is Kind.MODERATION and "output stage" in failure.message


def test_hang_times_out_and_is_outcome_unknown(run, sandbox):
    sandbox.config.faults.push("hang")
    client = make_client(Endpoint(sandbox.base_url, "k"), timeout=0.5)
    with pytest.raises(openai.APITimeoutError) as err:
        run(_gen(client))
    run(client.close())
    failure = explain(err.value)
    assert failure.kind is Kind.OUTCOME_UNKNOWN and failure.may_have_been_billed


def test_dropped_connection_is_outcome_unknown(run, client, sandbox):
    sandbox.config.faults.push("drop")
    with pytest.raises(openai.APIConnectionError) as err:
        run(_gen(client))
    assert explain(err.value).kind is Kind.OUTCOME_UNKNOWN


def test_no_server_is_a_connection_failure_nothing_sent(run):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    client = make_client(Endpoint(f"http://127.0.0.1:{port}/v1", "k"))
    with pytest.raises(openai.APIConnectionError) as err:
        run(_gen(client))
    run(client.close())
    assert explain(err.value).kind is Kind.CONNECTION


def test_fault_spec_parsing():
    plan = FaultPlan("ok:2,server_error,rate_limit:*")
    assert [plan.take() for _ in range(5)] == [None, None, "server_error", "rate_limit", "rate_limit"]
    with pytest.raises(FaultSpecError, match="unknown"):
        FaultPlan("explode")
    with pytest.raises(FaultSpecError, match="positive whole number"):
        FaultPlan("server_error:0")


def test_rate_tier_emulation_paces_with_retry_after(run):
    now = [1000.0]  # the rate window's clock, moved by hand: no test waits for real time to pass
    config = SandboxConfig(tier=1, rate_clock=lambda: now[0])  # Tier 1: 5 images per minute
    with EmbeddedSandbox(config) as sb:
        client = make_client(Endpoint(sb.base_url, "k"))

        async def gen(n):
            return await client.images.with_raw_response.generate(
                model="gpt-image-2", prompt="x", size="1024x1024", quality="low", n=n
            )

        ok = run(gen(3))
        assert (
            ok.headers["x-ratelimit-limit-images"] == "5"
            and ok.headers["x-ratelimit-remaining-images"] == "2"
        )
        run(gen(2))
        with pytest.raises(openai.RateLimitError) as err:
            run(gen(1))
        assert (
            err.value.code == "rate_limit_exceeded"
            and int(err.value.response.headers["retry-after"]) == 60  # a whole minute: nothing left it yet
        )
        with pytest.raises(openai.RateLimitError, match="Request too large"):
            run(gen(6))  # more than a minute's worth: waiting cannot help
        now[0] += float(err.value.response.headers["retry-after-ms"]) / 1000 - 0.01
        with pytest.raises(openai.RateLimitError):  # not yet: the window still holds five images
            run(gen(1))
        now[0] += 0.02  # the retry-after has passed
        run(gen(1))
        run(client.close())
