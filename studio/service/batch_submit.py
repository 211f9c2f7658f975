"""Submitting requests as Batch API batches: quote at Batch prices, reserve the whole bound against the
caps, journal every line as a job before anything is uploaded, plan placeholder panels in the template's
order, upload each input image once, write and upload the JSONL (streamed to disk, never built whole in
memory), create the batch. A refusal before the upload raises RefusedError / OverBudget and sends
nothing."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio import APP_NAME
from studio.core import batch_body
from studio.core.errors import RefusedError
from studio.core.placement import AFTER, Placement
from studio.core.pricing import Quote
from studio.core.request import ImageRequest
from studio.core.set_quote import batch_quote
from studio.core.validation import Checked, validate

from . import batch_store, ledger, library
from .batch_store import NewBatch
from .db import transaction
from .journal import NewJob
from .ledger import OverBudget
from .paths import data_dir

if TYPE_CHECKING:
    from .batches import Batches
    from .runner import ImageService


@dataclass(frozen=True)
class Line:
    checked: Checked
    quote: Quote


@dataclass(frozen=True)
class Submitted:
    batch_id: str  # ours
    remote_id: str | None  # OpenAI's (None: the upload failed; the batch says why)
    requests: int
    quote_max_usd: Decimal
    message: str | None = None


def plan_lines(batches: Batches, requests: list[ImageRequest]) -> list[Line]:
    """Validate and quote every request (the first refusal names its line)."""
    service = batches.service
    lines = []
    for number, request in enumerate(requests, start=1):
        try:
            checked = validate(request, service.registry)
            learned = {
                "learned_image_tokens": service.learned_tokens.get(request.model),
                "learned_output": service.learned_output,
            }
            lines.append(Line(checked, batch_quote(checked, service.registry, **learned)))
        except RefusedError as exc:
            raise RefusedError(f"request {number} ({request.prompt[:40]!r}): {exc}") from exc
    kinds = {(line.checked.request.endpoint, line.checked.request.model) for line in lines}
    if len(kinds) > 1:
        raise RefusedError(
            "a batch takes one endpoint and one model: these requests mix " + str(sorted(kinds))
        )
    return lines


def chunks(batches: Batches, lines: list[Line]) -> list[list[Line]]:
    """Lines split into batches of at most the API's requests per file (and bytes, estimated)."""
    limits = batches.service.registry.batch_api
    out: list[list[Line]] = [[]]
    size = 0
    for line in lines:
        estimate = len(line.checked.request.prompt.encode()) + 600
        if len(out[-1]) >= limits.max_requests or size + estimate > limits.max_file_bytes:
            out.append([])
            size = 0
        out[-1].append(line)
        size += estimate
    return [c for c in out if c]


async def submit(
    batches: Batches, requests: list[ImageRequest], placement: Placement, budget: Decimal | None
) -> list[Submitted]:
    service = batches.service
    lines = plan_lines(batches, requests)
    if not lines:
        raise RefusedError("nothing to send: the template made no requests")
    total = sum((line.quote.total_usd_max for line in lines), Decimal(0))
    if budget is not None and total > budget:
        raise OverBudget(f"the batch may cost up to ${total:.4f}, over --budget ${budget:.4f}")
    parts = chunks(batches, lines)
    if len(parts) > 1:  # each batch is reserved in turn: the whole set must fit before the first is sent
        what = f"these {len(lines):,} requests in {len(parts)} batches"
        await refuse_over_caps(service, total, placement, what)
    board_id = await service.db.run(library.board_id, placement.board) if placement.board else None
    results = []
    for part in parts:
        local = uuid.uuid4().hex
        ids = await service.db.run(_journal, batches, local, part, board_id)
        panels = await service.db.run(_placeholders, board_id, placement, ids, part)
        await service.db.run(batch_store.attach_jobs, local, list(zip(ids, panels)))
        batches.publish(local, placeholders=board_id is not None and placement.makes_panels)
        results.append(await _send(batches, local, part, ids, placement))
    return results


async def refuse_over_caps(
    service: ImageService, total_usd: Decimal, placement: Placement, what: str
) -> None:
    """OverBudget when calls whose bounds add up to `total_usd` cannot all fit the day, month and board
    caps (`what`: "these 4 variants"): a set is refused whole, never cut off half way by its own size."""
    board_id = await service.db.run(library.board_id, placement.board) if placement.board else None
    refusal = await service.db.run(ledger.set_refusal, total_usd, board_id)
    if refusal:
        sandbox = " (the sandbox is rehearsing your caps)" if service.endpoint.is_sandbox else ""
        raise OverBudget(f"{what} together: {refusal}{sandbox}; nothing was sent")


