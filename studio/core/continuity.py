"""A board's cast and style sheet, sent: its active references become an edit's input images (first, within
the model's limits, no mask) and their names and descriptions are woven into the prompt in one documented
form the user sees and may edit (README, "Continuity"):

    Reference images, in order. Keep every character, prop, place and style consistent with them:
    Image 1: Mara (woman, mid-20s, glasses, purple hoodie).
    Images 2-3: Coffee shop (warm-lit coffee shop).

    <the prompt>

OpenAI's image models take continuity from input images (an edit with up to 16 images and no mask), not from
a parameter: there is no `quality_mode="thinking"` (docs/openai-image-api.md, "claims that are false")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .edit_prep import fit_source
from .errors import RefusedError
from .images import ImageFile
from .pricing import usd
from .registry import ModelSpec, Registry
from .request import EditRequest, ImageRequest, Reference

HEAD = "Reference images, in order. Keep every character, prop, place and style consistent with them:"
SEPARATOR = "\n\n"


@dataclass(frozen=True)
class SheetImage:
    """One reference image of an entry, read from the library (`image` None: unreadable, with `problem`)."""

    entry: str
    description: str
    path: str
    sha256: str
    image: ImageFile | None
    problem: str = ""
    notice: str = ""  # how it was fitted to the model's limits when read (re-encoded, downscaled)


@dataclass(frozen=True)
class Sheet:
    """The active references of a board, in order; the user's edit of the woven text (None: generated)."""

    images: tuple[SheetImage, ...] = ()
    preamble_override: str | None = None
    chained_from: int | None = None  # the panel "Continue from this panel" made the first reference

    @property
    def active(self) -> bool:
        return bool(self.images)

    def chosen(self, spec: ModelSpec) -> tuple[list[SheetImage], list[str]]:
        """The images the model will take (readable, at most its input limit) and what was left out, why."""
        limit = spec.max_input_images
        notes: list[str] = []
        readable = []
        for item in self.images:
            if item.image is None:
                notes.append(f"left out {item.entry!r} ({item.path.rsplit('/', 1)[-1]}): {item.problem}")
            else:
                readable.append(item)
                if item.notice:
                    notes.append(f"{item.entry!r}: {item.notice}")
        if len(readable) > limit:
            dropped = readable[limit:]
            names = ", ".join(dict.fromkeys(repr(d.entry) for d in dropped))
            notes.append(
                f"{len(readable)} reference images, but {spec.id} takes at most {limit}: "
                f"left out the last {len(dropped)} (of {names})"
            )
            readable = readable[:limit]
        return readable, notes

    def preamble(self, spec: ModelSpec, *, first: int = 1, room: int | None = None) -> str:
        """The woven text for these references as the model will get them (the user's edit, if any).
        `first`: the number of the first reference among the call's images (a refine's start image is 1);
        `room`: how many of them the call has room for."""
        if self.preamble_override is not None:
            return self.preamble_override.strip()
        return generated_preamble(self.chosen(spec)[0][:room], first=first)

    def apply(self, request: ImageRequest, spec: ModelSpec) -> tuple[ImageRequest, list[str]]:
        """The request as sent with the sheet: a references call (edit endpoint, images only), the prompt
        woven; unchanged when the sheet is empty. Raises RefusedError for a model that takes no images."""
        if not self.images or isinstance(request, EditRequest):
            return request, []
        if "edit" not in spec.endpoints or spec.max_input_images < 1:
            raise RefusedError(
                f"{spec.id} takes no reference images, so the board's cast cannot be sent with it: "
                "choose another model, or switch the cast off"
            )
        chosen, notes = self.chosen(spec)
        if not chosen:
            raise RefusedError("none of the cast's reference images can be read: " + "; ".join(notes))
        images = []
        for item in chosen:
            assert item.image is not None
            fitted, more = fit_source(item.image, spec)
            images.append(fitted)
            notes.extend(f"{item.entry!r}: {m}" for m in more)
        refs = tuple(Reference(item.entry, item.sha256, item.path) for item in chosen)
        fields = {k: getattr(request, k) for k in ImageRequest.__dataclass_fields__}
        fields["prompt"] = weave(self.preamble(spec), request.prompt)
        return EditRequest(**fields, images=tuple(images), references=refs, woven_from=request.prompt), notes


def generated_preamble(chosen: list[SheetImage], *, first: int = 1) -> str:
    """The documented text: one line per entry, naming the input images that show it."""
    if not chosen:
        return ""
    lines, k = [HEAD], first
    groups: list[tuple[str, str, int]] = []
    for item in chosen:
        if groups and groups[-1][0] == item.entry:
            groups[-1] = (item.entry, item.description, groups[-1][2] + 1)
        else:
            groups.append((item.entry, item.description, 1))
    for name, description, count in groups:
        span = f"Image {k}" if count == 1 else f"Images {k}-{k + count - 1}"
        text = " ".join(description.split()).rstrip(".")
        lines.append(f"{span}: {name}" + (f" ({text})." if text else "."))  # plain ASCII: any model reads it
        k += count
    return "\n".join(lines)


def weave(preamble: str, prompt: str) -> str:
    return f"{preamble}{SEPARATOR}{prompt}" if preamble else prompt


def reference_parts(
    request: ImageRequest, usage: dict[str, Any] | None, registry: Registry, billed: Decimal
) -> tuple[tuple[str, Decimal], ...]:
    """A references call's bill in two parts: what the reference images cost (the usage's input image
    tokens at the model's image input price) and the rest; () for any other call or without usage."""
    if not isinstance(request, EditRequest) or not request.references or not usage:
        return ()
    if request.model not in registry.model_ids():
        return ()
    spec = registry.get(request.model)
    details = usage.get("input_tokens_details") or {}
    tokens = details.get("image_tokens")
    if spec.prices is None or not isinstance(tokens, int) or tokens < 0:
        return ()
    refs = min(billed, usd(tokens, spec.prices.image_in))
    return (("references", refs), ("the rest", billed - refs))
