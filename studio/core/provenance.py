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


def _chunks(data: bytes):
    if not data.startswith(PNG_SIGNATURE):
        raise NotAPng("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise NotAPng("truncated PNG chunk")
        yield pos, end, ctype, data[pos + 8 : pos + 8 + length]
        pos = end
        if ctype == b"IEND":
            return
    raise NotAPng("PNG without IEND")


def _itxt(keyword: str, text: str) -> bytes:
    body = keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    head = b"iTXt" + body
    return struct.pack(">I", len(body)) + head + struct.pack(">I", zlib.crc32(head) & 0xFFFFFFFF)


def embed_provenance(png: bytes, record: dict[str, Any], *, software: str) -> bytes:
    """The PNG with our iTXt chunks added just before IEND (key-like strings are redacted)."""
    text = redact(json.dumps(record, ensure_ascii=False, sort_keys=True))
    extra = _itxt("asset-studio", text) + _itxt("Software", software)
    prompt = record.get("prompt")
    if isinstance(prompt, str) and prompt:
        extra += _itxt("Description", redact(prompt))
    for start, _end, ctype, _ in _chunks(png):
        if ctype == b"IEND":
            return png[:start] + extra + png[start:]
    raise NotAPng("PNG without IEND")


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
