"""Where calls go: the key (keyring, or OPENAI_API_KEY for this process) and the base URL."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from studio.core.errors import RefusedError
from studio.core.redact import remember_secret

from .keys import resolve_key

OPENAI_BASE = "https://api.openai.com/v1"
# A placeholder credential for servers that need none (the sandbox, local OpenAI-compatible servers).
NO_KEY = "sandbox-no-key"


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str  # never logged, echoed or written: repr hides it
    is_sandbox: bool = False
    key_source: str = "none"

    def __post_init__(self) -> None:
        if self.api_key != NO_KEY:
            remember_secret(self.api_key)  # redacted from every message, whatever its shape
        userinfo = re.match(r"[a-z]+://([^/?#@]*)@", self.base_url)
        if userinfo:
            remember_secret(userinfo.group(1).partition(":")[2])

    @property
    def public_url(self) -> str:
        """The base URL without any user:password part: what the journal, sidecars and messages store."""
        return without_userinfo(self.base_url)

    def __repr__(self) -> str:
        return (
            f"Endpoint(base_url={self.base_url!r}, api_key=<hidden>, is_sandbox={self.is_sandbox}, "
            f"key_source={self.key_source!r})"
        )

    __str__ = __repr__


def without_userinfo(url: str) -> str:
    """The URL with any `user:password@` removed (also from a URL too broken to parse)."""
    return re.sub(r"//[^/?#]*@", "//", url)


def check_base_url(url: str) -> str:
    """The base URL if it is an http(s) URL with a host, else a refusal naming it (credentials hidden)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise RefusedError(
            f"OPENAI_BASE_URL {without_userinfo(url)!r} is not a URL ({exc}); "
            "expected e.g. https://api.openai.com/v1"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedError(
            f"OPENAI_BASE_URL {without_userinfo(url)!r} is not an http(s) URL with a host; "
            "expected e.g. https://api.openai.com/v1"
        )
    return url


def resolve_endpoint(
    env_key: str | None, environ: dict[str, str] | None = None, *, saved_base_url: str = ""
) -> Endpoint | None:
    """The endpoint to use, or None when there is no key anywhere and no base URL (then the caller
    starts the embedded sandbox). `env_key` is OPENAI_API_KEY as taken by keys.take_env_key();
    `saved_base_url` is the one in the library's settings (OPENAI_BASE_URL overrides it)."""
    env = os.environ if environ is None else environ
    base = (env.get("OPENAI_BASE_URL") or "").strip() or (saved_base_url or "").strip()
    if base:
        check_base_url(base)  # refused before anything is journaled or reserved
    found = resolve_key(env_key)
    if not found.key and not base:
        return None
    return Endpoint(base_url=base or OPENAI_BASE, api_key=found.key or NO_KEY, key_source=found.source)
