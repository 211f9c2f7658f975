"""One Responses API turn through the SDK's sync client on a worker thread, streamed: the stages it goes
through ("planning…" while the mainline reasons, "drawing…" once the image call generates), partial images
as they arrive, and the final response (its output items, `usage`, `tool_usage`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .failures import MalformedResponse

StageCallback = Callable[[str], None]
PartialCallback = Callable[[int, bytes], None]

STAGES = {
    "response.created": "planning…",
    "response.image_generation_call.in_progress": "planning the image…",
    "response.image_generation_call.generating": "drawing…",
    "response.image_generation_call.completed": "finishing…",
}


@dataclass
class TurnAnswer:
    response: dict[str, Any]
    request_id: str | None
    image: bytes | None = None
    call: dict[str, Any] | None = None  # the image_generation_call item
    text: str = ""  # what the mainline said (all of it, when it answered without an image)
    stages: list[str] = field(default_factory=list)

    @property
    def response_id(self) -> str | None:
        return self.response.get("id")


def call_turn(
    client: Any,
    body: dict[str, Any],
    *,
    on_stage: StageCallback | None = None,
    on_partial: PartialCallback | None = None,
) -> TurnAnswer:
    """Send the turn (body from core/responses_body.py with stream=True) and read its events. Raises the
    SDK's exceptions (a drop mid-stream: the outcome is unknown) or MalformedResponse."""
    stages: list[str] = []
    final: dict[str, Any] | None = None
    stream = client.responses.create(**body)
    request_id = stream.response.headers.get("x-request-id") if hasattr(stream, "response") else None
    with stream:
        for event in stream:
            kind = getattr(event, "type", "")
            if kind in STAGES and (not stages or stages[-1] != STAGES[kind]):
                stages.append(STAGES[kind])
                if on_stage is not None:
                    on_stage(STAGES[kind])
            if kind == "response.image_generation_call.partial_image" and on_partial is not None:
                try:
                    on_partial(int(event.partial_image_index), base64.b64decode(event.partial_image_b64))
                except (binascii.Error, ValueError, TypeError):
                    pass  # a broken preview is skipped; the final image decides
            elif kind == "response.completed":
                final = event.response.model_dump()
            elif kind in ("response.failed", "error"):
                detail = getattr(getattr(event, "response", None), "error", None) or getattr(
                    event, "message", ""
                )
                raise MalformedResponse(f"the response failed: {detail}")
    if final is None:
        raise MalformedResponse("the stream ended without response.completed")
    return _read(final, request_id, stages)


def _read(response: dict[str, Any], request_id: str | None, stages: list[str]) -> TurnAnswer:
    answer = TurnAnswer(response, request_id, stages=stages)
    texts = []
    for item in response.get("output") or []:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "image_generation_call":
            answer.call = item
            result = item.get("result")
            if isinstance(result, str) and result:
                try:
                    answer.image = base64.b64decode(result, validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise MalformedResponse(f"the image is not valid base64 ({exc})") from None
        elif item.get("type") == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict) and part.get("type") == "output_text":
                    texts.append(str(part.get("text") or ""))
    answer.text = "\n".join(t for t in texts if t)
    return answer
