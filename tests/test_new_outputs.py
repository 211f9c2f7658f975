"""gpt-image-2.6's new outputs through the real SDK and the service, against the sandbox: GIF, SVG, markup,
complexity, the project-access refusals, and the lifecycle read from the endpoint's /v1/models."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openai
import pytest
from openai.types import ImagesResponse
from PIL import Image, ImageChops, ImageStat

from studio.core.errors import ModelUnavailableError
from studio.core.images import inspect_image
from studio.core.request import EditRequest, ImageRequest
from studio.core.svg_safety import inspect_svg
from studio.service.model_list import refresh_models

from .image_files import frames, loaded

S26 = "gpt-image-2.6-sunburst"


def _raw(run, client, **kw):
    async def go():
        return await client.images.with_raw_response.generate(**{"model": S26, "prompt": "a fox", **kw})

    raw = run(go())
    body = json.loads(raw.http_response.content)
    ImagesResponse.model_validate(
        body
    )  # the SDK's own (3.57) response type, which knows gif, svg and svg_usage
    return body


def test_gif_is_a_real_animation_billed_as_one_sheet(run, client, registry):
    body = _raw(
        run, client, size="512x512", quality="low", output_format="gif", frame_count=6, frame_duration_ms=120
    )
    gif = Image.open(io.BytesIO(base64.b64decode(body["data"][0]["b64_json"])))
    assert (
        gif.format == "GIF" and gif.n_frames == 6 and gif.size == (512, 512) and gif.info["duration"] == 120
    )
    assert body["output_format"] == "gif" and body["size"] == "512x512"
    from studio.core.sizes import parse_size
    from studio.core.tokens import output_tokens_per_image

    sheet = output_tokens_per_image(
        registry.get(S26), parse_size("2048x1024"), "low"
    )  # 6 frames -> a 4x2 sheet
    assert body["usage"]["output_tokens"] == sheet


def test_svg_is_valid_and_reports_its_author(run, client):
    body = _raw(run, client, size="1024x1024", quality="low", output_format="svg")
    svg = base64.b64decode(body["data"][0]["b64_json"])
    assert inspect_svg(svg).well_formed and inspect_svg(svg).width == 1024
    assert (
        body["svg_usage"]["model"]
        and body["svg_usage"]["output_tokens"] > body["svg_usage"]["reasoning_tokens"] > 0
    )


@pytest.mark.parametrize(
    "kw, config, status, words",
    [
        (dict(model="gpt-image-2", complexity="low"), {}, 400, "complexity"),
        (dict(quality="max", model="gpt-image-2"), {}, 400, "quality"),
        (dict(output_format="svg", n=2), {}, 400, "n must be 1"),
        (dict(output_format="gif", size="1024x1024", frame_count=6), {}, 400, "4x2 sheet of 4096x2048"),
        (
            dict(output_format="gif", size="512x512"),
            {"gif_access": False},
            400,
            "GIF output is not enabled for this request.",
        ),
        (
            dict(output_format="svg"),
            {"svg_model_selection": True},
            400,
            "SVG generation requires 'svg.model'.",
        ),
        (dict(output_format="svg", svg={"model": "gpt-5.4"}), {}, 400, "SVG model selection is not enabled"),
        (
            dict(background="transparent"),
            {"no_transparency": frozenset({S26})},
            400,
            "Transparent background is not supported for this model",
        ),
    ],
)
def test_the_sandbox_refuses_like_the_api(run, client, sandbox, kw, config, status, words):
    for key, value in config.items():
        setattr(sandbox.config, key, value)
    with pytest.raises(openai.APIStatusError) as err:
        _raw(run, client, **kw)
    assert err.value.status_code == status and words in err.value.message
    assert err.value.body["type"] == "invalid_request_error"


def _markup_pair(tmp_path: Path):
    src = Image.new("RGB", (1024, 1024), (40, 90, 160))
    markup = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    markup.paste((255, 0, 0, 255), (600, 600, 700, 700))  # a red box around what to change
    buf_s, buf_m = io.BytesIO(), io.BytesIO()
    src.save(buf_s, "PNG")
    markup.save(buf_m, "PNG")
    return inspect_image(buf_s.getvalue(), "src.png"), inspect_image(
        buf_m.getvalue(), "markup.png", role="markup"
    )


def test_a_markup_edit_changes_the_marked_region_through_the_service(run, service_factory, tmp_path, sandbox):
    service = service_factory()
    src, markup = _markup_pair(tmp_path)
    request = EditRequest(
        prompt="make the box a sun", model=S26, images=(src,), markup=markup, size="1024x1024", quality="low"
    )
    outcome = run(service.submit(request))
    job = outcome.jobs[0]
    assert job.state.value == "saved", job.failure
    files = [r for r in sandbox.sandbox.requests if r["path"] == "/v1/images/edits"][-1]["files"]
    assert {f["field"] for f in files} == {"image", "markup"}  # markup sent, no mask
    result = loaded(job.images[0].path).convert("RGB")
    source = loaded(io.BytesIO(src.data)).convert("RGB")
    diff = ImageChops.difference(result, source)
    inside = ImageStat.Stat(diff.crop((600, 600, 700, 700))).mean[0]
    outside = ImageStat.Stat(diff.crop((0, 0, 300, 300))).mean[0]
    assert inside > 3 * outside


def test_gif_and_svg_round_trip_through_the_service_and_are_billed(run, service_factory, registry):
    service = service_factory()
    gif = run(
        service.submit(
            ImageRequest(
                prompt="a bouncing ball",
                model=S26,
                size="512x512",
                quality="low",
                output_format="gif",
                frame_count=4,
            ),
            board="Motion",
        )
    ).jobs[0]
    assert gif.state.value == "saved" and gif.images[0].path.endswith(".gif")
    assert frames(gif.images[0].path) == 4
    svg = run(
        service.submit(
            ImageRequest(prompt="a logo", model=S26, size="1024x1024", quality="low", output_format="svg"),
            board="Motion",
        )
    ).jobs[0]
    assert svg.state.value == "saved" and svg.images[0].path.endswith(".svg") and svg.images[0].width == 1024
    sidecar = json.loads(Path(svg.images[0].sidecar).read_text())
    assert sidecar["svg_well_formed"] is True and Decimal(sidecar["bill"]["svg_usd"]) > 0
    assert Decimal(sidecar["billed_usd"]) == Decimal(sidecar["bill"]["usd"])


def test_estimates_learn_from_the_services_own_bills(run, service_factory):
    service = service_factory()
    request = ImageRequest(prompt="a fox", model=S26, size="1024x1024", quality="low", complexity="medium")
    _, before = service.check(request)
    assert before.kind == "estimate" and before.calibrated_from == 0
    for _ in range(2):
        run(service.submit(request))
    run(service.relearn())
    _, after = service.check(request)
    assert after.calibrated_from == 2 and after.output_tokens_max >= after.output_tokens_per_image


def test_a_shutdown_date_served_by_the_endpoint_refuses_the_model_from_that_day(
    run, service_factory, sandbox, pinned_clock
):
    day = pinned_clock.now().date() + dt.timedelta(days=5)
    sandbox.config.shutdowns = {"gpt-image-2.6-flare": day}
    service = service_factory()
    listed = run(refresh_models(service))
    assert listed.fresh and listed.shutdowns["gpt-image-2.6-flare"] == day and listed.shutdowns[S26] is None
    request = ImageRequest(prompt="a fox", model="gpt-image-2.6-flare", size="1024x1024", quality="low")
    checked, _ = service.check(request)
    assert any(day.isoformat() in w and "(in 5 days)" in w for w in checked.warnings)
    assert service.registry.get("gpt-image-2.6-flare").lifecycle_source.startswith(
        "the endpoint's /v1/models"
    )
    cached = run(refresh_models(service))  # read at most daily: the cache answers
    assert not cached.fresh and cached.shutdowns["gpt-image-2.6-flare"] == day
    pinned_clock.advance(dt.timedelta(days=5))
    reread = run(refresh_models(service))  # a day later: read again; the endpoint no longer lists the model
    assert reread.fresh and reread.shutdowns["gpt-image-2.6-flare"] == day  # its date is kept
    sent_before = len(sandbox.sandbox.requests)
    with pytest.raises(ModelUnavailableError, match=f"shut down on {day.isoformat()}"):
        run(service.submit(request))
    assert len(sandbox.sandbox.requests) == sent_before  # refused before sending


def test_a_transparency_refusal_says_opaque_would_work_and_is_not_retried(run, service_factory, sandbox):
    from studio.service.failures import Kind

    sandbox.config.no_transparency = frozenset({S26})
    service = service_factory()
    before = sum(1 for r in sandbox.sandbox.requests if r["path"].startswith("/v1/images/"))
    job = run(
        service.submit(
            ImageRequest(
                prompt="a sticker", model=S26, size="1024x1024", quality="low", background="transparent"
            )
        )
    ).jobs[0]
    assert job.state.value == "failed" and job.failure.kind is Kind.NO_TRANSPARENCY
    assert "opaque background would work" in job.failure.message and job.billed_usd in (None, Decimal(0))
    assert sum(1 for r in sandbox.sandbox.requests if r["path"].startswith("/v1/images/")) == before + 1


def test_a_broken_svg_is_kept_as_received_and_flagged(run, service_factory, sandbox, qapp):
    sandbox.config.broken_svg = True
    service = service_factory()
    job = run(
        service.submit(
            ImageRequest(prompt="a logo", model=S26, size="1024x1024", quality="low", output_format="svg"),
            board="Vectors",
        )
    ).jobs[0]
    assert (
        job.state.value == "saved" and job.images and Path(job.images[0].path).read_bytes() == job.received[0]
    )
    assert "the SVG is kept as received but it is not well-formed XML" in job.notice
    sidecar = json.loads(Path(job.images[0].sidecar).read_text())
    assert sidecar["svg_well_formed"] is False and "not well-formed" in sidecar["svg_problem"]
    from studio.state.thumbnails import load_scaled

    assert not load_scaled(job.images[0].path, 64).isNull()  # shown as a notice, never parsed raw
