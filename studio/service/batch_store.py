"""Batches in the library (SQLite): everything about a batch is here, never only in memory, so polling
and fetching resume after a restart, a kill or a day away. A batch's request lines are jobs (the journal)
with `batch_id`; their custom_id is the job id."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .db import transaction
from .journal import JobState, iso, utc_now

PREPARING = "preparing"  # journaled here; not (yet) known to OpenAI
OPEN = (PREPARING, "validating", "in_progress", "finalizing", "cancelling")
ENDED = ("completed", "failed", "expired", "cancelled")


@dataclass(frozen=True)
class NewBatch:
    id: str
    endpoint: str
    sandbox: bool
    kind: str  # "generate" or "edit"
    model: str
    board_id: int | None
    requests: int
    quote_max_usd: str


def insert(conn: sqlite3.Connection, batch: NewBatch) -> None:
    """Record a batch before anything is uploaded (call inside the transaction that reserves its jobs)."""
    conn.execute(
        "INSERT INTO batches (id, endpoint, sandbox, kind, model, board_id, status, requests, quote_max_usd, "
        "created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            batch.id,
            batch.endpoint,
            int(batch.sandbox),
            batch.kind,
            batch.model,
            batch.board_id,
            PREPARING,
            batch.requests,
            batch.quote_max_usd,
            iso(utc_now()),
        ),
    )


def attach_jobs(conn: sqlite3.Connection, batch_id: str, jobs: list[tuple[str, list[int]]]) -> None:
    """Each job (by id) is a line of the batch, with the placeholder panels its images fill."""
    with transaction(conn):
        conn.executemany(
            "UPDATE jobs SET batch_id = ?, panel_ids_json = ? WHERE id = ?",
            [(batch_id, json.dumps(panels), job_id) for job_id, panels in jobs],
        )
        conn.executemany(  # a placeholder shows its line's prompt and state until it fills
            "UPDATE panels SET job_id = ? WHERE id = ?",
            [(job_id, panel) for job_id, panels in jobs for panel in panels],
        )


def set_files(
    conn: sqlite3.Connection, batch_id: str, input_file_id: str | None, images: dict[str, str]
) -> None:
    """The uploaded input file and image files (sha256 -> file id), kept to delete later and to resume."""
    with transaction(conn):
        conn.execute(
            "UPDATE batches SET input_file_id = ?, file_ids_json = ? WHERE id = ?",
            (input_file_id, json.dumps(images), batch_id),
        )


def submitted(conn: sqlite3.Connection, batch_id: str, remote: dict[str, Any]) -> None:
    """OpenAI took the batch: its lines are sent (and reserved until they settle)."""
    now = iso(utc_now())
    with transaction(conn):
        conn.execute(
            "UPDATE batches SET remote_id = ?, status = ?, submitted_at = ? WHERE id = ?",
            (remote["id"], remote.get("status") or "validating", now, batch_id),
        )
        conn.execute(
            "UPDATE jobs SET state = ?, sent_at = ?, attempts = 1 WHERE batch_id = ? AND state = ?",
            (JobState.SENT.value, now, batch_id, JobState.QUEUED.value),
        )


def update(conn: sqlite3.Connection, batch_id: str, remote: dict[str, Any]) -> None:
    """What a poll read: status, counts, result files, errors (an empty error_file_id means none)."""
    counts = remote.get("request_counts") or {}
    errors = (remote.get("errors") or {}).get("data") or None
    status = str(remote.get("status") or "")
    now = iso(utc_now())
    with transaction(conn):
        conn.execute(
            "UPDATE batches SET status = ?, completed = ?, failed = ?, output_file_id = ?, "
            "error_file_id = ?, errors_json = COALESCE(?, errors_json), polled_at = ?, polls = polls + 1, "
            "in_progress_at = COALESCE(in_progress_at, CASE WHEN ? != 'validating' THEN ? END), "
            "finished_at = CASE WHEN ? IN ('completed','failed','expired','cancelled') "
            "THEN COALESCE(finished_at, ?) END WHERE id = ?",
            (
                status,
                int(counts.get("completed") or 0),
                int(counts.get("failed") or 0),
                remote.get("output_file_id") or None,
                remote.get("error_file_id") or None,
                json.dumps(errors) if errors else None,
                now,
                status,
                now,
                status,
                now,
                batch_id,
            ),
        )


def set_message(
    conn: sqlite3.Connection, batch_id: str, message: str | None, status: str | None = None
) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE batches SET message = ?, status = COALESCE(?, status) WHERE id = ?",
            (message, status, batch_id),
        )


def fetched(conn: sqlite3.Connection, batch_id: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE batches SET fetched_at = ? WHERE id = ?", (iso(utc_now()), batch_id))


def get(conn: sqlite3.Connection, batch_id: str) -> dict[str, Any] | None:
    """A batch by its id, its OpenAI id, or a unique prefix of either."""
    rows = conn.execute(
        "SELECT * FROM batches WHERE id = ? OR remote_id = ? OR id LIKE ? || '%' OR remote_id LIKE ? || '%'",
        (batch_id, batch_id, batch_id, batch_id),
    ).fetchall()
    exact = [r for r in rows if batch_id in (r["id"], r["remote_id"])]
    pick = exact or rows
    return dict(pick[0]) if len(pick) == 1 else None


def listing(conn: sqlite3.Connection, *, limit: int = 50) -> list[dict[str, Any]]:
    """Open batches first, then the most recent, with what they cost so far."""
    rows = conn.execute(
        "SELECT b.*, (SELECT COUNT(*) FROM jobs j WHERE j.batch_id = b.id AND j.state = 'saved') AS saved, "
        "(SELECT GROUP_CONCAT(j.billed_usd, ' ') FROM jobs j WHERE j.batch_id = b.id "
        "AND j.billed_usd IS NOT NULL) AS bills "
        "FROM batches b ORDER BY (b.fetched_at IS NOT NULL), b.created_at DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [dict(r) for r in rows]


def open_batches(conn: sqlite3.Connection, endpoint: str) -> list[dict[str, Any]]:
    """Batches of this endpoint still to poll or to fetch."""
    return [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM batches WHERE endpoint = ? AND fetched_at IS NULL ORDER BY created_at", (endpoint,)
        )
    ]


def gone_sandbox_batches(conn: sqlite3.Connection, endpoint: str) -> list[dict[str, Any]]:
    """Open batches of an offline sandbox other than this endpoint: that sandbox has stopped (it kept them
    in memory), so they can never be fetched."""
    return [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM batches WHERE sandbox = 1 AND endpoint != ? AND fetched_at IS NULL", (endpoint,)
        )
    ]


def lines(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM jobs WHERE batch_id = ? ORDER BY seq", (batch_id,))]


def unsettled_lines(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM jobs WHERE batch_id = ? AND state IN ('queued','sent','received') ORDER BY seq",
            (batch_id,),
        )
    ]


def fail_lines(conn: sqlite3.Connection, batch_id: str, kind: str, message: str) -> list[str]:
    """Every line not yet settled becomes failed (not billed: its reservation is released)."""
    now = iso(utc_now())
    with transaction(conn):
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM jobs WHERE batch_id = ? AND state IN ('queued','sent')", (batch_id,)
            )
        ]
        conn.execute(
            "UPDATE jobs SET state = 'failed', error_kind = ?, error_message = ?, finished_at = ? "
            "WHERE batch_id = ? AND state IN ('queued','sent')",
            (kind, message, now, batch_id),
        )
    return ids


def drop_placeholders(conn: sqlite3.Connection, panel_ids: list[int]) -> None:
    """Placeholders of lines that will never fill go to the board's trash (restorable)."""
    if not panel_ids:
        return
    now = iso(utc_now())
    with transaction(conn):
        conn.executemany(
            "UPDATE panels SET deleted_at = ? WHERE id = ? AND image_id IS NULL AND deleted_at IS NULL",
            [(now, p) for p in panel_ids],
        )


