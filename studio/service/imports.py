"""Bring image files into a board (files opened from the file manager, or dropped several at once).

Each import is journaled as a job of kind "import" that cost nothing, so the panels have the same
records as generated ones (image rows, sidecar-free files copied into the library)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

from studio.core.errors import StudioError
from studio.core.files import atomic_write
from studio.core.images import ImageFile, read_image_file

from . import journal, library
from .db import transaction
from .journal import JobState, NewJob
from .library import SavedImage
from .paths import images_dir


def _record(conn, board: str, files: list[tuple[ImageFile, Path]]) -> list[int | None]:
    bid = library.board_id(conn, board)
    job = NewJob(
        group_id=uuid.uuid4().hex,
        seq=0,
        first_index=0,
        board_id=bid,
        endpoint="import",
        sandbox=False,
        kind="import",
        model="",
        prompt=", ".join(f.filename for f, _ in files)[:2000],
        n=len(files),
        request={"endpoint": "import", "files": [f.filename for f, _ in files]},
        quote={},
        quote_max_usd=Decimal(0),
    )
    with transaction(conn):
        job_id = journal.insert_job(conn, job)
    panel_ids: list[int | None] = []
    for index, (image, path) in enumerate(files):
        saved = SavedImage(
            job_id,
            index,
            str(path),
            "",
            image.format,
            image.size.width,
            image.size.height,
            len(image.data),
            hashlib.sha256(image.data).hexdigest(),
        )
        _, panel_id = library.record_image(conn, saved, bid)
        panel_ids.append(panel_id)
    journal.mark(conn, job_id, JobState.SAVED, billed_usd="0")
    return panel_ids


async def import_files(
    db, root: Path | None, board: str, paths: list[str]
) -> tuple[list[int | None], list[str]]:
    """Copy readable images into the library as panels of `board`; returns panel ids and problems."""
    problems: list[str] = []
    files: list[tuple[ImageFile, Path]] = []
    folder = images_dir(root) / "imported" / journal.utc_now().strftime("%Y/%m")
    for path in paths:
        try:
            image = await asyncio.to_thread(read_image_file, path)
        except StudioError as exc:
            problems.append(str(exc))
            continue
        target = folder / f"{uuid.uuid4().hex[:8]}-{image.filename}"
        await asyncio.to_thread(atomic_write, target, image.data)
        files.append((image, target))
    if not files:
        return [], problems
    return await db.run(_record, board, files), problems
