"""Decode an images response body incrementally, without ever holding it whole.

An n=10 answer at 3840x2160 is ~250 MB of JSON, almost all of it base64. `json.loads` of it holds
the GIL for ~0.2 s and needs the whole body plus a 250 MB string; decoding it in one call holds the
GIL for ~1 s. Either stalls the GUI thread, even from a worker thread. This decoder is fed the body
in pieces: it cuts each `"b64_json"` string out of the stream, base64-decodes it in slices of about
1 MB (pybase64: well under a millisecond each, so the GIL changes hands between them), and parses the
small rest ("skeleton") of the JSON normally.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

KEY = b'"b64_json"'
try:  # SIMD base64 (a well-kept C library): ~35x the stdlib's speed, measured in bench/batch.py
    from pybase64 import b64decode as _fast

    SLICE = 1 << 20  # base64 characters per call: ~0.06 ms holding the GIL

    def _a2b(piece: memoryview) -> bytes:
        return _fast(piece, validate=True)

except ImportError:  # the stdlib's: slower, so in shorter slices
    SLICE = 1 << 16  # ~0.3 ms holding the GIL per call (1 MB held it ~5 ms)

    def _a2b(piece: memoryview) -> bytes:
        return binascii.a2b_base64(piece, strict_mode=True)


class BodyDecodeError(ValueError):
    pass


class ImagesBodyDecoder:
    """`keys`: the JSON keys whose string values are base64 images (the Images API's "b64_json"; the
    Responses API's "partial_image_b64" and "result")."""

    def __init__(self, keys: tuple[bytes, ...] = (KEY,), lenient: tuple[bytes, ...] = ()) -> None:
        """`lenient`: keys whose images may be broken without breaking the body (previews): such an image
        that is not valid base64 comes out empty (b"") and the reading goes on."""
        self._keys, self._lenient = keys, lenient
        self._key = b""  # the key of the image being read
        self._broken = False  # that image is not valid base64 (a lenient key): skipped to its end
        self._longest = max(len(k) for k in keys)
        self._mode = "scan"  # scan | key | b64
        self._carry = b""
        self._skeleton: list[bytes] = []
        self._pending = bytearray()  # base64 text not yet decoded
        self._current: list[bytes] = []  # decoded pieces of the image being read
        self.images: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        while data:
            if self._mode == "scan":
                at, key = self._find(data)
                if at < 0:
                    keep = self._longest - 1  # a key may straddle two chunks
                    self._skeleton.append(data[:-keep] if len(data) > keep else b"")
                    self._carry = data[-keep:] if len(data) > keep else data
                    return
                self._skeleton.append(data[: at + len(key)])
                data = data[at + len(key) :]
                self._mode, self._key = "key", key
            elif self._mode == "key":
                quote = data.find(b'"')
                if (data if quote < 0 else data[:quote]).strip(b" \t\r\n:"):
                    self._mode = "scan"  # not a string value (null, or the word as a value): scan on
                    continue
                if quote < 0:
                    self._skeleton.append(data)  # ':' and spaces
                    return
                self._skeleton.append(data[: quote + 1])
                data = data[quote + 1 :]
                self._mode = "b64"
            else:
                quote = data.find(b'"')
                if not self._broken:
                    self._decode(data if quote < 0 else data[:quote], final=quote >= 0)
                if quote < 0:
                    return
                self.images.append(b"" if self._broken else b"".join(self._current))
                self._current, self._broken = [], False
                data = data[quote:]  # the closing quote goes to the skeleton
                self._mode = "scan"

    def _find(self, data: bytes) -> tuple[int, bytes]:
        """The first of the keys in `data` (-1 when none)."""
        found = [(at, key) for key in self._keys if (at := data.find(key)) >= 0]
        return min(found) if found else (-1, b"")

    def _decode(self, part: bytes, *, final: bool) -> None:
        """Decode what can be of `part` (with what an earlier piece left over), SLICE characters per call
        on views of it (no copies: the piece is scanned for escapes, then decoded)."""
        if b"\\" in part:  # JSON may escape '/' as '\/'
            part = part.replace(b"\\", b"")
        if self._pending:
            part = bytes(self._pending) + part
            self._pending = bytearray()
        usable = len(part) if final else len(part) - len(part) % 4
        view = memoryview(part)
        try:
            for start in range(0, usable, SLICE):
                self._current.append(_a2b(view[start : min(start + SLICE, usable)]))
        except (binascii.Error, ValueError) as exc:
            if self._key in self._lenient:  # a broken preview: skipped, the body reads on
                self._broken, self._current, self._pending = True, [], bytearray()
                return
            raise BodyDecodeError(f"an image in the answer is not valid base64 ({exc})") from None
        if usable < len(part):
            self._pending = bytearray(part[usable:])

    def skeleton(self) -> bytes:
        """The body read so far without its base64 images (the JSON around them)."""
        return b"".join(self._skeleton) + self._carry

    def finish(self) -> tuple[dict[str, Any], list[bytes]]:
        if self._mode != "scan":
            raise BodyDecodeError("the answer ended inside an image")
        skeleton = self.skeleton()
        try:
            body = json.loads(skeleton)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BodyDecodeError(f"the answer is not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise BodyDecodeError("the answer is not a JSON object")
        return body, self.images


class ImageEventStream:
    """Server-sent image events (`stream=true`) parsed incrementally: each `data:` line goes through an
    ImagesBodyDecoder as it arrives, so a 4K completed event (~27 MB of base64 in one JSON line) is
    never held or json-parsed whole. `feed` returns the events completed by that chunk as
    (fields, image bytes or None) — fields being the event's JSON without its b64_json."""

    def __init__(self, keys: tuple[bytes, ...] = (KEY,), lenient: tuple[bytes, ...] = ()) -> None:
        self._keys, self._lenient = keys, lenient
        self._line = bytearray()  # the start of a line not yet known to be a data line
        self._decoder: ImagesBodyDecoder | None = None  # the data line being read
        self._in_data = False

    def feed(self, chunk: bytes) -> list[tuple[dict[str, Any], bytes | None]]:
        events: list[tuple[dict[str, Any], bytes | None]] = []
        pos, end = 0, len(chunk)
        while pos < end:
            if self._in_data:
                nl = chunk.find(b"\n", pos)
                stop = end if nl < 0 else nl
                piece = chunk[pos:stop]
                if nl >= 0 and piece.endswith(b"\r"):
                    piece = piece[:-1]
                assert self._decoder is not None
                self._decoder.feed(piece)
                if nl < 0:
                    return events
                self._in_data = False
                pos = nl + 1
                continue
            nl = chunk.find(b"\n", pos)
            if nl < 0:
                self._line += chunk[pos:]
                if len(self._line) >= 5 and self._line.startswith(b"data:"):
                    self._start_data(bytes(self._line[5:]))
                return events
            line = bytes(self._line) + chunk[pos:nl]
            self._line.clear()
            pos = nl + 1
            line = line.rstrip(b"\r")
            if line.startswith(b"data:"):
                self._start_data(line[5:])
                self._in_data = False  # the whole line was here
            elif not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            # "event:", "id:", "retry:" and ":" comment lines carry nothing the JSON does not
        return events

    def _start_data(self, rest: bytes) -> None:
        self._decoder = self._decoder or ImagesBodyDecoder(self._keys, self._lenient)
        self._decoder.feed(rest[1:] if rest.startswith(b" ") else rest)
        self._line.clear()
        self._in_data = True

    def _dispatch(self) -> tuple[dict[str, Any], bytes | None] | None:
        decoder, self._decoder = self._decoder, None
        if decoder is None:
            return None
        if decoder.skeleton().strip() == b"[DONE]":
            return None
        fields, images = decoder.finish()
        return fields, (images[0] if images else None)

    def close(self) -> list[tuple[dict[str, Any], bytes | None]]:
        """The stream ended: an event without its blank line still counts."""
        event = self._dispatch()
        return [event] if event is not None else []
