"""How the sandbox answers on the wire: the ImagesResponse JSON streamed in pieces, server-sent image events
for streamed calls, and the hang-ups that emulate a connection cut mid-answer (the drop faults)."""

from __future__ import annotations

import asyncio
import base64
import functools
import json
from typing import Any

from starlette.responses import Response

from studio.core import clock

from . import art, imaging
from .faults import fault_fields
from .protocol import APIError


class HangUp(Exception):
    """Raised on purpose after a partial answer: the server then closes the connection."""


class DroppedResponse(Response):
    """Starts a response, sends part of it and hangs up: a connection dropped mid-answer."""

    async def __call__(self, scope, receive, send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"100000")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"created": ', "more_body": True})
        # an exception after the response started makes the server close the connection, even a
        # kept-alive one (merely returning would leave the client waiting for the rest)
        raise HangUp()


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


async def json_body(images: list[asyncio.Future[bytes]], tail: dict[str, Any], cut_after: int | None = None):
    """The ImagesResponse JSON, streamed: base64 in 4 MB pieces, never one 250 MB string (an
    embedded sandbox shares the GUI's GIL; short steps keep the window responsive). `cut_after`:
    hang up once that many images were sent whole (the drop_after_image fault)."""
    piece = 3 << 20  # a multiple of 3: base64 pieces join without padding
    yield f'{{"created": {int(clock.now().timestamp())}, "data": ['.encode()
    for i, future in enumerate(images):
        data = await future
        yield (b", " if i else b"") + b'{"b64_json": "'
        for start in range(0, len(data), piece):
            yield base64.b64encode(data[start : start + piece])
        yield b'"}'
        if cut_after is not None and i + 1 >= cut_after:
            raise HangUp()
    yield b"], " + json.dumps(tail)[1:].encode()


async def stream_events(
    pool: Any, latency: float, checked: Any, p: Any, use: dict[str, Any], fault: str | None, edit: bool
):
    """The image events of a streamed call (partial images, then each completed image with its usage)."""
    req = checked.request
    kind = "image_edit" if edit else "image_generation"
    loop = asyncio.get_running_loop()
    steps = req.partial_images
    pause = latency / max(1, (steps + 1) * req.n)
    common = {
        "size": str(p.size),
        "quality": p.quality,
        "background": "transparent" if p.transparent else "opaque",
        "output_format": req.output_format,
    }
    for i in range(req.n):
        final = await loop.run_in_executor(pool, imaging.paint, checked, p, i)
        for step in range(steps):
            await asyncio.sleep(pause)
            data = await loop.run_in_executor(
                pool,
                functools.partial(encode_partial, final, step, steps, req),
            )
            event = {
                "type": f"{kind}.partial_image",
                "b64_json": base64.b64encode(data).decode("ascii"),
                "created_at": int(clock.now().timestamp()),
                "partial_image_index": step,
                **common,
            }
            yield sse(event["type"], event)
        if fault == "moderation_output":
            err = APIError(400, **fault_fields("moderation_output"))
            yield sse("error", err.body())
            return
        await asyncio.sleep(pause)
        data = await loop.run_in_executor(pool, art.encode, final, req.output_format, req.output_compression)
        # Per-image usage: input tokens are billed once, on the first image's event.
        per_image = dict(use)
        share_out = use["output_tokens"] // req.n
        per_image["output_tokens"] = share_out
        per_image["input_tokens"] = use["input_tokens"] if i == 0 else 0
        per_image["input_tokens_details"] = (
            use["input_tokens_details"] if i == 0 else {"text_tokens": 0, "image_tokens": 0}
        )
        per_image["total_tokens"] = per_image["input_tokens"] + share_out
        per_image.pop("output_tokens_details", None)  # streamed events omit it, as the real API does
        event = {
            "type": f"{kind}.completed",
            "b64_json": base64.b64encode(data).decode("ascii"),
            "created_at": int(clock.now().timestamp()),
            "usage": per_image,
            **common,
        }
        yield sse(event["type"], event)
        if fault == "drop_after_image":
            raise HangUp()


def encode_partial(final: Any, step: int, steps: int, req: Any) -> bytes:
    return art.encode(art.partial(final, step, steps), req.output_format, req.output_compression)
