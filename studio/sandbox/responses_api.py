"""The sandbox's Responses API with the `image_generation` tool (shared/docs/responses-image-tool.md):
`POST /v1/responses` validated like the API (a mainline model at the top, a GPT image model in the tool,
a known `previous_response_id`, the tool's parameters by the image model's own rules, the transparency
400 for the models the data names), a conversation stored per response id, answers with a reasoning item
(by effort), an `image_generation_call` item and a message, `usage` (the mainline's tokens, bounded by
`max_output_tokens`) and `tool_usage.image_gen` (the image model's), streamed with the
`response.image_generation_call.*` events; faults `responses/KIND` (moderation in the call item, a
text-only answer, a drop mid-stream, the usual HTTP errors)."""

from __future__ import annotations

import asyncio
import base64
import functools
import mimetypes
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from studio.core.images import ImageFile
from studio.core.mainline import load_mainline
from studio.core.tokens import estimate_input_image_tokens, estimate_text_tokens

from . import art, imaging
from .answers import DroppedResponse, HangUp, encode_partial, sse
from .bodies import json_object
from .faults import fault_fields
from .protocol import APIError, build_request, check, data_url_to_image, upload_to_image
from .responses_turn import Turn, parse_turn

if TYPE_CHECKING:
    from .app import Sandbox

REASONING_TOKENS = {"none": 0, "minimal": 40, "low": 160, "medium": 640, "high": 2400}


@dataclass
class Conversation:
    """What a response id continues: every earlier instruction and the images the turns made."""

    texts: list[str] = field(default_factory=list)
    images: list[ImageFile] = field(default_factory=list)


