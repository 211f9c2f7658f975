"""Validate a request against the registry before anything is sent or spent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import ImageInputError, ValidationError
from .output_checks import check_new_controls
from .registry import ModelSpec, Registry
from .request import EditRequest, ImageRequest
from .sizes import Size, check_size, parse_size

_DALLE_QUALITIES = {"hd", "standard"}


@dataclass(frozen=True)
class Checked:
    """A request that passed validation, with its model spec, concrete size and warnings."""

    request: ImageRequest
    spec: ModelSpec
    size: Size | None  # None = auto
    warnings: tuple[str, ...]

    def api_params(self) -> dict[str, Any]:
        """Exactly what goes to the SDK for this request."""
        return self.request.api_params(self.spec)


def _one_of(param: str, value: object, allowed: tuple[str, ...], model: str) -> None:
    if value not in allowed:
        raise ValidationError(param, value, f"{model} takes " + ", ".join(allowed))


def validate(
    request: ImageRequest, registry: Registry, today: dt.date | None = None, *, prompt_required: bool = True
) -> Checked:
    """Return the checked request or raise a ValidationError / ImageInputError naming the problem.

    prompt_required=False lets a quote be made before the prompt is written."""
    spec = registry.require_usable(request.model, today)
    warnings: list[str] = []
    lifecycle = registry.lifecycle_warning(request.model, today)
    if lifecycle:
        warnings.append(lifecycle)
    if request.endpoint not in spec.endpoints:
        raise ValidationError("model", request.model, f"does not support image {request.endpoint}s")

    prompt = request.prompt or ""
    try:
        prompt.encode("utf-8")
    except UnicodeEncodeError as exc:  # bytes that are not UTF-8 arrive as lone surrogates (argv, files)
        bad = prompt[exc.start]
        byte = (
            f"byte 0x{ord(bad) - 0xDC00:02x}"
            if 0xDC80 <= ord(bad) <= 0xDCFF
            else f"code point U+{ord(bad):04X}"
        )
        raise ValidationError(
            "prompt", "", f"is not valid UTF-8 text ({byte} at character {exc.start + 1})"
        ) from None
    if prompt_required and not prompt.strip():
        raise ValidationError("prompt", "", "must not be empty")
    if len(prompt) > spec.prompt_max_chars:
        raise ValidationError(
            "prompt",
            f"({len(prompt):,} characters)",
            f"must be at most {spec.prompt_max_chars:,} characters for {spec.id}",
        )

    if (
        request.output_format == "gif" and spec.gif is not None
    ):  # a frame: the sheet's limits apply (output_checks)
        size = None if request.size == "auto" else parse_size(request.size)
    else:
        size, size_warnings = check_size(request.size, spec.size_rules)
        warnings.extend(size_warnings)
    warnings.extend(check_new_controls(request, spec, size))

    if spec.is_gpt_image and request.quality in _DALLE_QUALITIES:
        raise ValidationError(
            "quality", request.quality, "is a DALL·E value; GPT image models take low, medium, high or auto"
        )
    _one_of("quality", request.quality, spec.qualities, spec.id)

    if not isinstance(request.n, int) or isinstance(request.n, bool) or not 1 <= request.n <= spec.n_max:
        raise ValidationError("n", request.n, f"must be a whole number from 1 to {spec.n_max} for {spec.id}")

    _one_of("output_format", request.output_format, spec.output_formats, spec.id)
    _one_of("background", request.background, spec.backgrounds, spec.id)
    if request.background == "transparent":
        if request.output_format not in ("png", "webp"):
            raise ValidationError(
                "background", "transparent", f"needs output_format png or webp (not {request.output_format})"
            )
        if spec.transparent_background == "preview":
            warnings.append(f"transparent backgrounds are a preview on {spec.id}: the API may refuse them")

    if request.output_compression is not None:
        if request.output_format not in ("jpeg", "webp"):
            raise ValidationError(
                "output_compression",
                request.output_compression,
                f"applies only to jpeg or webp output (output_format is {request.output_format})",
            )
        if not isinstance(request.output_compression, int) or not 0 <= request.output_compression <= 100:
            raise ValidationError(
                "output_compression", request.output_compression, "must be a whole number from 0 to 100"
            )

    _one_of("moderation", request.moderation, spec.moderations, spec.id)

    if not 0 <= request.partial_images <= spec.partial_images_max:
        raise ValidationError(
            "partial_images", request.partial_images, f"must be from 0 to {spec.partial_images_max}"
        )
    if request.partial_images and not request.stream:
        raise ValidationError(
            "partial_images", request.partial_images, "needs stream=true (partial images are streamed)"
        )

    if isinstance(request, EditRequest):
        warnings.extend(_validate_edit(request, spec))
    return Checked(request=request, spec=spec, size=size, warnings=tuple(warnings))


def _validate_edit(request: EditRequest, spec: ModelSpec) -> list[str]:
    warnings: list[str] = []
    if not request.images:
        raise ImageInputError("image: an edit needs at least one input image")
    if len(request.images) > spec.max_input_images:
        raise ImageInputError(
            f"image: {spec.id} takes at most {spec.max_input_images} input images ({len(request.images)} "
            "given)"
        )
    for img in request.images:
        if img.format not in spec.input_image_formats:
            raise ImageInputError(
                f"image {img.filename!r} is {img.format.upper()}; {spec.id} takes "
                + ", ".join(spec.input_image_formats)
            )
        if len(img.data) >= spec.max_input_image_bytes:
            raise ImageInputError(
                f"image {img.filename!r} is {len(img.data):,} bytes; each image must be under "
                f"{spec.max_input_image_bytes:,}"
            )
    if request.mask is not None:
        first = request.images[0]
        if request.mask.format != "png":
            raise ImageInputError(
                f"mask {request.mask.filename!r} must be a PNG (it is {request.mask.format.upper()})",
                param="mask",
            )
        if request.mask.size != first.size:
            raise ImageInputError(
                f"mask {request.mask.filename!r} is {request.mask.size}; it must match the first image's "
                f"{first.size}",
                param="mask",
            )
        if len(request.mask.data) >= spec.mask_max_bytes:
            raise ImageInputError(
                f"mask {request.mask.filename!r} must be under {spec.mask_max_bytes:,} bytes", param="mask"
            )
    if request.input_fidelity is not None:
        if not spec.input_fidelity:
            warnings.append(f"input_fidelity is not sent to {spec.id}: it always uses high fidelity")
        else:
            _one_of("input_fidelity", request.input_fidelity, spec.input_fidelity, spec.id)
    return warnings
