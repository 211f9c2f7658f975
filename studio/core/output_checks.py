"""Checks of what gpt-image-2.5 / 2.6 added: complexity, xhigh / max, animated GIF, SVG vectors and markup.

Every refusal names the parameter and the conflict; nothing that breaks a rule is sent. Where a fact is
only reported by third parties (its grade in resources/models.toml), the request goes through with a
warning that says so.
"""

from __future__ import annotations

from .errors import ImageInputError, ValidationError
from .images import has_transparent_pixels, oriented_size
from .registry import ModelSpec
from .request import EditRequest, ImageRequest
from .sizes import Size

GRADE_WORDS = {
    "T": "reported by third parties, not documented by OpenAI",
    "U": "not documented: an assumption",
}


def grade_warning(spec: ModelSpec, key: str, what: str) -> str | None:
    grade = spec.grade(key)
    return f"{what} on {spec.id} is {GRADE_WORDS[grade]}" if grade in GRADE_WORDS else None


def check_new_controls(request: ImageRequest, spec: ModelSpec, size: Size | None) -> list[str]:
    """Refuse what the model cannot do; return warnings for what rests on reported facts."""
    warnings: list[str] = []
    if request.quality in ("xhigh", "max") and request.quality not in spec.qualities:
        raise ValidationError(
            "quality", request.quality, f"is not offered by {spec.id} (it takes {', '.join(spec.qualities)})"
        )
    if request.complexity is not None:
        if not spec.complexities:
            raise ValidationError(
                "complexity",
                request.complexity,
                f"{spec.id} has no complexity control (gpt-image-2.6 models have it); leave it unset",
            )
        if request.complexity not in spec.complexities:
            raise ValidationError(
                "complexity", request.complexity, f"{spec.id} takes {', '.join(spec.complexities)}"
            )
    fmt = request.output_format
    if fmt != "gif":
        for param in ("frame_count", "frame_duration_ms"):
            if getattr(request, param) is not None:
                raise ValidationError(param, getattr(request, param), "applies only to output_format gif")
    if fmt != "svg" and (request.svg_author or request.svg_effort):
        raise ValidationError(
            "svg", request.svg_author or request.svg_effort, "applies only to output_format svg"
        )
    if fmt == "gif":
        warnings += _check_gif(request, spec, size)
    elif fmt == "svg":
        warnings += _check_svg(request, spec)
    if isinstance(request, EditRequest) and request.markup is not None:
        warnings += _check_markup(request, spec)
    for key, what in (
        (f"qualities.{request.quality}", f"quality {request.quality}"),
        (
            "backgrounds.transparent" if request.background == "transparent" else "",
            "a transparent background",
        ),
    ):
        if key and (w := grade_warning(spec, key, what)):
            warnings.append(w)
    return warnings


def _no_streaming(request: ImageRequest, kind: str) -> None:
    if request.stream or request.partial_images:
        raise ValidationError("stream", "true", f"{kind} output cannot be streamed: no partial images")
    if request.output_compression is not None:
        raise ValidationError(
            "output_compression", request.output_compression, f"{kind} output takes no compression"
        )


def _whole_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_gif(request: ImageRequest, spec: ModelSpec, size: Size | None) -> list[str]:
    rules = spec.gif
    if rules is None:
        raise ValidationError(
            "output_format", "gif", f"{spec.id} cannot make animated GIFs (gpt-image-2.6 models can)"
        )
    _no_streaming(request, "GIF")
    if isinstance(request, EditRequest) and request.mask is not None:
        raise ValidationError("mask", request.mask.filename, "GIF edits take no mask")
    frames = rules.frames(request.frame_count)
    if not _whole_in(frames, rules.frames_min, rules.frames_max):
        raise ValidationError(
            "frame_count", frames, f"must be a whole number from {rules.frames_min} to {rules.frames_max}"
        )
    ms = rules.duration(request.frame_duration_ms)
    if not _whole_in(ms, rules.duration_min_ms, rules.duration_max_ms):
        raise ValidationError(
            "frame_duration_ms",
            ms,
            f"must be from {rules.duration_min_ms} to {rules.duration_max_ms:,} ms "
            f"(rounded to {rules.duration_step_ms})",
        )
    largest = rules.largest_square_frame(frames)
    if size is None:
        raise ValidationError(
            "size",
            "auto",
            "a GIF needs an explicit frame size: the sheet limits depend on it",
            suggestion=f"for {frames} frames the largest square frame is {largest}x{largest}",
        )
    problem = rules.sheet_problem(frames, size)
    if problem:
        raise ValidationError(
            "size",
            str(size),
            problem,
            suggestion=f"for {frames} frames the largest square frame is {largest}x{largest}",
        )
    warnings = []
    if rules.rounded_duration(ms) != ms:
        warnings.append(
            f"frame duration {ms} ms is sent as {rules.rounded_duration(ms)} ms "
            f"(the API rounds to {rules.duration_step_ms})"
        )
    if rules.grades.get("sheet") in GRADE_WORDS:
        warnings.append(f"GIF sheet limits are {GRADE_WORDS[rules.grades['sheet']]}")
    return warnings


def _check_svg(request: ImageRequest, spec: ModelSpec) -> list[str]:
    rules = spec.svg
    if rules is None:
        raise ValidationError(
            "output_format", "svg", f"{spec.id} cannot make SVG vectors (gpt-image-2.6 models can)"
        )
    _no_streaming(request, "SVG")
    if request.n > rules.n_max:
        raise ValidationError(
            "n", request.n, f"SVG output makes {rules.n_max} image per call (n must be {rules.n_max})"
        )
    if isinstance(request, EditRequest) and request.mask is not None:
        raise ValidationError("mask", request.mask.filename, "SVG edits take no mask")
    if request.svg_effort is not None:
        if not request.svg_author:
            raise ValidationError(
                "svg_effort",
                request.svg_effort,
                "needs an SVG author model (only with SVG model selection on your OpenAI project)",
            )
        if request.svg_effort not in rules.efforts:
            raise ValidationError("svg_effort", request.svg_effort, "takes " + ", ".join(rules.efforts))
    return []


def _check_markup(request: EditRequest, spec: ModelSpec) -> list[str]:
    markup = request.markup
    if markup is None or not request.images:
        return []  # no first image: refused with the other edit checks
    if not spec.markup:
        raise ImageInputError(
            f"markup: {spec.id} takes no markup (gpt-image-2.5 and 2.6 models do)", param="markup"
        )
    if request.mask is not None:
        raise ImageInputError("markup: cannot be combined with a mask; send one or the other", param="markup")
    if markup.format != "png":
        raise ImageInputError(
            f"markup {markup.filename!r} must be a PNG (it is {markup.format.upper()})", param="markup"
        )
    first = oriented_size(request.images[0])
    if markup.size != first:
        raise ImageInputError(
            f"markup {markup.filename!r} is {markup.size}; it must be exactly the first image's {first}"
            " (after EXIF orientation)",
            param="markup",
        )
    if not has_transparent_pixels(markup):
        raise ImageInputError(
            f"markup {markup.filename!r} has no transparent pixels; draw on a transparent layer",
            param="markup",
        )
    warning = grade_warning(spec, "markup", "markup")
    return ["markup edits may change anything in the image (the drift guard applies to mask edits only)"] + (
        [warning] if warning else []
    )
