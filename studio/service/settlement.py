"""Settling a call that answered: the bill, the journal, the files, the placement and the events. The
runner's part after a route returned (routes.py); shared by every route."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from studio import __version__
from studio.core.continuity import reference_parts
from studio.core.placement import AFTER
from studio.core.plan import PlannedJob
from studio.core.pricing import Bill, bill_flags, bill_from_usage

from . import journal, library, panels
from .events import ImageSaved, JobFailed, JobSaved
from .journal import JobState
from .library import SavedImage
from .outcomes import JobOutcome
from .previews import drop_preview_files
from .results import SaveFailed, save_result

if TYPE_CHECKING:
    from .runner import ImageService


def bill_of(service: ImageService, job: PlannedJob, result: Any) -> tuple[Bill | None, Decimal, list[str]]:
    """The bill from the answer's usage (at Batch prices for a batch's line), what is billed (the quote's
    bound when usage is unusable: never less), and what the bill must say about itself."""
    bill = bill_from_usage(
        result.usage,
        job.checked.spec,
        batch=job.batch_priced,
        svg_usage=result.svg_usage,
        registry=service.registry,
    )
    billed = bill.usd if bill else job.quote.total_usd_max  # no usable usage: assume the worst, never less
    flags = [result.incomplete] if result.incomplete else []
    flags += bill_flags(bill, billed, job.quote, result.usage, result.request_id)
    return bill, billed, flags


def provenance_of(
    service: ImageService, job: PlannedJob, result: Any, bill: Bill | None, billed: Decimal
) -> dict[str, Any]:
    """What every saved image's sidecar (and PNG chunks) records about how it was made and billed."""
    req = job.request
    return {
        "app": f"Asset Studio {__version__}",
        "job_id": job.job_id,
        "group_id": job.group_id,
        "prompt": req.prompt,
        "params": job.snapshot or req.snapshot(),
        "model": req.model,
        "request_id": result.request_id,
        "usage": result.usage,
        "billed_usd": str(billed),
        "bill": bill.to_json() if bill else None,
        "quote_max_usd": str(job.quote.total_usd_max),
        "size": result.size,
        "quality": result.quality,
        "endpoint": "sandbox" if service.endpoint.is_sandbox else service.endpoint.public_url,
        "created": journal.iso(journal.utc_now()),
    }


async def save_files(service: ImageService, job: PlannedJob, result: Any, provenance: dict[str, Any]) -> Any:
    """Every image of the answer, saved as received with its sidecar (off the loop); SaveFailed when no
    folder could take them."""
    req = job.request
    return await asyncio.to_thread(
        save_result,
        service.root,
        job.job_id,
        journal.utc_now().strftime("%Y/%m"),
        job.first_index,
        req.prompt,
        result.output_format,
        result.images,
        provenance,
        asked_size=req.size if req.size != "auto" else None,
    )


async def settle(service: ImageService, job: PlannedJob, result: Any, attempt: int) -> JobOutcome:
    """Bill from usage (never $0 or negative for a 2xx), journal it received, save every image as received,
    place it, journal it saved, and tell."""
    job_id, first_index = job.job_id, job.first_index
    bill, billed, flags = bill_of(service, job, result)
    await service.db.run(
        journal.mark,
        job_id,
        JobState.RECEIVED,
        request_id=result.request_id,
        usage_json=json.dumps(result.usage) if result.usage else None,
        billed_usd=str(billed),
    )
    outcome = JobOutcome(
        job_id,
        JobState.RECEIVED,
        first_index,
        result.request_id,
        received=result.images,
        output_format=result.output_format,
        usage=result.usage,
        billed_usd=billed,
        attempts=attempt,
    )
    try:
        saved = await save_files(service, job, result, provenance_of(service, job, result, bill, billed))
    except SaveFailed as exc:
        await service.db.run(
            journal.mark, job_id, JobState.RECEIVED, error_kind="save_failed", error_message=str(exc)
        )
        outcome.notice = str(exc)
        service.events.publish(JobFailed(job_id, "save_failed", str(exc), result.request_id))
        return outcome
    await place(service, job, saved.images)
    notice = "; ".join(filter(None, [saved.notice, *flags])) or None
    await service.db.run(journal.mark, job_id, JobState.SAVED, error_message=notice)
    outcome.state, outcome.images, outcome.notice = JobState.SAVED, saved.images, notice
    service.events.publish(
        JobSaved(
            job_id,
            tuple(i.path for i in saved.images),
            billed,
            result.request_id,
            notice,
            job.batch_id,
            reference_parts(job.request, result.usage, service.registry, billed),
        )
    )
    if job.batch_id is None:  # a batch's fetch tells the totals once per group of lines
        await service.publish_cost()
    return outcome


async def place(service: ImageService, job: PlannedJob, images: list[SavedImage]) -> None:
    """Record each saved image where the job's placement says; the event carries the new panel's row and
    its position, so a board view inserts it without reloading."""
    placement, board_id = job.placement, job.board_id
    anchor = placement.panel_id if placement.where == AFTER else None
    for image in images:
        _, panel_id = await service.db.run(
            library.record_image, image, board_id if placement.makes_panels else None
        )
        if anchor is not None and panel_id is not None and board_id is not None:
            await service.db.run(panels.place_after, board_id, panel_id, anchor)
            anchor = panel_id
        view = await service.db.run(library.panel_view, panel_id) if panel_id is not None else None
        await drop_preview_files(service.root, job.job_id, image.index)
        service.events.publish(ImageSaved(job.job_id, image.index, image.path, placement, view))
