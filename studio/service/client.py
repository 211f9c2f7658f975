"""One AsyncOpenAI per endpoint: no SDK retries (ours are code-aware), a long timeout.

The SDK is imported when the first client is made (it takes ~0.6 s), not when the app starts."""

from __future__ import annotations

from typing import Any

from .endpoint import Endpoint

# Images take up to two minutes; large and high-quality ones longer.
REQUEST_TIMEOUT_S = 300.0
CONNECT_TIMEOUT_S = 10.0


def make_client(endpoint: Endpoint, *, timeout: float | None = None, sync: bool = False) -> Any:
    """AsyncOpenAI (or, with sync=True, OpenAI for calls made on a worker thread)."""
    import httpx2
    from openai import AsyncOpenAI, OpenAI

    limit = httpx2.Timeout(timeout if timeout is not None else REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    cls = OpenAI if sync else AsyncOpenAI
    return cls(api_key=endpoint.api_key, base_url=endpoint.base_url, max_retries=0, timeout=limit)
