"""A board's cast and style sheet, sent: its active references become an edit's input images (first, within
the model's limits, no mask) and their names and descriptions are woven into the prompt in one documented
form the user sees and may edit (README, "Continuity"):

    Reference images, in order. Keep every character, prop, place and style consistent with them:
    Image 1: Mara (woman, mid-20s, glasses, purple hoodie).
    Images 2-3: Coffee shop (warm-lit coffee shop).

    <the prompt>

The user's own text is sent as written, with two services: where a call's references do not start at
image 1 (a refine's first turn: the panel's picture is image 1) its image numbers ("Image 2", "images 2-3")
are moved on to match; and where its "Image N:" lines no longer name the images sent (an entry switched
off, added or removed since), the call says so (`Sheet.stale`).

OpenAI's image models take continuity from input images (an edit with up to 16 images and no mask), not from
a parameter: there is no `quality_mode="thinking"` (docs/openai-image-api.md, "claims that are false")."""

from __future__ import annotations

import re
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
LABEL = re.compile(r"(?<![\w-])(images?) (\d{1,3})(?:-(\d{1,3}))?(?![\w-])", re.IGNORECASE)
LINE = re.compile(r"^\s*images? (\d{1,3})(?:-(\d{1,3}))?\s*:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)


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
            return renumber(self.preamble_override.strip(), first - 1)
        return generated_preamble(self.chosen(spec)[0][:room], first=first)

    def stale(self, spec: ModelSpec, *, first: int = 1, room: int | None = None) -> list[str]:
        """What the user's edit of the woven text says that the images sent no longer match (their
        labels against the generated text's); [] when generated, matching, or written without labels."""
        if self.preamble_override is None:
            return []
        mine = labels(self.preamble(spec, first=first, room=room))
        now = labels(generated_preamble(self.chosen(spec)[0][:room], first=first))
        if not mine:
            return []
        problems = []
        for k in sorted(set(mine) | set(now)):
            said, sent = mine.get(k), now.get(k)
            if sent is None:
                problems.append(f"it names image {k} ({said!r}), but {len(now)} reference image(s) go")
            elif said is None:
                problems.append(f"image {k} ({sent!r}) is not named in it")
            elif sent.lower() not in said.lower():
                problems.append(f"image {k} is now {sent!r} (it says {said!r})")
        if not problems:
            return []
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        return [
            "the woven text you edited does not match the images sent: "
            + "; ".join(problems[:3])
            + more
            + ". Reset it to the cast's own text, or edit it"
        ]

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
        notes.extend(self.stale(spec))
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


def renumber(text: str, shift: int) -> str:
    """`text` with every image number ("Image N", "images N-M", any case) moved on by `shift`."""
    if not shift:
        return text

    def moved(m: re.Match[str]) -> str:
        hi = f"-{int(m[3]) + shift}" if m[3] else ""
        return f"{m[1]} {int(m[2]) + shift}{hi}"

    return LABEL.sub(moved, text)


def labels(text: str) -> dict[int, str]:
    """Which entry each image number's line names ("Images 2-3: Coffee shop (…)." -> {2: .., 3: ..})."""
    out: dict[int, str] = {}
    for m in LINE.finditer(text):
        lo = int(m[1])
        hi = int(m[2]) if m[2] else lo
        name = re.split(r" \(|\.$", m[3], maxsplit=1)[0].strip()
        for k in range(lo, min(hi, lo + 63) + 1):
            out[k] = name
    return out


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
