"""After a crash or `kill -9` between writing a result's files and committing the journal: the sidecars
beside the saved images hold what the job needs (its id, the image's index, the received bytes' SHA-256,
the bill), so the next start restores such a job as saved, with its panels, instead of "outcome unknown".

Only jobs that reconciliation has just settled as interrupted are considered, and an image counts only
when its bytes match the SHA-256 in its sidecar (a half-written or foreign file is never taken)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core.provenance import strip_provenance

from . import journal, library
from .journal import JobState
from .library import SavedImage
from .paths import images_dir, recovered_dir


@dataclass(frozen=True)
class Restored:
    job_id: str
    images: int
    n: int


def _folders(root: Path | None) -> list[Path]:
    return [images_dir(root), recovered_dir(root), Path(tempfile.gettempdir()) / "asset-studio-rescue"]


def _received_sha(data: bytes) -> str:
    body = strip_provenance(data) if data.startswith(b"\x89PNG\r\n\x1a\n") else data
    return hashlib.sha256(body).hexdigest()


def _size(image: Path) -> tuple[int | None, int | None]:
    from PIL import Image

    try:
        with Image.open(image) as im:
            return im.size
    except Exception:  # noqa: BLE001 (kept as received; its problem is in the sidecar)
        return None, None


def find_saved(root: Path | None, job_id: str) -> list[tuple[dict[str, Any], Path]]:
    """The (sidecar, image) pairs of this job that are complete: sidecar readable, bytes as received."""
    found: dict[int, tuple[dict[str, Any], Path]] = {}
    for folder in _folders(root):
        if not folder.is_dir():
            continue
        for sidecar in folder.rglob(f"{job_id[:8]}-*.json"):
            try:
                record = json.loads(sidecar.read_text(encoding="utf-8"))
                image = sidecar.with_suffix("")
                if (
                    record.get("job_id") != job_id
                    or not isinstance(record.get("index"), int)
                    or not image.is_file()
                ):
                    continue
                if _received_sha(image.read_bytes()) != record.get("sha256_received"):
                    continue
            except (OSError, ValueError):
                continue
            found.setdefault(record["index"], (record, image))
    return [found[i] for i in sorted(found)]


def restore_jobs(conn: sqlite3.Connection, root: Path | None, job_ids: list[str]) -> list[Restored]:
    """Restore interrupted jobs whose images reached the disk. Returns what was restored."""
    restored: list[Restored] = []
    for job_id in job_ids:
        job = journal.get_job(conn, job_id)
        if job is None or job["state"] != JobState.UNKNOWN.value or job["error_kind"] != "interrupted":
            continue
        pairs = find_saved(root, job_id)
        if not pairs:
            continue
        known = {r["idx"] for r in library.images_of_job(conn, job_id)}
        board = (
            job["board_id"] if job["kind"] == "generate" else None
        )  # an edit's version cannot be re-applied
        for record, image in pairs:
            if record["index"] in known:
                continue
            problem = record.get("image_problem") or record.get("svg_problem")
            width, height = _size(image)
            library.record_image(
                conn,
                SavedImage(
                    job_id,
                    record["index"],
                    str(image),
                    str(image) + ".json",
                    image.suffix.lstrip(".") or "png",
                    width,
                    height,
                    int(record.get("bytes_received") or image.stat().st_size),
                    record["sha256_received"],
                    problem=problem,
                ),
                board,
            )
        first = pairs[0][0]
        billed = job["billed_usd"] or first.get("billed_usd")
        try:
            billed = str(Decimal(billed)) if billed is not None else None
        except ArithmeticError:
            billed = None
        arrived = f"{len(pairs)} of {job['n']} images" if len(pairs) != job["n"] else f"all {job['n']} images"
        note = (
            f"Restored on start: the app stopped after saving {arrived} but before recording them; "
            "they were found beside their sidecars"
            + (
                ""
                if board is not None or job["kind"] == "generate"
                else " (in the library; the edit's new version was not applied)"
            )
        )
        fields: dict[str, Any] = {"error_kind": None, "error_message": note}
        if billed is not None:
            fields["billed_usd"] = billed
        if not job["request_id"] and first.get("request_id"):
            fields["request_id"] = first["request_id"]
        if not job["usage_json"] and isinstance(first.get("usage"), dict):
            fields["usage_json"] = json.dumps(first["usage"])
        journal.mark(conn, job_id, JobState.SAVED if billed is not None else JobState.UNKNOWN, **fields)
        restored.append(Restored(job_id, len(pairs), job["n"]))
    return restored


def reconcile_and_restore(conn: sqlite3.Connection, root: Path | None) -> tuple[list[str], list[Restored]]:
    """Settle the jobs of processes that are gone, then restore those whose images reached the disk."""
    changed = journal.reconcile(conn)
    return changed, restore_jobs(conn, root, changed)
