"""Edits end to end: preflight, the call, the drift guard, and the new panel versions.

The raw results are saved by the service exactly as received (they were paid for). Then, per
result, off the event loop: the drift outside the mask is measured against the source, and with
the guard on the source's pixels are composited back outside the feathered mask (lossless PNG).
Editing a version that is itself a guarded composite keeps composing onto the same master pixels,
so repeated edits never degrade what was never masked.
"""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image

from studio import __version__
from studio.core import drift as drift_mod
from studio.core.edit_prep import prepare_edit
from studio.core.files import atomic_write
from studio.core.images import ImageFile
from studio.core.names import slugify
from studio.core.placement import Placement
from studio.core.provenance import embed_provenance
from studio.core.request import EditRequest

from . import journal, library, versions
from .events import VersionAdded
from .journal import JobState
from .paths import edits_dir
from .runner import GroupOutcome, ImageService


@dataclass(frozen=True)
class EditedImage:
    job_id: str
    index: int
    raw_path: str  # the result exactly as received, in the library
    path: str  # what the panel shows: the guarded composite, or the raw result
    guarded: bool
    drift: drift_mod.Drift | None  # None for an edit without a mask
    heatmap_path: str | None
    mask_path: str | None
    version_id: int | None


@dataclass
class EditOutcome:
    group: GroupOutcome
    request: EditRequest
    notices: tuple[str, ...]
    images: list[EditedImage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.group.ok


def build_request(
    service: ImageService,
    prompt: str,
    source: ImageFile,
    painted: Image.Image | None,
    *,
    references: tuple[ImageFile, ...] = (),
    mask_file: ImageFile | None = None,
    markup: ImageFile | None = None,
    **params: Any,
) -> tuple[EditRequest, tuple[str, ...]]:
    """The exact request an edit will send, with the preflight's notices (raises on bad input).
    With `markup` (drawn over the source, never with a mask) the markup follows the source if the
    preflight had to downscale it."""
    spec = service.registry.get(params.get("model", "gpt-image-2"))
    prepared = prepare_edit((source, *references), painted, spec, mask_file=mask_file)
    params = {k: v for k, v in params.items() if k not in ("size", "images", "mask", "markup")}
    if markup is not None and markup.size != prepared.images[0].size:
        markup = _resized_markup(markup, prepared.images[0].size)
    request = EditRequest(
        prompt=prompt, images=prepared.images, mask=prepared.mask, markup=markup, size=prepared.size, **params
    )
    service.check(request)  # validation refusals before anything is reserved
    return request, prepared.notices


def _resized_markup(markup: ImageFile, size: Any) -> ImageFile:
    from studio.core.images import inspect_image

    with Image.open(io.BytesIO(markup.data)) as im:
        resized = im.convert("RGBA").resize((size.width, size.height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    resized.save(buf, "PNG")
    return inspect_image(buf.getvalue(), markup.filename, role="markup")


def _painted_from(
    request: EditRequest, painted: Image.Image | None, mask_file: ImageFile | None, source: ImageFile
) -> Image.Image | None:
    if painted is not None:
        return painted
    if mask_file is not None and request.mask is not None:
        from studio.core.mask_ops import painted_from_api

        return painted_from_api(request.mask, (source.size.width, source.size.height))
    return None


def _finish_one(
    root: Path | None,
    job_id: str,
    index: int,
    raw_path: str,
    raw: bytes,
    source: bytes,
    painted: Image.Image | None,
    guard_on: bool,
    feather_px: int,
    record: dict[str, Any],
) -> tuple[str, bool, drift_mod.Drift | None, str | None, str | None]:
    """Runs in a worker thread: drift, guard, and the files beside the raw result (`raw`: its bytes as
    received, still in memory — the file at `raw_path` is the same plus our provenance chunks)."""
    if painted is None:
        return raw_path, False, None, None, None
    done = drift_mod.process(source, raw, painted, guard_on=guard_on, feather_px=feather_px)
    folder = edits_dir(root) / journal.utc_now().strftime("%Y/%m")
    stem = f"{job_id[:8]}-{index + 1:02d}-{slugify(record.get('prompt', ''), 40)}"
    heatmap_path = folder / f"{stem}-drift.png"
    mask_path = folder / f"{stem}-mask.png"
    atomic_write(heatmap_path, done.heatmap_png)
    buf = io.BytesIO()
    painted.save(buf, "PNG", optimize=True)
    atomic_write(mask_path, buf.getvalue())
    shown = raw_path
    if guard_on:
        record = {
            **record,
            "drift_guard": {"feather_px": feather_px, "drift_before_guard": done.drift.to_json()},
        }
        shown_path = folder / f"{stem}-guarded.png"
        atomic_write(shown_path, embed_provenance(done.png, record, software=f"Asset Studio {__version__}"))
        shown = str(shown_path)
    return shown, guard_on, done.drift, str(heatmap_path), str(mask_path)


async def run_edit(
    service: ImageService,
    request: EditRequest,
    *,
    source: ImageFile,
    painted: Image.Image | None = None,
    mask_file: ImageFile | None = None,
    notices: tuple[str, ...] = (),
    board: str | None = None,
    panel_id: int | None = None,
    parent_version: int | None = None,
    guard: bool = True,
    feather_px: int = drift_mod.DEFAULT_FEATHER,
    call_cap: Decimal | None = None,
) -> EditOutcome:
    """Send the edit; then guard each saved result and, for a panel, add it as a new version.
    `source` is the first image at full resolution as the user has it (the guard's master pixels)."""
    placement = (
        Placement.version(board, panel_id, parent_version)
        if board and panel_id is not None
        else Placement.library(board)
        if panel_id is not None
        else None
    )
    group = await service.submit(request, placement, board=board, call_cap=call_cap)
    outcome = EditOutcome(group, request, notices)
    painted = _painted_from(request, painted, mask_file, source)
    for job in group.jobs:
        if job.state is not JobState.SAVED:
            continue
        for image in job.images:
            record = {
                "prompt": request.prompt,
                "job_id": job.job_id,
                "request_id": job.request_id,
                "model": request.model,
                "params": request.snapshot(),
                "raw_result": Path(image.path).name,
            }
            raw = job.received[image.index - job.first_index]
            shown, guarded, found, heatmap, mask = await asyncio.to_thread(
                _finish_one,
                service.root,
                job.job_id,
                image.index,
                image.path,
                raw,
                source.data,
                painted,
                guard,
                feather_px,
                record,
            )
            version_id = None
            if panel_id is not None:
                image_id = await service.db.run(_image_id, job.job_id, image.index)
                version_id = await service.db.run(
                    versions.add,
                    panel_id,
                    versions.NewVersion(
                        kind="edit",
                        path=shown,
                        prompt=request.prompt,
                        image_id=image_id,
                        raw_path=image.path,
                        job_id=job.job_id,
                        parent_id=parent_version,
                        mask_path=mask,
                        heatmap_path=heatmap,
                        guarded=guarded,
                        drift_json=json.dumps(found.to_json()) if found else None,
                    ),
                )
            if version_id is not None and panel_id is not None:  # the board view updates that one panel
                view = await service.db.run(library.panel_view, panel_id)
                if view is not None:
                    service.events.publish(VersionAdded(job.job_id, view))
            outcome.images.append(
                EditedImage(
                    job.job_id, image.index, image.path, shown, guarded, found, heatmap, mask, version_id
                )
            )
    await service.relearn()
    return outcome


def _image_id(conn, job_id: str, index: int) -> int | None:
    row = conn.execute("SELECT id FROM images WHERE job_id = ? AND idx = ?", (job_id, index)).fetchone()
    return row[0] if row else None
