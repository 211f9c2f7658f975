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


ENCODE_SLICE = 3 * (1 << 18)  # bytes per base64 call (a multiple of 3): ~1 ms holding the GIL each


def data_url(image: ImageFile) -> str:
    """The image as a data URL, encoded in slices: a 4K PNG is ~20 MB, and one b64encode call of it held
    the GIL ~40 ms, stalling the window from a worker thread (bench/refine_stall.py)."""
    kind = {"jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}.get(image.format.lower(), "png")
    data = memoryview(image.data)
    parts = [base64.b64encode(data[i : i + ENCODE_SLICE]) for i in range(0, len(data), ENCODE_SLICE)]
    return f"data:image/{kind};base64," + b"".join(parts).decode("ascii")


Ref = dict[str, str]  # {"image_url": a data URL} or {"file_id": an upload of the Files API}


def inline_ref(image: ImageFile) -> Ref:
    return {"image_url": data_url(image)}


def tool_of(turn: TurnRequest, mask_ref: Ref | None = None) -> dict[str, Any]:
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
        tool["input_image_mask"] = mask_ref or inline_ref(turn.mask)
    return tool


def body_of(
    turn: TurnRequest,
    mainline: Mainline,
    *,
    stream: bool,
    image_refs: list[Ref] | None = None,
    mask_ref: Ref | None = None,
) -> dict[str, Any]:
    """`image_refs` / `mask_ref`: the turn's images as uploaded files (the service uploads large ones:
    a 4K PNG inline is ~27 MB of JSON to build and send); by default they go inline as data URLs."""
    spec = mainline.get(turn.settings.mainline)
    refs = image_refs if image_refs is not None else [inline_ref(i) for i in turn.images]
    content: list[dict[str, Any]] = [{"type": "input_text", "text": turn.instruction}]
    content += [{"type": "input_image", **ref} for ref in refs]
    body: dict[str, Any] = {
        "model": spec.id,
        "input": [{"role": "user", "content": content}],
        "tools": [tool_of(turn, mask_ref)],
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
