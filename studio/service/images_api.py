"""One image call through the openai SDK, with the body parsed and decoded off the event loop.

The SDK's async client parses responses on the loop's thread (with qasync: the GUI thread), and an
n=10 4K answer is ~250 MB of JSON. So every call runs on a worker thread with the sync client
(threaded_call.py): the body is read raw (`with_streaming_response`) and decoded incrementally
(body_decoder.py), in slices short enough that the GIL keeps changing hands; headers
(x-request-id, x-ratelimit-*) are kept.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from studio.core.names import EXTENSIONS
from studio.core.pricing import usage_problem
from studio.core.redact import redact
from studio.core.validation import Checked

from .answers import PartialAnswer
from .failures import MalformedResponse
from .threaded_call import call_in_thread

PartialCallback = Callable[[int, int, bytes], Awaitable[None] | None]


@dataclass
class CallResult:
    request_id: str | None
    images: list[bytes]
    output_format: str
    usage: dict[str, Any] | None
    size: str | None = None
    quality: str | None = None
    background: str | None = None
    created: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    svg_usage: dict[str, Any] | None = None  # the SVG author's tokens, billed at its own rates
    incomplete: str | None = None  # "1 of 2 images arrived; …": the answer failed after some images


async def call_images(
    sync_client: Any,
    checked: Checked,
    *,
    on_partial: PartialCallback | None = None,
    deadline_s: float | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> CallResult:
    """Send the request on a worker thread; returns the images' bytes exactly as the server encoded them."""
    params = checked.api_params()
    req = checked.request
    try:
        if req.stream:
            headers, request_id, completed = await call_in_thread(
                sync_client, checked, params, on_partial=on_partial, deadline_s=deadline_s, on_bytes=on_bytes
            )
            result = _streamed_result(completed, request_id, headers, req.output_format)
        else:
            headers, request_id, body, images = await call_in_thread(
                sync_client, checked, params, deadline_s=deadline_s, on_bytes=on_bytes
            )
            result = _result(body, images, request_id, headers, req.output_format)
    except PartialAnswer as partial:
        usage = None
        for fields in partial.events:
            usage = sum_usage(usage, fields.get("usage"))
        why = redact(str(partial.cause.args[0])) if partial.cause.args else type(partial.cause).__name__
        result = CallResult(
            request_id=partial.request_id,
            images=partial.images,
            output_format=req.output_format,
            usage=usage,
            headers=partial.headers,
            incomplete=f"{len(partial.images)} of {req.n} images arrived; then {why}",
        )
    if result.incomplete is None and len(result.images) != req.n:
        got = len(result.images)
        result.incomplete = (
            f"{got} of {req.n} images arrived"
            if got < req.n
            else f"{got} images arrived where {req.n} were asked for (all kept)"
        )
    return result


def known_format(value: Any, fallback: str) -> str:
    """The answer's output_format when it is one we know, else what was asked for (a list, a number or an
    unknown word from a misbehaving server never names a file)."""
    return value if isinstance(value, str) and value in EXTENSIONS else fallback


def _result(
    body: dict[str, Any],
    images: list[bytes],
    request_id: str | None,
    headers: dict[str, str],
    fallback_format: str,
) -> CallResult:
    return CallResult(
        request_id=request_id,
        images=images,
        output_format=known_format(body.get("output_format"), fallback_format),
        usage=body.get("usage"),
        size=body.get("size"),
        quality=body.get("quality"),
        background=body.get("background"),
        created=body.get("created"),
        headers=headers,
        svg_usage=body.get("svg_usage") if isinstance(body.get("svg_usage"), dict) else None,
    )


def _streamed_result(
    completed: list[tuple[dict[str, Any], bytes]],
    request_id: str | None,
    headers: dict[str, str],
    fallback_format: str,
) -> CallResult:
    if not completed:
        raise MalformedResponse("the stream ended without a completed image")
    usage = None
    for fields, _ in completed:
        usage = sum_usage(usage, fields.get("usage"))
    last = completed[-1][0]
    return CallResult(
        request_id=request_id,
        images=[data for _, data in completed],
        output_format=known_format(last.get("output_format"), fallback_format),
        usage=usage,
        size=last.get("size"),
        quality=last.get("quality"),
        background=last.get("background"),
        headers=headers,
    )


def sum_usage(total: dict[str, Any] | None, part: dict[str, Any] | None) -> dict[str, Any] | None:
    """Streamed images each carry usage (without output_tokens_details): add them up. An unusable part
    makes the sum unusable (the bill is then estimated at the quote's bound, and says so)."""
    if not part:
        return total
    if total is not None and usage_problem(total):
        return total
    if usage_problem(part):
        return part if isinstance(part, dict) else {"unusable": repr(part)[:200]}
    if total is None:
        return json.loads(json.dumps(part))
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        total[key] = int(total.get(key) or 0) + int(part.get(key) or 0)
    a, b = total.setdefault("input_tokens_details", {}), part.get("input_tokens_details") or {}
    for key in ("text_tokens", "image_tokens"):
        a[key] = int(a.get(key) or 0) + int(b.get(key) or 0)
    return total
