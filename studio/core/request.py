"""Request value types for generations and edits, and what exactly is sent to the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .images import ImageFile
from .registry import ModelSpec

# Parameters the API rejects (or that only retired DALL·E models took). Never sent.
NEVER_SENT = frozenset({"response_format", "style"})


@dataclass(frozen=True)
class ImageRequest:
    """Every real parameter of POST /v1/images/generations (and the shared part of edits)."""

    prompt: str
    model: str = "gpt-image-2"
    size: str = "auto"
    quality: str = "auto"
    n: int = 1
    background: str = "auto"
    output_format: str = "png"
    output_compression: int | None = None  # jpeg/webp only; the API's default is 100
    moderation: str = "auto"
    stream: bool = False
    partial_images: int = 0
    safety_identifier: str | None = None
    user: str | None = None  # deprecated by the SDK in favour of safety_identifier
    complexity: str | None = (
        None  # 2.6: planning depth; None = the model's default (never sent without support)
    )
    frame_count: int | None = None  # GIF only; None = the model's default
    frame_duration_ms: int | None = None  # GIF only; None = the model's default
    svg_author: str | None = None  # SVG only, and only when the project has SVG model selection
    svg_effort: str | None = None  # the SVG author's reasoning effort (with svg_author)

    endpoint = "generate"

    def with_changes(self, **changes: Any) -> ImageRequest:
        return replace(self, **changes)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready record of the request (for journals and sidecars): no key, no image bytes."""
        data = {k: v for k, v in asdict(self).items() if k not in ("images", "mask", "markup")}
        data["endpoint"] = self.endpoint
        return data

    def api_params(self, spec: ModelSpec) -> dict[str, Any]:
        """Keyword arguments for the SDK call. `model` is always explicit (the spec's default is retired)."""
        params: dict[str, Any] = {
            "model": self.model,
            "prompt": self.prompt,
            "n": self.n,
            "size": self.size,
            "quality": self.quality,
            "background": self.background,
            "output_format": self.output_format,
        }
        if self.output_format in ("jpeg", "webp") and self.output_compression is not None:
            params["output_compression"] = self.output_compression
        if self.moderation != "auto":
            params["moderation"] = self.moderation
        if self.stream:
            params["stream"] = True
            params["partial_images"] = self.partial_images
        if self.complexity is not None and spec.complexities:
            params["complexity"] = self.complexity
        if self.output_format == "gif" and spec.gif is not None:
            params["frame_count"] = spec.gif.frames(self.frame_count)
            params["frame_duration_ms"] = spec.gif.rounded_duration(spec.gif.duration(self.frame_duration_ms))
        if self.output_format == "svg" and self.svg_author:
            params["svg"] = {
                "model": self.svg_author,
                **({"reasoning": {"effort": self.svg_effort}} if self.svg_effort else {}),
            }
        if self.safety_identifier:
            params["safety_identifier"] = self.safety_identifier
        if self.user:
            params["user"] = self.user
        assert not NEVER_SENT & params.keys()
        return params


@dataclass(frozen=True)
class Reference:
    """An input image that came from the board's cast (studio.core.continuity): never sent as such, it is
    the record of which reference an image was made with (journals, sidecars, the export's manifest)."""

    entry: str  # the cast entry's name ("previous shot" for "Continue from this panel")
    sha256: str
    path: str


@dataclass(frozen=True)
class EditRequest(ImageRequest):
    """POST /v1/images/edits: up to 16 images; the mask applies to the first."""

    images: tuple[ImageFile, ...] = field(default=())
    mask: ImageFile | None = None
    markup: ImageFile | None = None  # drawn guidance over the first image (never with a mask)
    input_fidelity: str | None = None  # omitted for gpt-image-2 (always high fidelity)
    references: tuple[Reference, ...] = ()  # a references call: what each input image is (not sent)
    woven_from: str | None = None  # a references call: the user's prompt before the cast was woven in

    endpoint = "edit"

    def snapshot(self) -> dict[str, Any]:
        data = super().snapshot()
        data["images"] = [
            {"filename": i.filename, "size": str(i.size), "bytes": len(i.data)} for i in self.images
        ]
        data["mask"] = (
            {"filename": self.mask.filename, "size": str(self.mask.size), "bytes": len(self.mask.data)}
            if self.mask
            else None
        )
        data["markup"] = (
            {"filename": self.markup.filename, "size": str(self.markup.size), "bytes": len(self.markup.data)}
            if self.markup
            else None
        )
        return data

    def api_params(self, spec: ModelSpec) -> dict[str, Any]:
        params = super().api_params(spec)
        # The multipart edit schema and SDK edit() have no `moderation`; it travels as a form field.
        moderation = params.pop("moderation", None)
        params["image"] = (
            [i.as_upload() for i in self.images] if len(self.images) > 1 else self.images[0].as_upload()
        )
        if self.mask is not None:
            params["mask"] = self.mask.as_upload()
        if self.markup is not None:
            params["markup"] = self.markup.as_upload()
        if self.input_fidelity and self.input_fidelity in spec.input_fidelity:
            params["input_fidelity"] = self.input_fidelity
        if moderation:
            params["extra_body"] = {"moderation": moderation}
        return params


def request_from_snapshot(snapshot: dict[str, Any]) -> ImageRequest:
    """The generation fields of a journaled request (snapshot()); an edit's images are not in it, so this
    is what settling a result needs (model, prompt, size, format), never what sending one needs."""
    names = {f.name for f in fields(ImageRequest)}
    return ImageRequest(**{k: v for k, v in snapshot.items() if k in names})
