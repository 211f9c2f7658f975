"""Scrub anything that looks like an API key from text before it is logged or shown."""

from __future__ import annotations

import re

# OpenAI keys: sk-..., sk-proj-..., sk-svcacct-...; also bearer headers that might be echoed.
_KEY = re.compile(r"sk-[A-Za-z0-9_\-*.]{4,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.]{8,}")


_SECRETS: set[str] = set()  # the actual keys (and URL passwords) in use by this process


def remember_secret(value: str | None) -> None:
    """Redact this exact value wherever it appears from now on, whatever its shape (a key that is not
    `sk-…`, a proxy password): a server may echo it back in an error message."""
    if value and len(value) >= 8:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """Return text with the keys in use, anything shaped like an API key and bearer tokens replaced."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "[redacted]")
    text = _KEY.sub("sk-…[redacted]", text)
    return _BEARER.sub(r"\1[redacted]", text)
