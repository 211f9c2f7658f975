"""A Responses API request with the image tool, read and refused like the API (the sandbox's side)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.core.images import ImageFile
from studio.core.mainline import Mainline

from .protocol import APIError

if TYPE_CHECKING:
    from .responses_api import Conversation

TOP_LEVEL = frozenset(
    {
        "model", "input", "tools", "tool_choice", "previous_response_id", "reasoning", "max_output_tokens",
        "stream", "store", "instructions", "metadata", "text", "include", "truncation", "user",
        "safety_identifier", "parallel_tool_calls", "temperature", "top_p",
    }
)  # fmt: skip
TOOL_FIELDS = frozenset(
    {
        "type", "model", "size", "quality", "background", "output_format", "output_compression", "moderation",
        "partial_images", "input_image_mask", "action", "complexity", "input_fidelity", "frame_count",
        "frame_duration_ms", "svg",
    }
)  # fmt: skip
TOOL_DEFAULT_MODEL = "gpt-image-2.6-sunburst"  # the SDK's default for the tool's model (app: always sent)


@dataclass(frozen=True)
class Turn:
    model: str
    effort: str
    max_output_tokens: int
    stream: bool
    previous_id: str | None
    history: Conversation
    prompt: str
    images: tuple[ImageFile, ...]
    mask: ImageFile | None
    tool: dict[str, Any]
    tool_params: dict[str, Any]
    partials: int


def _bad(message: str, param: str | None = None, code: str | None = "invalid_value") -> APIError:
    return APIError(400, message, param=param, code=code)


def parse_turn(
    body: Any,
    mainline: Mainline,
    history: Conversation,
    image_of: Callable[[Any, str], ImageFile],
) -> Turn:
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object.", code="invalid_json")
    for name in body:
        if name not in TOP_LEVEL:
            raise _bad(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    model = body.get("model")
    if not model:
        raise _bad("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    if str(model).startswith(("gpt-image", "dall-e", "chatgpt-image")):
        raise _bad(
            f"'{model}' is an image model: name a mainline model here and the image model in the "
            "image_generation tool's 'model'.",
            "model",
        )
    if model not in mainline.models:
        raise APIError(
            404, f"The model `{model}` does not exist or you do not have access to it.", param="model",
            code="model_not_found",
        )  # fmt: skip
    spec = mainline.models[model]
    effort = str((body.get("reasoning") or {}).get("effort") or spec.default_effort)
    if effort not in spec.efforts and not (effort == "none" and "none" in spec.efforts):
        raise _bad(
            f"Unsupported value: 'reasoning.effort' does not support '{effort}' with this model. Supported "
            f"values are: {', '.join(repr(e) for e in spec.efforts)}.",
            "reasoning.effort",
            "unsupported_value",
        )
    limit = body.get("max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 16):
        raise _bad("'max_output_tokens' must be an integer of at least 16.", "max_output_tokens")
    tool = _tool(body.get("tools"), mainline)
    texts, images = _input(body.get("input"), image_of)
    if not texts and not images:
        raise _bad("Missing required parameter: 'input'.", "input", "missing_required_parameter")
    if not images and history.images:  # a conversation goes on from the image its last turn made
        images = [history.images[-1]]
    mask = image_of(tool["input_image_mask"], "mask") if tool.get("input_image_mask") else None
    params = {
        k: v for k, v in tool.items() if k not in ("type", "input_image_mask", "action", "partial_images")
    }
    stream = bool(body.get("stream"))
    partials = int(tool.get("partial_images") or 0) if stream else 0
    return Turn(
        str(model), effort, int(limit or 100_000), stream, body.get("previous_response_id"), history,
        " ".join(texts), tuple(images[:16]), mask, tool, params, partials,
    )  # fmt: skip


def _tool(tools: Any, mainline: Mainline) -> dict[str, Any]:
    if not isinstance(tools, list) or not tools:
        raise _bad("This sandbox answers the image_generation tool only: give it in 'tools'.", "tools")
    found = [t for t in tools if isinstance(t, dict) and t.get("type") == "image_generation"]
    if len(found) != 1:
        raise _bad("Give exactly one tool of type 'image_generation'.", "tools")
    tool = dict(found[0])
    for name in tool:
        if name not in TOOL_FIELDS:
            raise _bad(f"Unknown parameter: 'tools[0].{name}'.", f"tools[0].{name}", "unknown_parameter")
    tool.setdefault("model", TOOL_DEFAULT_MODEL)
    if tool["model"] not in mainline.image_models:
        raise _bad(
            f"Invalid value: '{tool['model']}'. The image_generation tool takes a GPT image model: "
            + ", ".join(mainline.image_models),
            "tools[0].model",
        )
    partials = tool.get("partial_images", 0)
    if not isinstance(partials, int) or not 0 <= partials <= 3:
        raise _bad("'tools[0].partial_images' must be 0 to 3.", "tools[0].partial_images")
    return tool


def _input(raw: Any, image_of: Callable[[Any, str], ImageFile]) -> tuple[list[str], list[ImageFile]]:
    if isinstance(raw, str):
        return ([raw] if raw.strip() else []), []
    if not isinstance(raw, list):
        return [], []
    texts: list[str] = []
    images: list[ImageFile] = []
    for message in raw:
        if not isinstance(message, dict):
            raise _bad("Each input item must be an object.", "input")
        if message.get("role", "user") != "user":
            continue  # earlier assistant items: the conversation is the stored one
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
            continue
        for part in content if isinstance(content, list) else []:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "input_text":
                texts.append(str(part.get("text") or ""))
            elif kind == "input_image":
                ref = (
                    {"file_id": part["file_id"]}
                    if part.get("file_id")
                    else {"image_url": part.get("image_url")}
                )
                images.append(image_of(ref, "image"))
            else:
                raise _bad(f"Invalid content part type: {kind!r}.", "input")
    return [t for t in texts if t.strip()], images