def _journal(
    conn: sqlite3.Connection, batches: Batches, local: str, part: list[Line], board_id: int | None
) -> list[str]:
    """The batch's row, then its lines reserved against the caps in one transaction (OverBudget: the row
    goes again, nothing was reserved)."""
    service = batches.service
    first = part[0].checked.request
    bound = sum((line.quote.total_usd_max for line in part), Decimal(0))
    new_jobs = [
        NewJob(
            group_id=local,
            seq=seq,
            first_index=0,
            board_id=board_id,
            endpoint=service.endpoint.public_url,
            sandbox=service.endpoint.is_sandbox,
            kind=line.checked.request.endpoint,
            model=line.checked.request.model,
            prompt=line.checked.request.prompt,
            n=line.checked.request.n,
            request={**line.checked.request.snapshot(), "route": "batch"},
            quote=line.quote.to_json(),
            quote_max_usd=line.quote.total_usd_max,
        )
        for seq, line in enumerate(part)
    ]
    with transaction(conn):
        batch_store.insert(
            conn,
            NewBatch(
                local,
                service.endpoint.public_url,
                service.endpoint.is_sandbox,
                first.endpoint,
                first.model,
                board_id,
                len(part),
                str(bound),
            ),
        )
    try:
        return ledger.reserve(conn, new_jobs, calls=True)
    except OverBudget:
        with transaction(conn):
            conn.execute("DELETE FROM batches WHERE id = ?", (local,))
        raise


def _placeholders(
    conn: sqlite3.Connection, board_id: int | None, placement: Placement, ids: list[str], part: list[Line]
) -> list[list[int]]:
    """Blank panels for every image, in the template's order, at the board's end (or after a panel)."""
    if board_id is None or not placement.makes_panels:
        return [[] for _ in ids]
    from . import panels

    anchor = placement.panel_id if placement.where == AFTER else None
    out: list[list[int]] = []
    with transaction(conn):
        for line in part:
            out.append([panels.insert_blank(conn, board_id) for _ in range(line.checked.request.n)])
    if anchor is not None:
        for panel_id in (p for made in out for p in made):
            panels.place_after(conn, board_id, panel_id, anchor)
            anchor = panel_id
    return out


async def _send(
    batches: Batches, local: str, part: list[Line], ids: list[str], placement: Placement
) -> Submitted:
    """Upload and create. A refusal of the upload or the create fails the lines (not billed); a timeout
    leaves the batch 'preparing', and the next poll finds it by its metadata or says nothing was sent."""
    from .failures import Kind, explain

    service = batches.service
    bound = sum((line.quote.total_usd_max for line in part), Decimal(0))
    client = await service.ready_client()
    try:
        file_ids = await _upload_images(batches, local, part)
        path = await asyncio.to_thread(_write_jsonl, local, part, ids, file_ids, service.root)
        upload = await asyncio.to_thread(_upload_jsonl, client, path)
        await service.db.run(batch_store.set_files, local, upload["id"], file_ids)
        metadata = {"app": APP_NAME, "local_id": local}
        if placement.board:
            metadata["board"] = placement.board[:512]
        endpoint = batch_body.ENDPOINTS[part[0].checked.request.endpoint]
        remote = await asyncio.to_thread(
            lambda: client.batches.create(
                input_file_id=upload["id"],
                endpoint=endpoint,
                completion_window=service.registry.batch_api.completion_window,
                metadata=metadata,
            ).model_dump()
        )
    except Exception as exc:  # every failure is explained on the batch and its lines
        failure = explain(exc)
        if failure.kind is Kind.OUTCOME_UNKNOWN:
            message = f"{failure.message} The batch may exist: the next poll looks for it."
            await service.db.run(batch_store.set_message, local, message)
        else:
            message = f"The batch was not created: {failure.message} Nothing was billed."
            await batches.end_unfetched(local, "failed", "batch_refused", message)
        batches.publish(local)
        await service.publish_cost()
        return Submitted(local, None, len(part), bound, message)
    await service.db.run(batch_store.submitted, local, remote)
    await asyncio.to_thread(path.unlink, missing_ok=True)
    batches.publish(local)
    return Submitted(local, remote["id"], len(part), bound)


async def _upload_images(batches: Batches, local: str, part: list[Line]) -> dict[str, str]:
    """Each distinct input image of the batch's edits, uploaded once (by its bytes' hash)."""
    client = await batches.service.ready_client()
    purpose = batches.service.registry.batch_api.image_file_purpose
    file_ids: dict[str, str] = {}
    for line in part:
        for image in batch_body.input_images(line.checked.request):
            key = batch_body.image_key(image)
            if key not in file_ids:
                file_ids[key] = await asyncio.to_thread(_upload_image, client, image, purpose)
                await batches.service.db.run(batch_store.set_files, local, None, file_ids)
    return file_ids


def _upload_image(client: Any, image: Any, purpose: str) -> str:
    return str(client.files.create(file=(image.filename, image.data), purpose=purpose).id)


def _write_jsonl(
    local: str, part: list[Line], ids: list[str], file_ids: dict[str, str], root: Path | None
) -> Path:
    folder = (root or data_dir()) / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{local}.jsonl"
    with path.open("wb") as out:
        for job_id, line in zip(ids, part):
            out.write(batch_body.line(job_id, line.checked, file_ids))
    return path


def _upload_jsonl(client: Any, path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return client.files.create(file=(path.name, fh), purpose="batch").model_dump()
