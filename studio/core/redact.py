"""Scrub anything that looks like an API key from text before it is logged or shown."""

from __future__ import annotations

import re

# OpenAI keys: sk-..., sk-proj-..., sk-svcacct-...; also bearer headers that might be echoed.
_KEY = re.compile(r"sk-[A-Za-z0-9_\-*.]{4,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.]{8,}")


def redact(text: str) -> str:
    """Return text with API keys and bearer tokens replaced by a marker."""
    text = _KEY.sub("sk-…[redacted]", text)
    return _BEARER.sub(r"\1[redacted]", text)
