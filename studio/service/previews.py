"""Streamed partial images: saved as previews while the call runs, dropped once the final image is saved.

Previews are optional: a preview that cannot be written (a full disk) is skipped, never aborting the
paid call whose final images still go to the library or the rescue folder."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from . import library
from .events import PartialImage
from .paths import previews_dir
from .results import save_preview


def preview_saver(service: Any, job_id: str, first_index: int, output_format: str):
    """The callback a streamed call hands each partial image to (on the loop, in order)."""

    async def on_partial(index_in_call: int, step: int, data: bytes) -> None:
        index = first_index + index_in_call
        try:
            path = await asyncio.to_thread(
                save_preview, service.root, job_id, index, step, output_format, data
            )
        except OSError:
            return
        replaced = await service.db.run(library.record_preview, job_id, index, step, str(path))
        if replaced:
            await asyncio.to_thread(Path(replaced).unlink, missing_ok=True)
        service.events.publish(PartialImage(job_id, index, step, str(path)))

    return on_partial


async def drop_preview_files(root: Path | None, job_id: str, index: int) -> None:
    folder = previews_dir(root)
    for path in await asyncio.to_thread(lambda: list(folder.glob(f"{job_id[:8]}-{index + 1:02d}-p*"))):
        await asyncio.to_thread(path.unlink, missing_ok=True)