def settle_line(
    conn: sqlite3.Connection,
    job_id: str,
    fields: dict[str, Any],
    images: list[Any],
    panel_ids: list[int],
    board_id: int | None,
) -> list[dict[str, Any] | None]:
    """A fetched line in one transaction (one commit, not four): its images recorded, each in its
    placeholder panel (or a new one at the board's end if the user deleted it), the job saved with its
    bill. Its files are already on disk; a kill before this commit leaves the job unsettled, and the next
    fetch saves it again under the same names. Returns each image's panel row (library.panel_view)."""
    from . import library

    placed: list[int | None] = []
    with transaction(conn):
        for offset, image in enumerate(images):
            image_id, _ = library.insert_image(conn, image, None)
            panel = panel_ids[offset] if offset < len(panel_ids) else None
            filled = (
                panel is not None
                and conn.execute(
                    "UPDATE panels SET image_id = ?, job_id = ? WHERE id = ? AND deleted_at IS NULL "
                    "AND (image_id IS NULL OR image_id = ?)",
                    (image_id, job_id, panel, image_id),
                ).rowcount
            )
            if not filled and board_id is not None:
                panel = library.insert_image(conn, image, board_id)[1]
            placed.append(panel if filled or board_id is not None else None)
        columns = ", ".join(f"{k} = ?" for k in fields)
        conn.execute(
            f"UPDATE jobs SET state = 'saved', finished_at = ?, {columns} WHERE id = ?",
            (iso(utc_now()), *fields.values(), job_id),
        )
    return [library.panel_view(conn, p) if p is not None else None for p in placed]
