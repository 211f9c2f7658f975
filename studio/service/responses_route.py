"""One Responses API turn through the SDK's sync client on a worker thread, streamed: the stages it goes
through ("planning…" while the mainline reasons, "drawing…" once the image call generates), partial images
as they arrive, and the final response (its output items, `usage`, `tool_usage`)."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from studio.core.images import ImageFile
from studio.core.mainline import Mainline
from studio.core.responses_body import Ref, TurnRequest, body_of, inline_ref

from .answers import read_error
from .body_decoder import BodyDecodeError, ImageEventStream
from .failures import MalformedResponse

StageCallback = Callable[[str], None]
PartialCallback = Callable[[int, bytes], None]
IMAGE_KEYS = (b'"partial_image_b64"', b'"result"')  # the base64 images of the Responses API's events
INLINE_MAX = 1 << 20  # input images up to 1 MB go inline as data URLs; larger ones as uploaded files

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
    """Send the turn (body from core/responses_body.py with stream=True) and read its events from the raw
    stream: each `data:` line goes through the incremental decoder, which cuts the base64 images out and
    decodes them in slices (a 4K turn's completed event is ~27 MB of JSON: json.loads of it, as the SDK's
    stream parser does, held the GIL for tens of milliseconds and stalled the window; bench/refine_stall.py).
    Raises the SDK's exceptions (a drop mid-stream: APIConnectionError, the outcome is unknown) or
    MalformedResponse."""
    stages: list[str] = []
    final: dict[str, Any] | None = None
    final_image: bytes | None = None
    events = ImageEventStream(IMAGE_KEYS, lenient=(IMAGE_KEYS[0],))  # a broken preview is skipped

    def handle(batch: list[tuple[dict[str, Any], bytes | None]]) -> None:
        nonlocal final, final_image
        for fields, data in batch:
            kind = str(fields.get("type") or "")
            if kind in STAGES and (not stages or stages[-1] != STAGES[kind]):
                stages.append(STAGES[kind])
                if on_stage is not None:
                    on_stage(STAGES[kind])
            if kind == "response.image_generation_call.partial_image":
                if on_partial is not None and data:  # empty: a broken preview, skipped (the final decides)
                    on_partial(_int(fields.get("partial_image_index")), data)
            elif kind == "response.completed" and isinstance(fields.get("response"), dict):
                final, final_image = fields["response"], data
            elif kind in ("response.failed", "error"):
                detail = (fields.get("response") or {}).get("error") or fields.get("message") or fields
                raise MalformedResponse(f"the response failed: {detail}")

    with client.responses.with_streaming_response.create(**body) as response:
        request_id = response.headers.get("x-request-id")
        try:
            for chunk in response.iter_bytes():
                handle(events.feed(chunk))
                time.sleep(0)  # hand the GIL to the GUI thread between chunks
            handle(events.close())
        except BodyDecodeError as exc:
            raise MalformedResponse(f"the server's stream is not valid response events: {exc}") from None
        except httpx2.TransportError as exc:  # includes timeouts: the outcome is unknown
            raise read_error(exc) from exc
    if final is None:
        raise MalformedResponse("the stream ended without response.completed")
    return _read(final, request_id, stages, final_image)


class UploadFailed(Exception):
    """An input image could not be uploaded: the turn was not sent (the cause is the SDK's error)."""


def send_turn(
    client: Any,
    turn: TurnRequest,
    mainline: Mainline,
    *,
    on_stage: StageCallback | None = None,
    on_partial: PartialCallback | None = None,
) -> TurnAnswer:
    """Upload the turn's large inputs, then send it streamed (all on the calling worker thread)."""
    try:
        image_refs, mask_ref = upload_inputs(client, turn)
    except Exception as exc:
        raise UploadFailed(
            "uploading the turn's image to the Files API failed, so the turn was not sent"
        ) from exc
    body = body_of(turn, mainline, stream=True, image_refs=image_refs, mask_ref=mask_ref)
    return call_turn(client, body, on_stage=on_stage, on_partial=on_partial)


def upload_inputs(client: Any, turn: TurnRequest) -> tuple[list[Ref], Ref | None]:
    """The turn's images and mask as references: those over INLINE_MAX bytes uploaded once through the
    Files API (purpose "vision"; which purpose OpenAI wants for Responses inputs is not documented: U),
    smaller ones inline. On the worker thread: the upload streams the bytes, nothing is base64-encoded
    or JSON-escaped on the way."""

    def ref(image: ImageFile) -> Ref:
        if len(image.data) <= INLINE_MAX:
            return inline_ref(image)
        uploaded = client.files.create(file=(image.filename, image.data), purpose="vision")
        return {"file_id": uploaded.id}

    return [ref(i) for i in turn.images], (ref(turn.mask) if turn.mask is not None else None)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _read(
    response: dict[str, Any], request_id: str | None, stages: list[str], image: bytes | None = None
) -> TurnAnswer:
    """The answer from the final response; `image`: its image call's result, decoded as it streamed (the
    response then holds an empty "result")."""
    answer = TurnAnswer(response, request_id, stages=stages)
    texts = []
    for item in response.get("output") or []:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "image_generation_call":
            answer.call = item
            result = item.get("result")
            if image is not None:
                answer.image = image
            elif isinstance(result, str) and result:
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
