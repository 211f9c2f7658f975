"""One image call through the openai SDK, with the body parsed and decoded off the event loop.

The SDK parses responses on the loop's thread (with qasync: the GUI thread), and an n=10 4K
answer is ~250 MB of JSON. So the body is read raw (`with_streaming_response`) and decoded
incrementally in a worker thread (body_decoder.py), in slices short enough that the GIL keeps
changing hands; headers (x-request-id, x-ratelimit-*) are kept.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import httpx2
import openai
from openai import AsyncOpenAI

from studio.core.request import EditRequest
from studio.core.validation import Checked

from .body_decoder import BodyDecodeError, ImagesBodyDecoder
from .failures import MalformedResponse

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


def kept_headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith(("x-ratelimit-", "x-request-id", "retry-after", "openai-"))}


BATCH_BYTES = 1 << 20  # body bytes handed to the decoder thread at a time (each hand-off lets the GUI run)


def _feed(decoder: ImagesBodyDecoder, pieces: list[bytes]) -> None:
    for piece in pieces:
        decoder.feed(piece)


def finish_body(decoder: ImagesBodyDecoder) -> tuple[dict[str, Any], list[bytes]]:
    """The parsed body and its images, or MalformedResponse (shared by the loop and thread paths)."""
    try:
        body, images = decoder.finish()
    except BodyDecodeError as exc:
        raise MalformedResponse(f"the server's answer is not a valid image response: {exc}") from None
    if not images:
        raise MalformedResponse("the server answered without any image")
    return body, images


async def read_images_body(response: Any) -> tuple[dict[str, Any], list[bytes]]:
    """Stream the body into the decoder, 1 MB at a time, in a worker thread: the loop only collects
    network chunks, and no step holds the GIL for more than a few milliseconds."""
    decoder = ImagesBodyDecoder()
    batch: list[bytes] = []
    size = 0
    try:
        async for chunk in response.iter_bytes():
            batch.append(chunk)
            size += len(chunk)
            if size >= BATCH_BYTES:
                await asyncio.to_thread(_feed, decoder, batch)
                batch, size = [], 0
        if batch:
            await asyncio.to_thread(_feed, decoder, batch)
    except BodyDecodeError as exc:
        raise MalformedResponse(f"the server's answer is not a valid image response: {exc}") from None
    return await asyncio.to_thread(finish_body, decoder)


def read_error(exc: Exception) -> Exception:
    """The SDK's exception for a transport failure while the body was being read (the SDK wraps
    such failures only up to the headers)."""
    if isinstance(exc, httpx2.TimeoutException):
        return openai.APITimeoutError(request=exc.request)
    return openai.APIConnectionError(message=f"the connection dropped while reading the answer ({type(exc).__name__})", request=exc.request)


def _method(client: AsyncOpenAI, request: Any, *, unparsed_body: bool):
    """with_streaming_response leaves the body unread (we parse it off the loop); with_raw_response
    keeps the headers of an SSE stream whose events the SDK parses one by one."""
    images = client.images.with_streaming_response if unparsed_body else client.images.with_raw_response
    return images.edit if isinstance(request, EditRequest) else images.generate


async def call_images(client: AsyncOpenAI, checked: Checked, *, on_partial: PartialCallback | None = None,
                      sync_client: Any = None) -> CallResult:
    """Send the request; returns the images' bytes exactly as the server encoded them.

    With a `sync_client`, a non-streamed call runs wholly on a worker thread (threaded_call.py)."""
    params = checked.api_params()
    req = checked.request
    if req.stream and sync_client is not None:
        from .threaded_call import call_in_thread

        headers, request_id, completed = await call_in_thread(sync_client, checked, params, on_partial=on_partial)
        return _streamed_result(completed, request_id, headers, req.output_format)
    if req.stream:
        return await _call_streaming(client, checked, params, on_partial)
    if sync_client is not None:
        from .threaded_call import call_in_thread

        headers, request_id, body, images = await call_in_thread(sync_client, checked, params)
        return _result(body, images, request_id, headers, req.output_format)
    async with _method(client, req, unparsed_body=True)(**params) as response:
        headers = kept_headers(response.headers)
        request_id = response.request_id
        try:
            body, images = await read_images_body(response)
        except httpx2.TransportError as exc:  # includes timeouts
            raise read_error(exc) from exc
    return _result(body, images, request_id, headers, req.output_format)


def _result(body: dict[str, Any], images: list[bytes], request_id: str | None, headers: dict[str, str], fallback_format: str) -> CallResult:
    return CallResult(
        request_id=request_id,
        images=images,
        output_format=body.get("output_format") or fallback_format,
        usage=body.get("usage"),
        size=body.get("size"),
        quality=body.get("quality"),
        background=body.get("background"),
        created=body.get("created"),
        headers=headers,
    )


def _streamed_result(completed: list[tuple[dict[str, Any], bytes]], request_id: str | None, headers: dict[str, str],
                     fallback_format: str) -> CallResult:
    if not completed:
        raise MalformedResponse("the stream ended without a completed image")
    usage = None
    for fields, _ in completed:
        usage = sum_usage(usage, fields.get("usage"))
    last = completed[-1][0]
    return CallResult(request_id=request_id, images=[data for _, data in completed],
                      output_format=last.get("output_format") or fallback_format, usage=usage, size=last.get("size"),
                      quality=last.get("quality"), background=last.get("background"), headers=headers)


def sum_usage(total: dict[str, Any] | None, part: dict[str, Any] | None) -> dict[str, Any] | None:
    """Streamed images each carry usage (without output_tokens_details): add them up."""
    if not part:
        return total
    if total is None:
        return json.loads(json.dumps(part))
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        total[key] = int(total.get(key) or 0) + int(part.get(key) or 0)
    a, b = total.setdefault("input_tokens_details", {}), part.get("input_tokens_details") or {}
    for key in ("text_tokens", "image_tokens"):
        a[key] = int(a.get(key) or 0) + int(b.get(key) or 0)
    return total


async def _call_streaming(client: AsyncOpenAI, checked: Checked, params: dict[str, Any], on_partial: PartialCallback | None) -> CallResult:
    req = checked.request
    images: list[bytes] = []
    usage: dict[str, Any] | None = None
    meta: dict[str, Any] = {}
    raw = await _method(client, req, unparsed_body=False)(**params)
    headers = kept_headers(raw.headers)
    stream = raw.parse()
    async with stream:
        async for event in stream:
            data = await asyncio.to_thread(base64.b64decode, event.b64_json)
            if event.type.endswith(".partial_image"):
                if on_partial is not None:
                    result = on_partial(len(images), event.partial_image_index, data)
                    if asyncio.iscoroutine(result):
                        await result
            elif event.type.endswith(".completed"):
                images.append(data)
                usage = sum_usage(usage, event.usage.model_dump() if event.usage else None)
                meta = {"size": event.size, "quality": event.quality, "background": event.background, "output_format": event.output_format}
    if not images:
        raise MalformedResponse("the stream ended without a completed image")
    return CallResult(
        request_id=raw.request_id,
        images=images,
        output_format=meta.get("output_format") or req.output_format,
        usage=usage,
        size=meta.get("size"),
        quality=meta.get("quality"),
        background=meta.get("background"),
        headers=headers,
    )
