import base64
import json
import random

import pytest

from studio.service.body_decoder import SLICE, BodyDecodeError, ImagesBodyDecoder


def _body(images, *, indent=None, escape_slash=False) -> bytes:
    text = json.dumps({"created": 1, "data": [{"b64_json": base64.b64encode(i).decode()} for i in images],
                       "usage": {"output_tokens": 7}, "size": "1024x1024"}, indent=indent)
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
