"""A refine turn as a Responses API request body (pure code): the mainline model, the instruction (and
the images of a first turn) as a user message, the image_generation tool with its image model always
named, the tool forced, `max_output_tokens` on every request (the quote's bound depends on it),
`previous_response_id` to continue the conversation."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from .images import ImageFile
from .mainline import Mainline
from .validation import Checked

DEFAULT_MAX_OUTPUT_TOKENS = 4000


@dataclass(frozen=True)
class TurnSettings:
    mainline: str
    image_model: str
    effort: str
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    partial_images: int = 0


@dataclass(frozen=True)
class TurnRequest:
    instruction: str
    image: Checked  # the tool's parameters, checked by the image model's rules (prompt = the instruction)
    settings: TurnSettings
    previous_response_id: str | None = None
    images: tuple[ImageFile, ...] = field(default=())  # sent with this turn (a first turn from a panel/file)
    mask: ImageFile | None = None


def data_url(image: ImageFile) -> str:
    kind = {"jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}.get(image.format.lower(), "png")
    return f"data:image/{kind};base64," + base64.b64encode(image.data).decode("ascii")


def tool_of(turn: TurnRequest) -> dict[str, Any]:
    req = turn.image.request
    tool: dict[str, Any] = {
        "type": "image_generation",
        "model": turn.settings.image_model,
        "size": req.size,
        "quality": req.quality,
        "output_format": req.output_format,
        "background": req.background,
    }
    if req.moderation != "auto":
        tool["moderation"] = req.moderation
    if req.output_compression is not None and req.output_format in ("jpeg", "webp"):
        tool["output_compression"] = req.output_compression
    if req.complexity is not None and turn.image.spec.complexities:
        tool["complexity"] = req.complexity
    if turn.settings.partial_images:
        tool["partial_images"] = turn.settings.partial_images
    if turn.mask is not None:
        tool["input_image_mask"] = {"image_url": data_url(turn.mask)}
    return tool


def body_of(turn: TurnRequest, mainline: Mainline, *, stream: bool) -> dict[str, Any]:
    spec = mainline.get(turn.settings.mainline)
    content: list[dict[str, Any]] = [{"type": "input_text", "text": turn.instruction}]
    content += [{"type": "input_image", "image_url": data_url(i)} for i in turn.images]
    body: dict[str, Any] = {
        "model": spec.id,
        "input": [{"role": "user", "content": content}],
        "tools": [tool_of(turn)],
        "tool_choice": {"type": "image_generation"},
        "max_output_tokens": turn.settings.max_output_tokens,
        "store": True,
    }
    if spec.efforts:  # a reasoning model: the effort is always said ("none" included where it exists)
        body["reasoning"] = {"effort": turn.settings.effort}
    if turn.previous_response_id:
        body["previous_response_id"] = turn.previous_response_id
    if stream:
        body["stream"] = True
    return body