class ResponsesDesk:
    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.stored: dict[str, Conversation] = {}
        self.bodies: dict[str, dict[str, Any]] = {}

    async def retrieve(self, request: Request) -> Response:
        body = self.bodies.get(request.path_params["response_id"])
        if body is None:
            return _error(
                APIError(404, f"Response with id '{request.path_params['response_id']}' not found.")
            )
        return JSONResponse(body)

    async def create(self, request: Request) -> Response:
        rid = "req_" + uuid.uuid4().hex
        record: dict[str, Any] = {"path": "/v1/responses", "request_id": rid}
        self.sandbox.requests.append(record)
        try:
            body = await json_object(request)
            turn = parse_turn(body, load_mainline(), self._previous(body), self._image)
            record["params"] = {k: v for k, v in body.items() if k != "input"}
            record["input_images"] = _input_images(body.get("input"))
            fault = self.sandbox.config.faults.take("responses")
            if fault and fault not in ("moderation_input", "moderation_output", "no_image", "drop"):
                return await self.sandbox.fault(fault, rid)
            checked = self._checked(turn)
        except APIError as exc:
            record["status"] = exc.status
            return _error(exc, rid)
        record["status"] = 200
        answer = Answer(self, turn, checked, fault, rid)
        if turn.stream:
            return StreamingResponse(
                answer.events(), media_type="text/event-stream", headers={"x-request-id": rid}
            )
        if fault == "drop":
            return DroppedResponse()
        return JSONResponse(await answer.complete(), headers={"x-request-id": rid})

    def _previous(self, body: dict[str, Any]) -> Conversation:
        previous = body.get("previous_response_id")
        if previous is None:
            return Conversation()
        if previous not in self.stored:
            raise APIError(
                400,
                f"Previous response with id '{previous}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        return self.stored[previous]

    def _image(self, ref: Any, role: str) -> ImageFile:
        if isinstance(ref, dict) and ref.get("file_id"):  # an upload of the Files API (404 if unknown)
            stored = self.sandbox.files.get(str(ref["file_id"]))
            kind = mimetypes.guess_type(stored.filename)[0]  # the API reads the file's own type
            return upload_to_image(stored.filename, kind, stored.path.read_bytes(), role)
        return data_url_to_image(ref, role)

    def _checked(self, turn: Turn) -> Any:
        """The tool's image request, checked by the image model's own rules (the same 400s)."""
        images = tuple(turn.images)
        params = {**turn.tool_params, "prompt": turn.prompt or "an image"}
        request = build_request(params, edit=bool(images), images=images, mask=turn.mask)
        checked = check(request, self.sandbox.registry, self.sandbox.config.today)
        tool_model = str(turn.tool.get("model"))
        no_transparency = load_mainline().no_transparency | self.sandbox.config.no_transparency
        if checked.request.background == "transparent" and tool_model in no_transparency:
            raise APIError(
                400,
                "Transparent background is not supported for this model.",
                type="image_generation_user_error",
                param="tools[0].background",
                code="invalid_value",
            )
        return checked


class Answer:
    """One response: its items, usage and tool_usage, whole or as a stream of events."""

    def __init__(self, desk: ResponsesDesk, turn: Turn, checked: Any, fault: str | None, rid: str):
        self.desk, self.turn, self.checked, self.fault, self.rid = desk, turn, checked, fault, rid
        self.id = "resp_" + uuid.uuid4().hex[:24]
        self.created = int(time.time())
        self.plan = imaging.plan(checked, detail=desk.sandbox.config.detail, variation=rid)
        self.seq = 0

    def _usage(self, revised: str, image: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
        t = self.turn
        history = sum(estimate_text_tokens(text) for text in t.history.texts)
        rules = self.checked.spec.input_image_tokens
        seen = sum(estimate_input_image_tokens(rules, i.size) for i in (*t.history.images, *t.images))
        mainline_in = estimate_text_tokens(t.prompt) + history + seen + load_mainline().tool_overhead_tokens
        visible = estimate_text_tokens(revised) + 24
        reasoning = min(REASONING_TOKENS.get(t.effort, 0), max(0, t.max_output_tokens - visible))
        out = min(t.max_output_tokens, visible + reasoning)
        usage = {
            "input_tokens": mainline_in,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": mainline_in + out,
        }
        tool = (
            imaging.usage(self.checked, self.plan, images=1, partials_per_image=t.partials) if image else None
        )
        return usage, ({"image_gen": tool} if tool else None)

    def _items(self, result: str | None, revised: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        if self.turn.effort not in ("none", None):
            items.append({"type": "reasoning", "id": "rs_" + uuid.uuid4().hex[:20], "summary": []})
        if self.fault != "no_image":
            items.append(self._call_item(result, revised))
        words = "I could not draw that." if self.fault == "no_image" else "Here is the updated image."
        items.append(
            {
                "type": "message",
                "id": "msg_" + uuid.uuid4().hex[:20],
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": words, "annotations": []}],
            }
        )
        return items

    def _call_item(self, result: str | None, revised: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": "image_generation_call",
            "id": "ig_" + uuid.uuid4().hex[:20],
            "status": "completed" if result else "failed",
            "result": result,
            "revised_prompt": revised,
            "action": "edit" if self.turn.images else "generate",
            "size": str(self.plan.size),
            "quality": self.plan.quality,
            "background": "transparent" if self.plan.transparent else "opaque",
            "output_format": self.checked.request.output_format,
        }
        if self.fault in ("moderation_input", "moderation_output"):
            fields = fault_fields(self.fault)
            item["error"] = {k: fields[k] for k in ("code", "message", "param", "type")} | fields["extra"]
            item["status"], item["result"] = "failed", None
        return item

    async def _paint(self) -> tuple[Any, bytes]:
        """The picture (for partial previews) and its encoded bytes."""
        loop = asyncio.get_running_loop()
        req = self.checked.request
        image = await loop.run_in_executor(self.desk.sandbox.pool, imaging.paint, self.checked, self.plan, 0)
        data = await loop.run_in_executor(
            self.desk.sandbox.pool, art.encode, image, req.output_format, req.output_compression
        )
        return image, data

    def _body(self, items: list[dict[str, Any]], usage: dict[str, Any], tool: dict[str, Any] | None) -> dict:
        t = self.turn
        body = {
            "id": self.id,
            "object": "response",
            "created_at": self.created,
            "status": "completed",
            "model": t.model,
            "output": items,
            "previous_response_id": t.previous_id,
            "reasoning": {"effort": t.effort},
            "max_output_tokens": t.max_output_tokens,
            "tools": [t.tool],
            "usage": usage,
            "store": True,
        }
        if tool is not None:
            body["tool_usage"] = tool
        return body

    def _remember(self, data: bytes | None) -> None:
        """The conversation this response continues: its instructions and images, this turn's too."""
        images = [
            *self.turn.history.images,
            *(i for i in self.turn.images if i not in self.turn.history.images),
        ]
        if data is not None:
            images.append(_as_image(data))
        self.desk.stored[self.id] = Conversation([*self.turn.history.texts, self.turn.prompt], images)

    async def complete(self, painted: tuple[Any, bytes] | None = None) -> dict[str, Any]:
        latency = self.desk.sandbox.config.latency
        if latency and painted is None:
            await asyncio.sleep(latency)
        ok = self.fault not in ("moderation_input", "moderation_output", "no_image")
        data = (painted or await self._paint())[1] if ok else None
        revised = _revised(self.turn.prompt)
        result = base64.b64encode(data).decode("ascii") if data else None
        drawn = self.fault not in ("no_image", "moderation_input")  # output-stage blocks were drawn (billed)
        usage, tool = self._usage(revised, image=drawn)
        body = self._body(self._items(result, revised), usage, tool)
        self._remember(data)
        self.desk.bodies[self.id] = body
        return body

    def _event(self, kind: str, **fields: Any) -> bytes:
        self.seq += 1
        return sse(kind, {"type": kind, "sequence_number": self.seq, **fields})

    async def events(self):
        """created → in_progress → the call's item and image events (partials) → the message → completed."""
        shell = self._body([], {}, None) | {"status": "in_progress", "usage": None}
        yield self._event("response.created", response=shell)
        yield self._event("response.in_progress", response=shell)
        ok = self.fault not in ("moderation_input", "moderation_output", "no_image")
        painted = await self._paint() if ok else None
        body = await self.complete(painted)
        for index, item in enumerate(body["output"]):
            yield self._event("response.output_item.added", output_index=index, item=_shell(item))
            if item["type"] == "image_generation_call":
                common = {"item_id": item["id"], "output_index": index}
                yield self._event("response.image_generation_call.in_progress", **common)
                yield self._event("response.image_generation_call.generating", **common)
                if painted is not None:
                    async for event in self._partials(painted[0], common):
                        yield event
                    if self.fault == "drop":
                        raise HangUp()
                    yield self._event("response.image_generation_call.completed", **common)
            yield self._event("response.output_item.done", output_index=index, item=item)
        yield self._event("response.completed", response=body)

    async def _partials(self, image: Any, common: dict[str, Any]):
        loop = asyncio.get_running_loop()
        steps, req = self.turn.partials, self.checked.request
        for step in range(steps):
            await asyncio.sleep(self.desk.sandbox.config.latency / max(1, steps + 1))
            data = await loop.run_in_executor(
                self.desk.sandbox.pool, functools.partial(encode_partial, image, step, steps, req)
            )
            yield self._event(
                "response.image_generation_call.partial_image",
                partial_image_b64=base64.b64encode(data).decode("ascii"),
                partial_image_index=step,
                **common,
            )


def _shell(item: dict[str, Any]) -> dict[str, Any]:
    """An item as output_item.added shows it: in progress, no result yet."""
    if item["type"] == "image_generation_call":
        return {"type": item["type"], "id": item["id"], "status": "in_progress", "result": None}
    if item["type"] == "message":
        return {**item, "status": "in_progress", "content": []}
    return item


def _revised(prompt: str) -> str:
    return f"{prompt.strip()} — rendered as a clean placeholder illustration"[:4000]


def _as_image(data: bytes) -> ImageFile:
    from studio.core.images import inspect_image

    return inspect_image(data, "previous.png", role="image")


def _error(exc: APIError, rid: str | None = None) -> Response:
    headers = {"x-request-id": rid or "req_" + uuid.uuid4().hex, **exc.headers}
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def _input_images(items: Any) -> list[str]:
    """How each input image came (a file id, or "inline"), for the request log."""
    out: list[str] = []
    for item in items if isinstance(items, list) else []:
        content = item.get("content") if isinstance(item, dict) else None
        for part in content if isinstance(content, list) else []:
            if isinstance(part, dict) and part.get("type") == "input_image":
                out.append(str(part["file_id"]) if part.get("file_id") else "inline")
    return out
