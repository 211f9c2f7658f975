"""The write-ahead journal: a job row is committed before its request is sent.

States: queued -> sent -> received -> saved, or failed, or unknown (sent, then the outcome was
lost: a timeout, a dropped connection, or a crash; it may have been billed and is never re-sent
on its own).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from studio.core import clock
from studio.core.redact import redact

from .db import transaction
from .owner import Owner


class JobState(str, Enum):
    QUEUED = "queued"
    SENT = "sent"
    RECEIVED = "received"
    SAVED = "saved"
    FAILED = "failed"
    UNKNOWN = "unknown"


ACTIVE = (JobState.QUEUED.value, JobState.SENT.value, JobState.RECEIVED.value)


def utc_now() -> dt.datetime:
    """Now, from the app's one clock (studio.core.clock)."""
    return clock.now()


def iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class NewJob:
    group_id: str
    seq: int
    first_index: int
    board_id: int | None
    endpoint: str
    sandbox: bool
    kind: str
    model: str
    prompt: str
    n: int
    request: dict[str, Any]  # the request snapshot: no key, no image bytes
    quote: dict[str, Any]
    quote_max_usd: Decimal


def new_id() -> str:
    return uuid.uuid4().hex


def insert_job(
    conn: sqlite3.Connection, job: NewJob, *, job_id: str | None = None, now: dt.datetime | None = None
) -> str:
    """Insert a queued job (call inside a transaction: the budget check shares it)."""
    job_id = job_id or new_id()
    now = now or utc_now()
    owner = Owner.current()
    conn.execute(
        """INSERT INTO jobs (id, group_id, seq, first_index, board_id, endpoint, sandbox, kind, model, prompt,
               n, request_json, quote_json, quote_max_usd, state, owner_pid, owner_start, owner_host,
               created_at, day, month)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (
            job_id,
            job.group_id,
            job.seq,
            job.first_index,
            job.board_id,
            job.endpoint,
            int(job.sandbox),
            job.kind,
            job.model,
            job.prompt,
            job.n,
            json.dumps(job.request),
            json.dumps(job.quote),
            str(job.quote_max_usd),
            JobState.QUEUED.value,
            owner.pid,
            owner.start,
            owner.host,
            iso(now),
            now.strftime("%Y-%m-%d"),
            now.strftime("%Y-%m"),
        ),
    )
    return job_id


_FIELDS = {
    "request_id",
    "usage_json",
    "billed_usd",
    "error_kind",
    "error_message",
    "sent_at",
    "finished_at",
    "attempts",
}


def mark(conn: sqlite3.Connection, job_id: str, state: JobState, **fields: Any) -> None:
    """Move a job to `state` and record fields (committed at once)."""
    unknown = set(fields) - _FIELDS
    if unknown:
        raise ValueError(f"unknown job fields {unknown}")
    if fields.get(
        "error_message"
    ):  # whatever a server echoed (the key in use, too) never reaches the journal
        fields["error_message"] = redact(str(fields["error_message"]))
    if state is JobState.SENT:
        fields.setdefault("sent_at", iso(utc_now()))
    if state in (JobState.SAVED, JobState.FAILED, JobState.UNKNOWN):
        fields.setdefault("finished_at", iso(utc_now()))
    columns = ", ".join(f"{k} = ?" for k in fields)
    sql = f"UPDATE jobs SET state = ?{', ' + columns if columns else ''} WHERE id = ?"
    with transaction(conn):
        conn.execute(sql, (state.value, *fields.values(), job_id))


def set_error_kind(conn: sqlite3.Connection, job_id: str, kind: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE jobs SET error_kind = ? WHERE id = ?", (kind, job_id))


def bump_attempts(conn: sqlite3.Connection, job_id: str) -> int:
    with transaction(conn):
        conn.execute("UPDATE jobs SET attempts = attempts + 1 WHERE id = ?", (job_id,))
        return conn.execute("SELECT attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]


def reconcile(conn: sqlite3.Connection) -> list[str]:
    """Settle jobs whose owning process is gone: never re-send, say what may have been billed.

    Only jobs of dead processes are touched, so the GUI and the CLI can share a library. A batch's lines
    are not: OpenAI runs them whatever happens here, and fetching settles them (batch_store.py)."""
    changed: list[str] = []
    with transaction(conn):
        rows = conn.execute(
            "SELECT id, state, owner_pid, owner_start, owner_host FROM jobs WHERE state IN "
            f"({','.join('?' * len(ACTIVE))}) AND batch_id IS NULL",  # a batch's lines settle with it
            ACTIVE,
        ).fetchall()
        for row in rows:
            if Owner(row["owner_pid"], row["owner_start"] or "", row["owner_host"] or "").is_alive():
                continue
            if row["state"] == JobState.QUEUED.value:
                state, kind, message = (
                    JobState.FAILED,
                    "interrupted",
                    "The app stopped before this job was sent; nothing was sent or billed.",
                )
            elif row["state"] == JobState.SENT.value:
                state, kind, message = (
                    JobState.UNKNOWN,
                    "interrupted",
                    (
                        "The app stopped while waiting for this result. It may have been processed and "
                        "billed; it was not re-sent."
                    ),
                )
            else:
                state, kind, message = (
                    JobState.UNKNOWN,
                    "interrupted",
                    (
                        "The app stopped after the result arrived but before it was saved; it was billed. "
                        "Previews, if any, were kept."
                    ),
                )
            conn.execute(
                "UPDATE jobs SET state = ?, error_kind = ?, error_message = ?, finished_at = ? WHERE id = ?",
                (state.value, kind, message, iso(utc_now()), row["id"]),
            )
            changed.append(row["id"])
    return changed


def resolve(conn: sqlite3.Connection, job_id: str, as_state: str) -> str:
    """The user settles a job that can never settle on its own (e.g. started on another host): "failed"
    (nothing was billed: its reservation is released) or "unknown" (it may have been billed: it stays
    counted at its quote's bound). `job_id` may be a unique prefix. Returns the full id."""
    from studio.core.errors import RefusedError

    if as_state not in (JobState.FAILED.value, JobState.UNKNOWN.value):
        raise RefusedError(f"--as {as_state}: choose failed or unknown")
    with transaction(conn):
        rows = conn.execute("SELECT id, state FROM jobs WHERE id LIKE ? || '%'", (job_id,)).fetchall()
        if len(rows) != 1:
            why = "no such job" if not rows else f"{len(rows)} jobs start so; give more of the id"
            raise RefusedError(f"job {job_id!r}: {why}")
        row = rows[0]
        unknown_to_failed = row["state"] == JobState.UNKNOWN.value and as_state == JobState.FAILED.value
        if row["state"] not in ACTIVE and not unknown_to_failed:
            raise RefusedError(
                f"job {row['id'][:8]} is {row['state']}: only queued, sent or received jobs can be "
                "resolved (and an outcome-unknown one as failed, once you know it was not billed)"
            )
        message = (
            "Resolved by you as failed: counted as not billed."
            if as_state == JobState.FAILED.value
            else "Resolved by you as outcome unknown: it may have been billed and stays counted at its "
            "quote's bound."
        )
        conn.execute(
            "UPDATE jobs SET state = ?, error_kind = 'resolved', error_message = ?, finished_at = ? WHERE "
            "id = ?",
            (as_state, message, iso(utc_now()), row["id"]),
        )
    return row["id"]


def unsettled_elsewhere(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Jobs another host started and never settled: reconciliation never touches them (that host may still
    be running), so they keep their quote reserved until the user resolves them."""
    host = Owner.current().host
    return [
        dict(r)
        for r in conn.execute(
            f"SELECT * FROM jobs WHERE state IN ({','.join('?' * len(ACTIVE))}) AND owner_host IS NOT NULL "
            "AND owner_host != ? AND batch_id IS NULL ORDER BY created_at",  # a batch's settle when fetched
            (*ACTIVE, host),
        )
    ]


def list_jobs(
    conn: sqlite3.Connection, *, limit: int = 200, states: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    sql = "SELECT * FROM jobs"
    args: tuple[Any, ...] = ()
    if states:
        sql += f" WHERE state IN ({','.join('?' * len(states))})"
        args = states
    sql += " ORDER BY created_at DESC, seq DESC LIMIT ?"
    return [dict(r) for r in conn.execute(sql, (*args, limit)).fetchall()]


def get_job(conn: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return dict(row) if row else None
