"""One AsyncOpenAI per endpoint: no SDK retries (ours are code-aware), a long timeout."""

from __future__ import annotations

import httpx2
from openai import AsyncOpenAI

from .endpoint import Endpoint

# Images take up to two minutes; large and high-quality ones longer.
REQUEST_TIMEOUT = httpx2.Timeout(300.0, connect=10.0)


def make_client(endpoint: Endpoint, *, timeout: float | httpx2.Timeout = REQUEST_TIMEOUT) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=endpoint.api_key, base_url=endpoint.base_url, max_retries=0, timeout=timeout)
