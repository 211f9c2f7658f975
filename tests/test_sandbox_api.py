"""The sandbox through the real openai SDK over real HTTP on loopback, checked against OpenAI's schema."""

from __future__ import annotations

import base64
import io
import json

import httpx2
import openai
import pytest
from PIL import Image, ImageChops, ImageStat

from studio.core.pricing import quote
from studio.core.request import ImageRequest
from studio.core.validation import validate
from tests.schema import validate as schema_validate


def _decode(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def test_generation_is_faithful(run, client, registry):
    async def go():
        return await client.images.with_raw_response.generate(
            model="gpt-image-2", prompt="A lighthouse at dusk", n=3, size="1536x864", quality="medium"
        )

    raw = run(go())
    body = json.loads(raw.http_response.content)
    schema_validate(body, "ImagesResponse")
    assert raw.headers["x-request-id"].startswith("req_")
    assert len(body["data"]) == 3 and body["size"] == "1536x864" and body["quality"] == "medium"
    pictures = [_decode(d["b64_json"]) for d in body["data"]]
    assert all(p.format == "PNG" and p.size == (1536, 864) for p in pictures)
    # ten panels are ten different pictures
    assert len({p.tobytes() for p in pictures}) == 3
    # usage uses the same formulas as the quote
    q = quote(
        validate(
            ImageRequest(prompt="A lighthouse at dusk", n=3, size="1536x864", quality="medium"), registry
        ),
        registry,
    )
    assert body["usage"]["output_tokens"] == q.output_tokens == 3 * 1078
    assert body["usage"]["input_tokens_details"]["text_tokens"] == q.text_tokens_estimate


def test_a_re_roll_draws_new_art_as_the_real_model_does(run, client, sandbox):
    async def one(prompt, fmt="png"):
        r = await client.images.generate(
            model="gpt-image-2", prompt=prompt, size="1024x1024", quality="low", output_format=fmt
        )
        return base64.b64decode(r.data[0].b64_json)

    a1, a2, b = run(one("a red fox")), run(one("a red fox")), run(one("a blue whale"))
    assert len({a1, a2, b}) == 3  # the same request twice: two different pictures (seeded by the request id)
    difference = ImageStat.Stat(ImageChops.difference(_decode_bytes(a1), _decode_bytes(a2)).convert("L"))
    assert difference.mean[0] > 10  # not a near copy: new colours and shapes
    assert run(one("a red fox", "webp")) != run(one("a red fox", "webp"))


def _decode_bytes(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


@pytest.mark.parametrize("fmt, pil", [("jpeg", "JPEG"), ("webp", "WEBP")])
def test_output_formats_and_transparency(run, client, fmt, pil):
    async def go():
        return await client.images.generate(
            model="gpt-image-2",
            prompt="x",
            size="1024x1024",
            quality="low",
            output_format=fmt,
            output_compression=50,
        )

    r = run(go())
    assert _decode(r.data[0].b64_json).format == pil and r.output_format == fmt

    async def transparent():
        return await client.images.generate(
            model="gpt-image-2", prompt="x", size="1024x1024", background="transparent"
        )

    r = run(transparent())
    img = _decode(r.data[0].b64_json)
    assert img.mode == "RGBA" and img.getextrema()[3][0] == 0 and r.background == "transparent"


def test_streaming_events_match_the_schema(run, client):
    async def go():
        events = []
        stream = await client.images.generate(
            model="gpt-image-2", prompt="x", size="1024x1024", quality="low", stream=True, partial_images=2
        )
        async with stream:
            async for ev in stream:
                events.append(ev.model_dump(exclude_none=True))
        return events

    events = run(go())
    assert [e["type"] for e in events] == ["image_generation.partial_image"] * 2 + [
        "image_generation.completed"
    ]
    for e in events:
        schema_validate(e, "ImageGenStreamEvent")
        schema_validate(
            e, "ImageGenCompletedEvent" if e["type"].endswith("completed") else "ImageGenPartialImageEvent"
        )
    assert events[-1]["usage"]["output_tokens"] == 196 + 2 * 100
    assert "output_tokens_details" not in events[-1]["usage"]


def _png(size, colour=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def _mask(size, hole) -> bytes:
    im = Image.new("RGBA", size, (0, 0, 0, 255))
    im.paste((0, 0, 0, 0), hole)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_edit_repaints_the_mask_and_drifts_outside_it(run, client, sandbox):
    source = _png((1024, 1024))

    async def go():
        return await client.images.edit(
            model="gpt-image-2",
            prompt="a red balloon",
            size="1024x1024",
            quality="low",
            image=("src.png", source, "image/png"),
            mask=("mask.png", _mask((1024, 1024), (0, 0, 512, 512)), "image/png"),
        )

    r = run(go())
    out = _decode(r.data[0].b64_json).convert("RGB")
    src = Image.open(io.BytesIO(source)).convert("RGB")
    diff = ImageChops.difference(out, src).convert("L")
    inside, outside = diff.crop((0, 0, 512, 512)), diff.crop((600, 600, 1024, 1024))
    assert ImageStat.Stat(inside).mean[0] > 10  # repainted (new art: 20+ in 500 tries; drift alone: < 8)
    hist = outside.histogram()
    changed = 1 - hist[0] / (424 * 424)
    worst = max(i for i, count in enumerate(hist) if count)
    assert 0.2 < changed and worst <= 16  # disturbed, but only slightly
    assert r.usage.input_tokens_details.image_tokens == 1024
    files = sandbox.sandbox.requests[-1]["files"]
    assert {f["field"]: (f["filename"], f["content_type"]) for f in files} == {
        "image": ("src.png", "image/png"),
        "mask": ("mask.png", "image/png"),
    }


def test_edit_json_form_and_several_images(run, client, sandbox):
    url = "data:image/png;base64," + base64.b64encode(_png((1024, 1024))).decode()

    async def go():
        return await client.post(
            "/images/edits",
            cast_to=httpx2.Response,
            body={
                "model": "gpt-image-2",
                "prompt": "x",
                "images": [{"image_url": url}, {"image_url": url}],
                "size": "1024x1024",
                "quality": "low",
            },
        )

    response = run(go())
    body = response.json()
    schema_validate(body, "ImagesResponse")
    assert body["usage"]["input_tokens_details"]["image_tokens"] == 2 * 1024


@pytest.mark.parametrize(
    "kwargs, status, code, param",
    [
        ({"response_format": "b64_json"}, 400, "unknown_parameter", "response_format"),
        ({"style": "vivid"}, 400, "unknown_parameter", "style"),
        ({"size": "1000x1000"}, 400, "invalid_value", "size"),
        ({"n": 11}, 400, "invalid_value", "n"),
        ({"model": "dall-e-3"}, 404, "model_not_found", "model"),
        ({"model": "gpt-image-1"}, 404, "model_not_found", "model"),
        ({"quality": "hd"}, 400, "invalid_value", "quality"),
    ],
)
def test_generation_errors_use_the_real_envelope(run, client, kwargs, status, code, param):
    async def go():
        return await client.images.generate(**{"model": "gpt-image-2", "prompt": "x", **kwargs})

    with pytest.raises(openai.APIStatusError) as err:
        run(go())
    e = err.value
    assert (e.status_code, e.code, e.param) == (status, code, param)
    assert set(e.body) >= {"message", "type", "param", "code"}
    assert e.request_id and e.request_id.startswith("req_")


def test_missing_model_means_the_specs_retired_default(run, client):
    async def go():
        return await client.post("/images/generations", cast_to=httpx2.Response, body={"prompt": "x"})

    with pytest.raises(openai.NotFoundError, match="dall-e-2"):
        run(go())


def test_missing_prompt(run, client):
    async def go():
        return await client.post(
            "/images/generations", cast_to=httpx2.Response, body={"model": "gpt-image-2"}
        )

    with pytest.raises(openai.BadRequestError) as err:
        run(go())
    assert err.value.code == "missing_required_parameter" and err.value.param == "prompt"


@pytest.mark.parametrize(
    "mask, message",
    [
        (
            ("m.png", _mask((512, 512), (0, 0, 100, 100)), "image/png"),
            "must match the first image's 1024x1024",
        ),
        (("m.jpg", None, "image/jpeg"), "must be a PNG"),
    ],
)
def test_edit_mask_errors(run, client, mask, message):
    if mask[1] is None:
        buf = io.BytesIO()
        Image.new("RGB", (1024, 1024)).save(buf, "JPEG")
        mask = (mask[0], buf.getvalue(), mask[2])

    async def go():
        return await client.images.edit(
            model="gpt-image-2", prompt="x", image=("a.png", _png((1024, 1024)), "image/png"), mask=mask
        )

    with pytest.raises(openai.BadRequestError, match=message) as err:
        run(go())
    assert err.value.param == "mask"


def test_raw_bytes_upload_gets_the_real_mimetype_error(run, client):
    async def go():
        return await client.images.edit(model="gpt-image-2", prompt="x", image=_png((1024, 1024)))

    with pytest.raises(openai.BadRequestError, match=r"unsupported mimetype \('application/octet-stream'\)"):
        run(go())


def test_input_fidelity_is_refused_for_gpt_image_2(run, client):
    async def go():
        return await client.images.edit(
            model="gpt-image-2",
            prompt="x",
            image=("a.png", _png((1024, 1024)), "image/png"),
            input_fidelity="high",
        )

    with pytest.raises(openai.BadRequestError) as err:
        run(go())
    assert err.value.param == "input_fidelity"


def test_models_endpoint_lists_only_usable_models(run, client):
    async def go():
        return [m.id async for m in client.models.list()]

    ids = set(run(go()))
    assert (
        "gpt-image-2" in ids
        and "gpt-image-2-2026-04-21" in ids
        and "dall-e-3" not in ids
        and "gpt-image-1" not in ids
    )


def test_missing_key_is_a_401(sandbox, run):
    async def go():
        async with httpx2.AsyncClient() as http:
            return await http.post(
                sandbox.base_url + "/images/generations", json={"model": "gpt-image-2", "prompt": "x"}
            )

    r = run(go())
    assert r.status_code == 401 and r.json()["error"]["type"] == "invalid_request_error"


def test_what_the_service_sends_matches_openais_request_schema(run, sync_client, sandbox, registry):
    from studio.service.images_api import call_images

    checked = validate(
        ImageRequest(
            prompt="a fox",
            size="1536x1024",
            quality="low",
            n=2,
            output_format="webp",
            output_compression=80,
            moderation="low",
            safety_identifier="user-123",
        ),
        registry,
    )
    result = run(call_images(sync_client, checked))
    sent = sandbox.sandbox.requests[-1]["params"]
    schema_validate(sent, "CreateImageRequest")
    assert sent["model"] == "gpt-image-2" and "response_format" not in sent and "style" not in sent
    assert (
        len(result.images) == 2
        and result.request_id.startswith("req_")
        and result.usage["output_tokens"] == 2 * 158
    )


def test_streamed_edit_events(run, client):
    async def go():
        events = []
        stream = await client.images.edit(
            model="gpt-image-2",
            prompt="x",
            image=("a.png", _png((1024, 1024)), "image/png"),
            size="1024x1024",
            quality="low",
            stream=True,
            partial_images=1,
        )
        async with stream:
            async for ev in stream:
                events.append(ev.model_dump(exclude_none=True))
        return events

    events = run(go())
    assert [e["type"] for e in events] == ["image_edit.partial_image", "image_edit.completed"]
    schema_validate(events[0], "ImageEditPartialImageEvent")
    schema_validate(events[1], "ImageEditCompletedEvent")
    assert events[1]["usage"]["input_tokens_details"]["image_tokens"] == 1024


def test_latency_is_emulated(run):
    import time

    from openai import AsyncOpenAI

    from studio.sandbox.app import SandboxConfig
    from studio.sandbox.server import EmbeddedSandbox

    with EmbeddedSandbox(SandboxConfig(latency=0.6)) as sb:
        slow = AsyncOpenAI(base_url=sb.base_url, api_key="k", max_retries=0)
        start = time.monotonic()
        run(slow.images.generate(model="gpt-image-2", prompt="x", size="1024x1024", quality="low"))
        assert time.monotonic() - start >= 0.6
        run(slow.close())
