"""Check a key before the first spend: GET /v1/models, with 401/403 in plain words."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from .client import make_client
from .endpoint import Endpoint
from .failures import Kind, explain


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    message: str
    has_gpt_image_2: bool = False


async def check_key(endpoint: Endpoint, model: str = "gpt-image-2") -> KeyCheck:
    client = await asyncio.to_thread(
        make_client, endpoint, timeout=30.0
    )  # loads CA certificates: not on the GUI thread
    try:
        ids = [m.id async for m in client.models.list()]
    except Exception as exc:
        failure = explain(exc)
        if failure.kind is Kind.AUTH:
            return KeyCheck(
                False,
                "The key was refused: it is wrong, revoked, or from another organization. Create a new one at https://platform.openai.com/api-keys.",
            )
        if failure.kind is Kind.PERMISSION:
            return KeyCheck(False, failure.message)
        return KeyCheck(False, f"Could not check the key: {failure.message}")
    finally:
        await client.close()
    if model not in ids:
        return KeyCheck(
            True,
            f"The key works, but {model} is not listed for it: your organization may need verification.",
            False,
        )
    return KeyCheck(True, f"The key works and {model} is available.", True)
