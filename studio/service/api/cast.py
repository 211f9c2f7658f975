"""A board's cast and style sheet as the front ends see it (Studio.cast): entries taken from files, panels
or crops of panels, switched on and off; the sheet a request is sent with (studio.core.continuity); the
continuity hint after a generation (studio.core.likeness); "Continue from this panel"."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from studio.core import likeness
from studio.core.continuity import Sheet, SheetImage
from studio.core.edit_prep import fit_source
from studio.core.errors import RefusedError, StudioError
from studio.core.files import atomic_write
from studio.core.images import ImageFile, inspect_image, read_image_file
from studio.core.provenance import strip_provenance
from studio.core.registry import ModelSpec, Registry
from studio.core.request import EditRequest, ImageRequest

from .. import cast, library
from ..db import Database
from ..paths import cast_dir

PREVIOUS_SHOT = "previous shot"
Crop = tuple[int, int, int, int]  # left, top, width, height in the panel's pixels


def _cropped(image: ImageFile, box: Crop) -> ImageFile:
    left, top, width, height = box
    w, h = image.size.width, image.size.height
    if width < 16 or height < 16 or left < 0 or top < 0 or left + width > w or top + height > h:
        raise RefusedError(
            f"crop {width}x{height} at ({left}, {top}) does not fit in the {w}x{h} panel "
            "(it must lie inside the image and be at least 16x16)"
        )
    with Image.open(io.BytesIO(image.data)) as im:
        part = im.convert("RGBA" if image.has_alpha else "RGB").crop((left, top, left + width, top + height))
    out = io.BytesIO()
    part.save(out, "PNG")
    return inspect_image(out.getvalue(), f"{Path(image.filename).stem}-crop.png", role="reference")


def _save(root: Path | None, board: int, image: ImageFile) -> dict[str, Any]:
    """The reference copied into the library (content-addressed: the same image twice is one file)."""
    digest = hashlib.sha256(image.data).hexdigest()
    ext = "jpg" if image.format == "jpeg" else image.format
    path = cast_dir(root) / str(board) / f"{digest[:20]}.{ext}"
    if not path.exists():
        try:
            atomic_write(path, image.data)
        except OSError as exc:
            raise RefusedError(
                f"could not save the reference {image.filename!r} into the library ({exc.strerror or exc}); "
                "nothing was added"
            ) from None
    size = image.size
    return {"path": str(path), "sha256": digest, "width": size.width, "height": size.height,
            "bytes": len(image.data)}  # fmt: skip


def _without_provenance(image: ImageFile) -> ImageFile:
    """A panel's PNG carries the app's provenance chunks; the reference is the picture alone."""
    try:
        data = strip_provenance(image.data)
    except Exception:  # not a PNG it can rewrite: the bytes as they are
        return image
    return image if data == image.data else inspect_image(data, image.filename, role="reference")


def _read(item: dict[str, Any], entry: dict[str, Any], spec: ModelSpec | None) -> SheetImage:
    """One reference read (and, for `spec`, fitted to the model's limits now, off the GUI thread, so that
    applying the sheet to each keystroke's quote re-encodes nothing)."""
    name, description = entry["name"], entry["description"]
    notes: list[str] = []
    try:
        image = read_image_file(item["path"], role="reference")
        image = _without_provenance(image)  # a panel's picture as the API sent it
        digest = item["sha256"] or hashlib.sha256(image.data).hexdigest()
        if spec is not None:
            image, notes = fit_source(image, spec)
    except StudioError as exc:
        return SheetImage(name, description, item["path"], item["sha256"], None, str(exc))
    return SheetImage(name, description, item["path"], digest, image, notice="; ".join(notes))


class Cast:
    def __init__(self, db: Database, root: Path | None):
        self._db, self._root = db, root
        self._signatures: dict[str, likeness.Signature] = {}  # by sha256: each reference read once

    async def entries(self, board: int) -> list[dict[str, Any]]:
        return await self._db.run(cast.entries, board)

    async def add(
        self,
        board: int,
        name: str,
        *,
        files: Sequence[str] = (),
        panel_ids: Sequence[int] = (),
        crop: Crop | None = None,
        description: str | None = None,
    ) -> int:
        """A new entry (or more images for one): image files, and panels' current images (cropped to
        `crop` when given). Refused whole, with nothing added, when any of them cannot be read or saved."""
        cast.check_name(name)
        if description is not None:
            cast.check_description(description)
        sources: list[tuple[ImageFile, int | None]] = []
        for path in files:
            read = await asyncio.to_thread(read_image_file, path, role="reference")
            sources.append((read, None))
        for panel_id in panel_ids:
            row = await self._db.run(library.panel_view, panel_id)
            if row is None or row["board_id"] != board or row["deleted_at"]:
                raise RefusedError(f"panel {panel_id} is not on this board")
            if not row.get("path"):
                raise RefusedError(f"panel {row['position'] + 1} has no image yet")
            image = await asyncio.to_thread(read_image_file, row["path"], role="reference")
            image = await asyncio.to_thread(_without_provenance, image)
            if crop is not None:
                image = await asyncio.to_thread(_cropped, image, crop)
            sources.append((image, panel_id))
        saved = []
        for image, source_panel in sources:
            record = await asyncio.to_thread(_save, self._root, board, image)
            saved.append({**record, "source_panel_id": source_panel})
        return await self._db.run(cast.add, board, name, description, saved)

    async def enable(self, board: int, name: str, enabled: bool = True) -> None:
        await self._db.run(cast.set_enabled, board, name, enabled)

    async def describe(self, board: int, name: str, description: str) -> None:
        await self._db.run(cast.set_description, board, name, description)

    async def remove(self, board: int, name: str) -> None:
        await self._db.run(cast.remove, board, name)

    async def remove_image(self, image_id: int) -> None:
        await self._db.run(cast.remove_image, image_id)

    async def options(self, board: int) -> dict[str, Any]:
        return await self._db.run(cast.options, board)

    async def set_options(self, board: int, **changes: Any) -> None:
        """follow (bool), preamble (str | None: the generated text), continue_from (panel id | None)."""
        await self._db.run(cast.set_options, board, **changes)

    async def sheet(self, board: int, *, follow: bool | None = None, spec: ModelSpec | None = None) -> Sheet:
        """The references a new panel of the board is sent with: the panel to continue from, then the
        enabled entries' images in order (read off the library's thread, fitted to `spec` when given);
        empty when not followed."""
        entries = await self.entries(board)
        opts = await self.options(board)
        if not (opts["follow"] if follow is None else follow):
            return Sheet()
        items: list[SheetImage] = []
        if opts["continue_from"] is not None:
            row = await self._db.run(library.panel_view, opts["continue_from"])
            if row is not None and row.get("path") and not row["deleted_at"]:
                shot: dict[str, Any] = {
                    "name": PREVIOUS_SHOT,
                    "description": f"panel {row['position'] + 1}, the shot this one follows: go on from it",
                }
                items.append(await asyncio.to_thread(_read, {"path": row["path"], "sha256": ""}, shot, spec))
        for entry in entries:
            if entry["enabled"]:
                for item in entry["images"]:
                    items.append(await asyncio.to_thread(_read, item, entry, spec))
        return Sheet(tuple(items), opts["preamble"], opts["continue_from"])

    async def advance(self, board: int, chained_from: int | None, job_ids: list[str]) -> int | None:
        """After a generation that continued from panel `chained_from`: the next one continues from its
        last new panel (returned). Nothing moves when the board no longer chains from that panel (the
        user stopped or moved the chain while the call ran) or nothing landed."""
        made = await self._db.run(cast.panels_made, job_ids) if job_ids and chained_from else []
        if not made or not await self._db.run(cast.move_chain, board, chained_from, made[-1]):
            return None
        return made[-1]

    async def prepare(
        self, board: int, request: ImageRequest, registry: Registry, *, follow: bool | None = None
    ) -> tuple[ImageRequest, list[str], Sheet]:
        """The request as the board's cast sends it (unchanged without one), the notices of what the
        sheet left out or re-encoded, and the sheet (for `after`)."""
        spec = registry.get(request.model)
        sheet = await self.sheet(board, follow=follow, spec=spec)
        sent, notes = await asyncio.to_thread(sheet.apply, request, spec)
        return sent, notes, sheet

    async def after(self, board: int, sheet: Sheet, request: ImageRequest, outcome: Any) -> likeness.Check:
        """After a request that followed the sheet: the chain moved on to its last new panel, and the
        continuity hint for each new picture (empty for any other request)."""
        if not isinstance(request, EditRequest) or not request.references:
            return likeness.Check()
        saved = [j for j in outcome.jobs if j.images]
        await self.advance(board, sheet.chained_from, [j.job_id for j in saved])
        return await self.check(sheet, [i.path for j in saved for i in j.images])

    async def check(self, sheet: Sheet, image_paths: list[str]) -> likeness.Check:
        """For each new picture, how alike it looks to each entry (its closest reference image)."""
        return await asyncio.to_thread(_check, sheet, image_paths, self._signatures)


def _check(sheet: Sheet, image_paths: list[str], known: dict[str, likeness.Signature]) -> likeness.Check:
    refs: dict[str, list[likeness.Signature]] = {}
    for item in sheet.images:
        if item.image is not None and item.entry != PREVIOUS_SHOT:
            if item.sha256 not in known:
                known[item.sha256] = likeness.signature(item.image.data)
            refs.setdefault(item.entry, []).append(known[item.sha256])
    scores: list[dict[str, float]] = []
    for path in image_paths:
        try:
            made = likeness.signature(Path(path).read_bytes())
        except (OSError, ValueError, Image.DecompressionBombError):
            scores.append({})  # not an image Pillow reads (an SVG): no hint for it
            continue
        scores.append({name: max(likeness.similarity(made, s) for s in sigs) for name, sigs in refs.items()})
    return likeness.Check(tuple(scores))
