"""What a refine turn will send and what it can cost, before anything is reserved or sent: the
conversation it continues (or the one it would start), the images it carries (the first turn's panel
image or file, and every image the conversation's history holds — OpenAI re-reads, and bills, them each
turn), the tool's request checked by the image model's rules, and the quote with its hard bound.

    plan = await plan_turn(service, "make the hoodie purple", settings, params, panel_id=7)
    plan.quote.total_usd_max
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from studio.core.continuity import Sheet, weave
from studio.core.edit_prep import fit_source
from studio.core.errors import RefusedError, TransparencyRefused
from studio.core.images import ImageFile, read_image_file
from studio.core.mainline import Mainline, MainlineSpec, load_mainline
from studio.core.request import EditRequest, ImageRequest, Reference
from studio.core.responses_body import TurnSettings
from studio.core.sizes import Size
from studio.core.turn_pricing import TurnQuote, turn_quote
from studio.core.validation import Checked, validate

from . import conversations, versions

if TYPE_CHECKING:
    from .runner import ImageService

NO_TRANSPARENCY = (
    "{model} answers a transparent background through the Responses tool with an error — a batch of such "
    "requests once came back white and was paid for. Nothing was sent: refine with an opaque background, or "
    "send this request through the Images API (Generate, or the painter), which takes transparency."
)


@dataclass
class TurnPlan:
    mainline: Mainline
    spec: MainlineSpec
    conversation: dict[str, Any] | None  # None: the turn starts a new one
    history: list[dict[str, Any]]  # the answered turns OpenAI holds for it
    first: bool  # no previous response: the start images go with this turn
    start_images: tuple[ImageFile, ...]  # read only for a first turn that is sent
    start_path: str | None
    checked: Checked
    quote: TurnQuote
    sent_instruction: str = ""  # the instruction as sent: a first turn's has the cast's text woven in
    cast_paths: tuple[str, ...] = ()  # a first turn's cast references (after its start image)
    cast_woven: str = ""
    notes: tuple[str, ...] = ()  # what the cast left out


def check_settings(settings: TurnSettings, params: dict[str, Any]) -> tuple[Mainline, MainlineSpec]:
    """Refusals before anything is planned: an unknown mainline or effort, an image model the tool does
    not take, transparency where the tool answers it with an error."""
    mainline = load_mainline()
    spec = mainline.get(settings.mainline)
    if settings.effort not in spec.efforts:
        raise RefusedError(f"{spec.id} takes reasoning {', '.join(spec.efforts)}, not {settings.effort!r}")
    if settings.image_model not in mainline.image_models:
        raise RefusedError(
            f"the image tool takes {', '.join(mainline.image_models)}, not {settings.image_model}"
        )
    if params.get("background") == "transparent" and settings.image_model in mainline.no_transparency:
        raise TransparencyRefused(NO_TRANSPARENCY.format(model=settings.image_model))
    return mainline, spec


async def find_conversation(
    service: ImageService, conversation_id: str | None, panel_id: int | None
) -> dict[str, Any] | None:
    db = service.db
    if conversation_id is not None:
        found = await db.run(conversations.get, conversation_id)
        if found is None:
            raise RefusedError(f"no conversation {conversation_id!r}")
        return found
    if panel_id is not None:
        return await db.run(conversations.of_panel, panel_id)
    return None


async def plan_turn(
    service: ImageService,
    instruction: str,
    settings: TurnSettings,
    params: dict[str, Any],
    *,
    panel_id: int | None = None,
    source: Path | None = None,
    conversation_id: str | None = None,
    sheet: Sheet | None = None,
) -> TurnPlan:
    """`sheet`: the board's cast; a first turn sends its references after the start image, its text woven
    into the instruction (later turns carry them: OpenAI holds them in the conversation)."""
    if not instruction.strip():
        raise RefusedError("say what to change: the instruction is empty")
    mainline, spec = check_settings(settings, params)
    conv = await find_conversation(service, conversation_id, panel_id)
    first = conv is None or conv["last_response_id"] is None
    start_path, past = (None, [])
    if conv is not None:
        start_path, past = await service.db.run(conversations.history, conv["id"])
    if first:
        kept = conv or {}  # a conversation not yet answered starts from its file or its panel
        if source is None and kept.get("source_path"):
            source = Path(kept["source_path"])
        panel_id = panel_id if panel_id is not None else kept.get("panel_id")
        start_path = str(source) if source is not None else await _panel_image(service, panel_id)
    start_images: tuple[ImageFile, ...] = ()
    if first and start_path:
        start_images = (await asyncio.to_thread(read_image_file, start_path, role="image"),)
    kept = await service.db.run(conversations.cast_of, conv["id"]) if conv else {"paths": [], "woven": ""}
    cast_paths: list[str] = kept["paths"]
    woven: str = kept["woven"]
    refs: tuple[Reference, ...] = ()
    notes: list[str] = []
    sent = instruction
    if first and sheet is not None and sheet.active:
        image_spec = service.registry.get(settings.image_model)
        refs, more, notes, woven = await asyncio.to_thread(_cast_images, sheet, image_spec, len(start_images))
        start_images += more
        cast_paths = [r.path for r in refs]
        sent = weave(woven, instruction)
    carried = [p for p in [start_path, *cast_paths, *[t.get("image_path") for t in past]] if p]
    sizes = await asyncio.to_thread(_sizes, carried)
    if settings.partial_images:  # each partial is billed (+100 image tokens): the quote counts them
        params = {**params, "stream": True, "partial_images": settings.partial_images}
    image_request: ImageRequest = ImageRequest(sent, model=settings.image_model, **params)
    if start_images:  # checked as an edit of what it starts from (sizes, formats, limits)
        image_request = EditRequest(sent, model=settings.image_model, images=start_images, references=refs,
                                    **params)  # fmt: skip
    checked = validate(image_request, service.registry)
    history = [t["instruction"] for t in past]
    if history and woven:  # the first turn was sent with the cast's text: it is re-read
        history[0] = weave(woven, history[0])
    q = turn_quote(
        checked,
        service.registry,
        mainline,
        spec,
        instruction=sent,
        history=history,
        resent=sizes,
        max_output_tokens=settings.max_output_tokens,
        effort=settings.effort,
        image_sees=sizes[len(start_images) :],  # the history's images, seen (and billed) again
    )
    if notes:  # what the cast left out or says wrongly: the quote carries it to the window and the CLI
        q = replace(q, cast_notes=tuple(notes))
    return TurnPlan(
        mainline, spec, conv, past, first, start_images, start_path, checked, q,
        sent, tuple(cast_paths) if refs else (), woven if refs else "", tuple(notes),
    )  # fmt: skip


def _cast_images(
    sheet: Sheet, spec: Any, taken: int
) -> tuple[tuple[Reference, ...], tuple[ImageFile, ...], list[str], str]:
    """A first turn's cast: the references that fit after its `taken` start image(s), fitted to the
    image model, what was left out, and the text woven into the instruction (numbered after the start)."""
    room = max(0, spec.max_input_images - taken)
    chosen, notes = sheet.chosen(spec)
    if len(chosen) > room:
        notes.append(
            f"the start image takes one of the {spec.max_input_images}: left out {len(chosen) - room} "
            "more reference(s)"
        )
        chosen = chosen[:room]
    images = tuple(fit_source(c.image, spec)[0] for c in chosen if c.image is not None)
    refs = tuple(Reference(c.entry, c.sha256, c.path) for c in chosen)
    notes.extend(sheet.stale(spec, first=taken + 1, room=room))
    return refs, images, notes, sheet.preamble(spec, first=taken + 1, room=room)


async def _panel_image(service: ImageService, panel_id: int | None) -> str | None:
    if panel_id is None:
        return None
    path = (await service.db.run(versions.current, panel_id)).get("path")
    if not path:
        raise RefusedError("this panel has no image yet: refine starts from an image, a file or a prompt")
    return str(path)


def _sizes(paths: list[str]) -> list[Size]:
    """Pixel sizes from the files' headers (a quote reads no pixels). A file gone from the disk counts
    at the largest size the image models make, so the bound still holds."""
    out = []
    for path in paths:
        try:
            with Image.open(path) as im:
                out.append(Size(int(im.width), int(im.height)))
        except OSError:
            out.append(Size(3840, 3840))
    return out
