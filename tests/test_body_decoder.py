import base64
import json
import random

import pytest

from studio.service.body_decoder import SLICE, BodyDecodeError, ImagesBodyDecoder


def _body(images, *, indent=None, escape_slash=False) -> bytes:
    text = json.dumps(
        {
            "created": 1,
            "data": [{"b64_json": base64.b64encode(i).decode()} for i in images],
            "usage": {"output_tokens": 7},
            "size": "1024x1024",
        },
        indent=indent,
    )
    if escape_slash:
        text = text.replace("/", "\\/")
    return text.encode()


@pytest.mark.parametrize("indent, escape", [(None, False), (2, False), (None, True)])
def test_matches_json_loads_for_any_chunking(indent, escape):
    rng = random.Random(7)
    images = [rng.randbytes(rng.randint(0, 3 * SLICE)) for _ in range(4)]
    raw = _body(images, indent=indent, escape_slash=escape)
    for _ in range(5):
        decoder = ImagesBodyDecoder()
        pos = 0
        while pos < len(raw):
            step = rng.choice([1, 3, 9, 64, 4096, 65536, 2 * SLICE])
            decoder.feed(raw[pos : pos + step])
            pos += step
        body, decoded = decoder.finish()
        assert decoded == images
        assert body["usage"] == {"output_tokens": 7} and len(body["data"]) == 4


def test_corrupt_and_truncated_bodies_are_reported():
    with pytest.raises(BodyDecodeError, match="not valid base64"):
        ImagesBodyDecoder().feed(b'{"data": [{"b64_json": "@@@@"}]}')
    d = ImagesBodyDecoder()
    d.feed(b'{"data": [{"b64_json": "aGVsbG8')
    with pytest.raises(BodyDecodeError, match="ended inside an image"):
        d.finish()
    d = ImagesBodyDecoder()
    d.feed(b'{"data": [')
    with pytest.raises(BodyDecodeError, match="not valid JSON"):
        d.finish()


def _sse(events):
    import json as _json

    out = b""
    for e in events:
        out += (
            b": keep-alive\n"
            + f"event: {e['type']}\r\n".encode()
            + b"data: "
            + _json.dumps(e).encode()
            + b"\r\n\r\n"
        )
    return out


def test_image_event_stream_in_any_chunking():
    import base64 as _b64

    from studio.service.body_decoder import ImageEventStream

    images = [bytes(range(256)) * 300, b"\x89PNG" + bytes(5000)]
    events = [
        {
            "type": "image_generation.partial_image",
            "b64_json": _b64.b64encode(images[0]).decode(),
            "partial_image_index": 0,
        },
        {
            "type": "image_generation.completed",
            "b64_json": _b64.b64encode(images[1]).decode(),
            "usage": {"output_tokens": 7},
        },
    ]
    body = _sse(events) + b"data: [DONE]\n\n"
    for size in (1, 3, 7, 64, 4096, len(body)):
        stream = ImageEventStream()
        got = []
        for i in range(0, len(body), size):
            got += stream.feed(body[i : i + size])
        got += stream.close()
        assert [(f["type"], d) for f, d in got] == [
            (events[0]["type"], images[0]),
            (events[1]["type"], images[1]),
        ], size
        assert got[1][0]["usage"] == {"output_tokens": 7} and got[0][0]["partial_image_index"] == 0


def test_image_event_stream_reports_errors_and_garbage():
    import pytest as _pytest

    from studio.service.body_decoder import BodyDecodeError, ImageEventStream

    stream = ImageEventStream()
    ((fields, data),) = stream.feed(
        b'event: error\ndata: {"error": {"message": "blocked", "code": "moderation_blocked"}}\n\n'
    )
    assert fields["error"]["code"] == "moderation_blocked" and data is None
    with _pytest.raises(BodyDecodeError):
        ImageEventStream().feed(b'data: {"type": "x", "b64_json": "@@@@"}\n\n')


def test_responses_events_are_cut_by_their_keys_and_a_key_that_is_not_an_image_is_left_alone():
    """The Responses API's events: "partial_image_b64" and an image call's "result" are images; a "result"
    that is null, or the word "result" as a value, stays in the JSON (any chunking)."""
    from studio.service.body_decoder import ImageEventStream

    keys = (b'"partial_image_b64"', b'"result"')
    rng = random.Random(11)
    partial, final = rng.randbytes(SLICE + 5), rng.randbytes(2 * SLICE + 1)
    lines = [
        {"type": "response.image_generation_call.partial_image", "partial_image_index": 0,
         "partial_image_b64": base64.b64encode(partial).decode()},
        {"type": "response.output_text.delta", "delta": "result", "result": None},
        {"type": "response.completed", "response": {"output": [
            {"type": "image_generation_call", "id": "ig_1", "result": base64.b64encode(final).decode()},
            {"type": "message", "content": [{"type": "output_text", "text": '"result" said'}]}]}},
    ]  # fmt: skip
    raw = b"".join(b"event: x\ndata: " + json.dumps(e).encode() + b"\n\n" for e in lines)
    for _ in range(4):
        stream, got = ImageEventStream(keys), []
        pos = 0
        while pos < len(raw):
            step = rng.choice([1, 7, 64, 4096, SLICE])
            got += stream.feed(raw[pos : pos + step])
            pos += step
        got += stream.close()
        assert [f["type"] for f, _ in got] == [e["type"] for e in lines]
        assert got[0][1] == partial and got[1][1] is None and got[2][1] == final
        assert got[1][0]["result"] is None and got[1][0]["delta"] == "result"
        text = got[2][0]["response"]["output"][1]["content"][0]["text"]
        assert text == '"result" said'


def test_a_broken_preview_is_skipped_and_the_final_image_still_arrives():
    """A partial image that is not valid base64 comes out empty under a lenient key and the stream reads on
    to the final image; without leniency (the final's own key) it is refused as before."""
    from studio.service.body_decoder import ImageEventStream

    keys = (b'"partial_image_b64"', b'"result"')
    final = random.Random(3).randbytes(SLICE + 9)
    broken = "QUJD" * (SLICE // 2) + "!!not base64!!" + "QUJD" * 10
    lines = [
        {"type": "response.image_generation_call.partial_image", "partial_image_b64": broken},
        {"type": "response.completed", "response": {"output": [
            {"type": "image_generation_call", "result": base64.b64encode(final).decode()}]}},
    ]  # fmt: skip
    raw = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in lines)
    for step in (1 << 10, 7, SLICE):
        stream, got = ImageEventStream(keys, lenient=keys[:1]), []
        for pos in range(0, len(raw), step):
            got += stream.feed(raw[pos : pos + step])
        got += stream.close()
        assert [d for _, d in got] == [b"", final]
    with pytest.raises(BodyDecodeError):
        ImageEventStream(keys).feed(raw)
