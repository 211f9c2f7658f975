"""Scrub anything that looks like an API key from text before it is logged or shown."""

from __future__ import annotations

import re

# OpenAI keys: sk-..., sk-proj-..., sk-svcacct-...; also bearer headers that might be echoed.
_KEY = re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-*.]{4,}")  # not the end of a word ("dusk-01.png")
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


_SEGMENT = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{20,}")  # letters and digits, 20+ in a row
_TOKEN = re.compile(r"(?<![\w/.-])[\w.-]+(?![\w/.-])")


def redact_arguments(text: str) -> str:
    """`redact`, and any word (not part of a path) with 20+ letters and digits in a row, both kinds mixed:
    for echoing what a user typed on the command line, where a key of any shape may have been pasted
    by mistake. Model names, dates and file names have shorter runs and stay."""
    return _TOKEN.sub(lambda m: "[redacted]" if _SEGMENT.search(m.group()) else m.group(), redact(text))


_SECRET_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_ADMIN_KEY",
    "OPENAI_BASE_URL",
)  # a base URL may hold user:password@


def child_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment for a child process (a cache refresher, a viewer): never the key, never a base URL
    that may carry credentials."""
    return {k: v for k, v in environ.items() if k not in _SECRET_VARIABLES}
