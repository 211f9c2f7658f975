"""Fetching a batch's results: the output and error files read as streams on a worker thread, one line
at a time (a thousand-image output file is gigabytes of base64), matched to their jobs by custom_id
(OpenAI does not keep the order), each answer settled exactly as a synchronous result (the bill from its
own usage at Batch prices, the files, provenance, its placeholder panel). Idempotent: a line whose job is
settled is skipped, so a second fetch, or one resumed after a kill, adds nothing twice and loses
nothing. Lines that never ran are settled from the batch's end: cancelled, expired, missing."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from studio.core.placement import Placement
from studio.core.plan import PlannedJob
from studio.core.pricing import Quote
from studio.core.redact import redact
from studio.core.request import request_from_snapshot
from studio.core.sizes import parse_size
from studio.core.validation import Checked

from . import batch_store, journal
from .body_decoder import BodyDecodeError, ImagesBodyDecoder
from .events import ImageSaved, JobFailed, JobSaved
from .failures import explain_error_body
from .images_api import CallResult, known_format
from .journal import JobState
from .results import SaveFailed
from .settlement import bill_of, provenance_of, save_files

if TYPE_CHECKING:
    from .batches import Batches

_END = object()
IN_FLIGHT = 3  # lines settled at once
CHUNK = 1 << 16  # bytes read from the output file at a time
COST_EVERY = 25  # lines between two cost updates while fetching (one per line slowed a 500-line fetch)
UNRAN = {
    "cancelled": ("cancelled", "Cancelled before it ran: not billed."),
    "expired": ("expired", "Expired: the batch did not reach this request within 24 h; not billed."),
    "completed": ("missing", "The batch completed without a result for this request; not billed."),
    "failed": ("batch_failed", "The batch failed before this request ran; not billed."),
}

NEVER_RAN = {"batch_cancelled": "cancelled", "batch_expired": "expired"}  # error-file codes of lines not run


@dataclass
class Fetched:
    images: int = 0
    files: list[str] = field(default_factory=list)
    billed_usd: Decimal = Decimal(0)
    failed: list[dict[str, Any]] = field(default_factory=list)  # {"job_id","custom_id","kind","message"}
    skipped: int = 0  # lines already settled by an earlier fetch
    unsaved: list[str] = field(default_factory=list)  # jobs whose image no folder could take (a full disk)

    def to_json(self) -> dict[str, Any]:
        return {
            "images": self.images,
            "files": self.files,
            "billed_usd": str(self.billed_usd),
            "failed": self.failed,
            "already_fetched": self.skipped,
        }


@dataclass(frozen=True)
class _Line:
    custom_id: str
    status: int | None
    body: dict[str, Any]
    request_id: str | None
    images: list[bytes]
    error: dict[str, Any] | None  # top-level error (never ran) or the body's error envelope


async def fetch(batches: Batches, row: dict[str, Any]) -> Fetched:
    """Settle every line of an ended batch from its files (call when its status is terminal)."""
    service = batches.service
    out = Fetched()
    pending = {j["id"]: j for j in await service.db.run(batch_store.unsettled_lines, row["id"])}
    for file_id in (row.get("output_file_id"), row.get("error_file_id")):
        if file_id and pending:
            await _read(batches, file_id, pending, out)
    if out.unsaved:  # paid results still only in OpenAI's file: the batch stays open, fetched again later
        message = (
            f"{len(out.unsaved)} result(s) could not be saved ({out.failed[-1]['message']}); they are kept "
            "in OpenAI's output file and fetched again at the next poll (or Fetch now) once there is room."
        )
        await service.db.run(batch_store.set_message, row["id"], message)
        await service.publish_cost()
        return out
    kind, message = UNRAN.get(row["status"], UNRAN["completed"])
    if row["status"] == "failed" and row.get("message"):
        message = f"{row['message']} Not billed."
    ids = await service.db.run(batch_store.fail_lines, row["id"], kind, message)
    for job_id in ids:
        out.failed.append({"job_id": job_id, "custom_id": job_id, "kind": kind, "message": message})
        service.events.publish(JobFailed(job_id, kind, message, None, row["id"]))
    await batches.drop_placeholders(row["id"])
    await service.db.run(batch_store.fetched, row["id"])
    await service.publish_cost()
    return out


async def _read(batches: Batches, file_id: str, pending: dict[str, dict[str, Any]], out: Fetched) -> None:
    client = await batches.service.ready_client()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=2)  # back-pressure: the reader waits for saving

    stop = threading.Event()

    def put(item: Any) -> None:
        asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()

    def reader() -> None:
        try:
            with client.files.with_streaming_response.content(file_id) as response:
                lines = LineReader()
                for chunk in response.iter_bytes(CHUNK):
                    if stop.is_set():
                        return
                    for record, images in lines.feed(chunk):
                        put(_parse(record, images, pending))
                for record, images in lines.close():
                    put(_parse(record, images, pending))
        except BaseException as exc:  # noqa: BLE001 (re-raised on the loop)
            put(exc)
        put(_END)

    task = loop.run_in_executor(None, reader)
    settling: set[asyncio.Task[None]] = set()
    done = 0
    try:
        while (item := await queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            if item is None:
                out.skipped += 1
                continue
            job = pending.pop(item.custom_id, None)
            if job is None:
                continue
            if len(settling) >= IN_FLIGHT:  # a few lines at once: saving one overlaps another's fsync
                finished, settling = await asyncio.wait(settling, return_when=asyncio.FIRST_COMPLETED)
                for f in finished:
                    f.result()
                done += len(finished)
                if done % COST_EVERY < len(finished):
                    await batches.service.publish_cost()
            settling.add(asyncio.create_task(_settle_line(batches, job, item, out)))
        await asyncio.gather(*settling)
        settling = set()
    finally:
        for t in settling:  # an early end: what is being saved is finished, never cut off
            await asyncio.gather(t, return_exceptions=True)
        stop.set()  # an early end (an error, a cancel): the reader stops at its next line
        while not task.done():
            try:
                queue.get_nowait()
            except asyncio.QueueEmpty:
                await asyncio.sleep(0.01)


class LineReader:
    """JSONL cut into lines as it streams, each line decoded as it arrives (ImagesBodyDecoder: its base64
    in slices short enough that the GIL keeps changing hands, the small rest parsed as JSON), so neither
    the file nor a whole multi-megabyte line is ever one string."""

    def __init__(self) -> None:
        self._decoder = ImagesBodyDecoder()
        self._empty = True

    def feed(self, chunk: bytes) -> list[tuple[dict[str, Any] | None, list[bytes]]]:
        out = []
        while chunk:
            end = chunk.find(b"\n")
            part, chunk = (chunk, b"") if end < 0 else (chunk[:end], chunk[end + 1 :])
            if part.strip():
                self._empty = False
                self._decoder.feed(part)
            if end >= 0:
                out.extend(self._finish())
        return out

    def close(self) -> list[tuple[dict[str, Any] | None, list[bytes]]]:
        return self._finish()

    def _finish(self) -> list[tuple[dict[str, Any] | None, list[bytes]]]:
        if self._empty:
            return []
        decoder, self._decoder, self._empty = self._decoder, ImagesBodyDecoder(), True
        try:
            record, images = decoder.finish()
        except BodyDecodeError:
            return [(None, [])]  # a broken line: its job stays unsettled and is said as missing
        return [(record, images)]


def _parse(
    record: dict[str, Any] | None, images: list[bytes], pending: dict[str, dict[str, Any]]
) -> _Line | None:
    """One result line (decoded on the worker thread); None for a line of a job already settled."""
    if record is None:
        return None
    custom_id = str(record.get("custom_id") or "")
    if custom_id not in pending:
        return None
    raw = record.get("response")
    response: dict[str, Any] = raw if isinstance(raw, dict) else {}
    body: dict[str, Any] = response["body"] if isinstance(response.get("body"), dict) else {}
    status = response.get("status_code")
    error = record.get("error") or body.get("error")
    ok = status == 200 and not error
    return _Line(custom_id, status, body, response.get("request_id"), images if ok else [], error)


async def _settle_line(batches: Batches, job: dict[str, Any], line: _Line, out: Fetched) -> None:
    service = batches.service
    code = (line.error or {}).get("code") if not line.status else None
    if code in NEVER_RAN:  # the batch ended before this line ran: said as its end, never billed
        await _fail(batches, job, line, *UNRAN[NEVER_RAN[code]], out)
        return
    if line.error is not None or not line.images:
        failure = explain_error_body(line.status, line.error or {"message": "the answer had no image"})
        kind = failure.kind.value if line.status else str(code or "failed")
        message = failure.message if line.status else str((line.error or {}).get("message") or kind)
        await _fail(batches, job, line, kind, message, out)
        return
    planned = planned_job(batches, job)
    body = line.body
    result = CallResult(
        request_id=line.request_id,
        images=line.images,
        output_format=known_format(body.get("output_format"), planned.request.output_format),
        usage=body.get("usage"),
        size=body.get("size"),
        quality=body.get("quality"),
        background=body.get("background"),
        created=body.get("created"),
    )
    bill, billed, flags = bill_of(service, planned, result)
    try:
        saved = await save_files(
            service, planned, result, provenance_of(service, planned, result, bill, billed)
        )
    except SaveFailed as exc:  # still in the output file: the next fetch tries again
        await service.db.run(
            journal.mark, job["id"], JobState.SENT, error_kind="save_failed", error_message=str(exc)
        )
        out.failed.append(
            {"job_id": job["id"], "custom_id": line.custom_id, "kind": "save_failed", "message": str(exc)}
        )
        out.unsaved.append(job["id"])
        return
    notice = "; ".join(filter(None, [saved.notice, *flags])) or None
    fields = {
        "request_id": line.request_id,
        "usage_json": json.dumps(result.usage) if result.usage else None,
        "billed_usd": str(billed),
        "error_message": redact(notice) if notice else None,
    }
    views = await service.db.run(
        batch_store.settle_line, job["id"], fields, saved.images, list(planned.panel_ids), planned.board_id
    )
    for image, view in zip(saved.images, views):
        service.events.publish(ImageSaved(job["id"], image.index, image.path, planned.placement, view))
    paths = tuple(i.path for i in saved.images)
    service.events.publish(JobSaved(job["id"], paths, billed, line.request_id, notice, job["batch_id"]))
    out.images += len(saved.images)
    out.files += list(paths)
    out.billed_usd += billed


async def _fail(
    batches: Batches, job: dict[str, Any], line: _Line, kind: str, message: str, out: Fetched
) -> None:
    """The line failed (not billed: a 4xx or a request that never ran); said on its job."""
    await batches.service.db.run(
        journal.mark,
        job["id"],
        JobState.FAILED,
        error_kind=kind,
        error_message=message,
        request_id=line.request_id,
    )
    out.failed.append({"job_id": job["id"], "custom_id": line.custom_id, "kind": kind, "message": message})
    batches.service.events.publish(JobFailed(job["id"], kind, message, line.request_id, job["batch_id"]))


def planned_job(batches: Batches, job: dict[str, Any]) -> PlannedJob:
    """The journaled line, as settling needs it (its request rebuilt from the snapshot; never sent)."""
    service = batches.service
    snapshot = json.loads(job["request_json"])
    request = request_from_snapshot(snapshot)
    spec = service.registry.get(job["model"])
    size = parse_size(request.size) if request.size != "auto" else None
    board = batches.board_name(job["board_id"])
    return PlannedJob(
        group_id=job["group_id"],
        seq=job["seq"],
        checked=Checked(request, spec, size, ()),
        quote=Quote.from_json(json.loads(job["quote_json"])),
        first_index=job["first_index"],
        placement=Placement.end(board) if board else Placement.library(),
        job_id=job["id"],
        board_id=job["board_id"],
        batch_id=job["batch_id"],
        batch_priced=spec.batch == "yes" and spec.batch_prices is not None,
        panel_ids=tuple(json.loads(job["panel_ids_json"] or "[]")),
        snapshot=snapshot,
    )
