"""Parse request bodies like the real API does, and its error envelope."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.core.errors import ImageInputError, ModelUnavailableError, ValidationError
from studio.core.images import ImageFile, inspect_image
from studio.core.registry import Registry
from studio.core.request import EditRequest, ImageRequest
from studio.core.validation import Checked, validate

GEN_PARAMS = frozenset(
    {
        "prompt",
        "model",
        "n",
        "size",
        "quality",
        "background",
        "output_format",
        "output_compression",
        "moderation",
        "stream",
        "partial_images",
        "user",
        "safety_identifier",
        "complexity",
        "frame_count",
        "frame_duration_ms",
        "svg",
    }
)
# Multipart edits carry the SVG object as bracketed fields (svg[model], svg[reasoning][effort]).
EDIT_PARAMS = GEN_PARAMS | {
    "image",
    "image[]",
    "images",
    "mask",
    "markup",
    "input_fidelity",
    "svg[model]",
    "svg[reasoning][effort]",
}
ACCEPTED_MIMETYPES = ("image/jpeg", "image/png", "image/webp")
# The spec's default model for generations is dall-e-2, which is retired.
SPEC_DEFAULT_MODEL = "dall-e-2"


@dataclass
class APIError(Exception):
    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        err = {"message": self.message, "type": self.type, "param": self.param, "code": self.code}
        err.update(self.extra)
        return {"error": err}


def unknown_parameter(name: str) -> APIError:
    return APIError(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def _int(params: Mapping[str, Any], name: str, default: int | None) -> int | None:
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool):
        raise APIError(
            400,
            f"Invalid type for '{name}': expected an integer, but got a boolean instead.",
            param=name,
            code="invalid_type",
        )
    try:
        return int(value)
    except (TypeError, ValueError):
        raise APIError(
            400,
            f"Invalid type for '{name}': expected an integer, but got a string instead.",
            param=name,
            code="invalid_type",
        ) from None


def _bool(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _svg(params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(author, effort) from the JSON `svg` object or the multipart svg[...] fields."""
    if "svg" in params and params["svg"] is not None:
        svg = params["svg"]
        if not isinstance(svg, Mapping):
            raise APIError(
                400, "Invalid type for 'svg': expected an object.", param="svg", code="invalid_type"
            )
        reasoning = svg.get("reasoning") or {}
        if not isinstance(reasoning, Mapping):
            raise APIError(
                400,
                "Invalid type for 'svg.reasoning': expected an object.",
                param="svg.reasoning",
                code="invalid_type",
            )
        author = svg.get("model")
        return (str(author) if author else None), (
            str(reasoning["effort"]) if reasoning.get("effort") else None
        )
    author, effort = params.get("svg[model]"), params.get("svg[reasoning][effort]")
    return (str(author) if author else None), (str(effort) if effort else None)


def build_request(
    params: Mapping[str, Any],
    *,
    edit: bool,
    images: tuple[ImageFile, ...] = (),
    mask: ImageFile | None = None,
    markup: ImageFile | None = None,
) -> ImageRequest:
    allowed = EDIT_PARAMS if edit else GEN_PARAMS
    for name in params:
        if name not in allowed:
            raise unknown_parameter(name)
    if "prompt" not in params or params["prompt"] is None:
        raise APIError(
            400, "Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter"
        )
    common: dict[str, Any] = dict(
        prompt=str(params["prompt"]),
        model=str(params.get("model") or SPEC_DEFAULT_MODEL),
        size=str(params.get("size") or "auto"),
        quality=str(params.get("quality") or "auto"),
        n=_int(params, "n", 1),
        background=str(params.get("background") or "auto"),
        output_format=str(params.get("output_format") or "png"),
        output_compression=_int(params, "output_compression", None),
        moderation=str(params.get("moderation") or "auto"),
        stream=_bool(params, "stream"),
        partial_images=_int(params, "partial_images", 0) or 0,
        safety_identifier=params.get("safety_identifier"),
        user=params.get("user"),
        complexity=str(params["complexity"]) if params.get("complexity") is not None else None,
        frame_count=_int(params, "frame_count", None),
        frame_duration_ms=_int(params, "frame_duration_ms", None),
    )
    common["svg_author"], common["svg_effort"] = _svg(params)
    if edit:
        return EditRequest(
            **common, images=images, mask=mask, markup=markup, input_fidelity=params.get("input_fidelity")
        )
    return ImageRequest(**common)


def check(request: ImageRequest, registry: Registry, today: dt.date | None = None) -> Checked:
    """Validate like the API: unknown/retired models are 404s, bad values 400s naming the param."""
    try:
        spec = registry.get(request.model)
        if not spec.is_usable(today):
            raise ModelUnavailableError(request.model, "retired")
    except ModelUnavailableError:
        raise APIError(
            404,
            f"The model `{request.model}` does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        ) from None
    if isinstance(request, EditRequest) and request.input_fidelity is not None and not spec.input_fidelity:
        raise APIError(
            400,
            f"The 'input_fidelity' parameter is not supported for model '{spec.id}'.",
            param="input_fidelity",
            code="unsupported_parameter",
        )
    try:
        return validate(request, registry, today)
    except ValidationError as exc:
        raise APIError(
            400, f"Invalid value for '{exc.param}': {exc}", param=exc.param, code="invalid_value"
        ) from None
    except ImageInputError as exc:
        raise APIError(400, str(exc), param=exc.param, code="invalid_image") from None


def upload_to_image(filename: str | None, content_type: str | None, data: bytes, role: str) -> ImageFile:
    if (content_type or "").split(";")[0].strip() not in ACCEPTED_MIMETYPES:
        raise APIError(
            400,
            f"Invalid file '{role}': unsupported mimetype ('{content_type}'). Supported file formats are "
            "'image/jpeg', 'image/png', and 'image/webp'.",
            param=role,
            code="invalid_image_format",
        )
    try:
        return inspect_image(data, filename or role, role=role)
    except ImageInputError as exc:
        raise APIError(400, f"Invalid image file '{role}': {exc}", param=role, code="invalid_image") from None


def data_url_to_image(ref: Any, role: str) -> ImageFile:
    """The JSON edit form: {"image_url": "data:image/png;base64,..."}; file ids need the Files API."""
    if not isinstance(ref, Mapping):
        raise APIError(
            400,
            f"Invalid type for '{role}': expected an object with image_url or file_id.",
            param=role,
            code="invalid_type",
        )
    if "file_id" in ref:
        raise APIError(
            400,
            "file_id references need the Files API, which the sandbox does not emulate; send image_url as a "
            "data URL.",
            param=role,
            code="unsupported_value",
        )
    url = ref.get("image_url")
    if not isinstance(url, str) or not url.startswith("data:") or ";base64," not in url:
        raise APIError(
            400,
            f"Invalid '{role}.image_url': the sandbox is offline and takes only base64 data URLs.",
            param=role,
            code="invalid_value",
        )
    header, _, payload = url.partition(";base64,")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise APIError(
            400, f"Invalid '{role}.image_url': the base64 data is corrupt.", param=role, code="invalid_value"
        ) from None
    return upload_to_image(role + "." + header.rsplit("/", 1)[-1], header[5:], data, role)
