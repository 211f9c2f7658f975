"""Provenance inside PNG files: iTXt chunks inserted before IEND, without re-encoding a pixel.

Every chunk the API sent stays byte-identical; `strip_provenance` gives back exactly the bytes
received (their SHA-256 is in the sidecar), so "as received" stays checkable.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from .redact import redact

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORDS = ("asset-studio", "Software", "Description")


class NotAPng(ValueError):
    pass


def _chunk_offsets(data: bytes):
    """(start, end, type) of every chunk, reading only the 8-byte headers (no payload is copied:
    a 4K PNG is ~20 MB, and copying it would hold the GIL for tens of milliseconds)."""
    if not data.startswith(PNG_SIGNATURE):
        raise NotAPng("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, ctype = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data):
            raise NotAPng("truncated PNG chunk")
        yield pos, end, ctype
        pos = end
        if ctype == b"IEND":
            return
    raise NotAPng("PNG without IEND")


def _chunks(data: bytes):
    for start, end, ctype in _chunk_offsets(data):
        payload = data[start + 8 : end - 4] if ctype == b"iTXt" else b""  # only text chunks are read
        yield start, end, ctype, payload


def _itxt(keyword: str, text: str) -> bytes:
    body = keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    head = b"iTXt" + body
    return struct.pack(">I", len(body)) + head + struct.pack(">I", zlib.crc32(head) & 0xFFFFFFFF)


def provenance_parts(png: bytes, record: dict[str, Any], *, software: str) -> list[memoryview | bytes]:
    """The PNG with our iTXt chunks before IEND, as parts to write one after the other (views of
    the received bytes: nothing large is copied). Key-like strings are redacted."""
    text = redact(json.dumps(record, ensure_ascii=False, sort_keys=True))
    extra = _itxt("asset-studio", text) + _itxt("Software", software)
    prompt = record.get("prompt")
    if isinstance(prompt, str) and prompt:
        extra += _itxt("Description", redact(prompt))
    view = memoryview(png)
    for start, _end, ctype in _chunk_offsets(png):
        if ctype == b"IEND":
            return [view[:start], extra, view[start:]]
    raise NotAPng("PNG without IEND")


def embed_provenance(png: bytes, record: dict[str, Any], *, software: str) -> bytes:
    """The PNG with our iTXt chunks added just before IEND, as one bytes object."""
    return b"".join(provenance_parts(png, record, software=software))


def _itxt_keyword(payload: bytes) -> str:
    return payload.split(b"\x00", 1)[0].decode("latin-1", "replace")


def read_provenance(png: bytes) -> dict[str, Any] | None:
    for _s, _e, ctype, payload in _chunks(png):
        if ctype == b"iTXt" and _itxt_keyword(payload) == "asset-studio":
            rest = payload[payload.index(b"\x00") + 3 :]  # skip keyword NUL, compression flag and method
            _language, _translated, text = rest.split(b"\x00", 2)
            return json.loads(text.decode("utf-8"))
    return None


def strip_provenance(png: bytes) -> bytes:
    """The PNG without the chunks embed_provenance added: the bytes as the API sent them."""
    out = [png[: len(PNG_SIGNATURE)]]
    for start, end, ctype, payload in _chunks(png):
        if ctype == b"iTXt" and _itxt_keyword(payload) in KEYWORDS:
            continue
        out.append(png[start:end])
    return b"".join(out)
