"""Where calls go: the key and base URL, read the way the openai SDK reads them."""

from __future__ import annotations

import os
from dataclasses import dataclass

OPENAI_BASE = "https://api.openai.com/v1"
# A placeholder credential for servers that need none (the sandbox, local OpenAI-compatible servers).
NO_KEY = "sandbox-no-key"


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str  # never logged, echoed or written: repr hides it
    is_sandbox: bool = False

    def __repr__(self) -> str:
        return f"Endpoint(base_url={self.base_url!r}, api_key=<hidden>, is_sandbox={self.is_sandbox})"

    __str__ = __repr__


def from_environment(environ: dict[str, str] | None = None) -> Endpoint | None:
    """The endpoint the environment names, or None when neither a key nor a base URL is set
    (then the caller starts the embedded sandbox)."""
    env = os.environ if environ is None else environ
    key = (env.get("OPENAI_API_KEY") or "").strip()
    base = (env.get("OPENAI_BASE_URL") or "").strip()
    if not key and not base:
        return None
    return Endpoint(base_url=base or OPENAI_BASE, api_key=key or NO_KEY)
