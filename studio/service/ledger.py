"""The ledger and hard budget caps, in Decimal USD.

Each job carries its quote's upper bound and, once answered, its bill from `usage`. Money counts as
committed while a job is in flight or its outcome is unknown (its quote's upper bound, a reservation),
and as its bill once settled; failed jobs commit nothing. Caps are checked and the jobs inserted in
one BEGIN IMMEDIATE transaction, so two jobs that each fit but together do not cannot both start,
in this process or another. Calls to the embedded sandbox are recorded but never count as spend.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from studio.core.errors import RefusedError
from studio.core.money import Limit, cap_refusal

from .db import transaction
from .journal import ACTIVE, JobState, NewJob, insert_job, new_id, utc_now
from .settings import set_setting


class OverBudget(RefusedError):
    """A call refused before anything was sent because it could cross a cap."""


@dataclass(frozen=True)
class Caps:
    call: Decimal | None = None
    day: Decimal | None = None
    month: Decimal | None = None
    problems: tuple[str, ...] = ()  # stored caps that could not be used (and are ignored)


MAX_AMOUNT = Decimal(1_000_000_000)  # no plausible cap or budget is larger; 1e309 is a typo


def parse_usd(text: str | None) -> Decimal | None:
    """An amount of US dollars typed by a person: None for empty (no cap); anything else must be a plain,
    finite, non-negative number. "$5" is refused: in a shell `--budget $5` is a variable, not five dollars."""
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip()
    if raw.startswith("$"):
        raise RefusedError(
            f"amount {raw!r}: write it without the dollar sign (in a shell, $5 expands to a variable)"
        )
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RefusedError(f"amount {raw!r}: not a number of US dollars") from None
    if not value.is_finite():
        raise RefusedError(f"amount {raw!r}: must be a finite number of US dollars")
    if value < 0:
        raise RefusedError(f"amount {raw!r}: must be zero or more")
    if value > MAX_AMOUNT:
        raise RefusedError(f"amount {raw!r}: more than ${MAX_AMOUNT:,}: not a plausible amount")
    return value


def stored_usd(text: str | None, what: str, problems: list[str]) -> Decimal | None:
    """A cap read back from the library: one stored before amounts were checked may be unusable; it is
    reported in `problems` and ignored (no cap), never a crash of every later call."""
    try:
        return parse_usd(text)
    except RefusedError as exc:
        problems.append(f"the stored {what} cap is unusable and ignored ({exc}); set it again")
        return None


def get_caps(conn: sqlite3.Connection) -> Caps:
    rows = dict(conn.execute("SELECT key, value FROM settings WHERE key LIKE 'budget.%'").fetchall())
    problems: list[str] = []
    call, day, month = (
        stored_usd(rows.get(f"budget.{k}"), f"per-{k}", problems) for k in ("call", "day", "month")
    )
    return Caps(call, day, month, problems=tuple(problems))


def set_cap(conn: sqlite3.Connection, which: str, usd: Decimal | None) -> None:
    if which not in ("call", "day", "month"):
        raise ValueError(which)
    set_setting(conn, f"budget.{which}", None if usd is None else str(usd))


def committed(row: sqlite3.Row | dict[str, Any]) -> Decimal:
    """What a job counts against caps: its bill, else its reservation while it may cost money."""
    if row["billed_usd"] is not None:
        return Decimal(row["billed_usd"])
    if row["state"] in ACTIVE or row["state"] == JobState.UNKNOWN.value:
        return Decimal(row["quote_max_usd"])
    return Decimal(0)


def _sum(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> Decimal:
    rows = conn.execute(
        f"SELECT billed_usd, state, quote_max_usd FROM jobs WHERE sandbox = 0 AND {where}", args
    ).fetchall()
    return sum((committed(r) for r in rows), Decimal(0))


def limits(conn: sqlite3.Connection, board_id: int | None, now: dt.datetime | None = None) -> list[Limit]:
    """The day, month and board caps that are set, each with what is spent or reserved against it."""
    now = now or utc_now()
    caps = get_caps(conn)
    checks: list[tuple[str, Decimal | None, str, Any, str]] = [
        ("daily", caps.day, "day = ?", now.strftime("%Y-%m-%d"), "today"),
        ("monthly", caps.month, "month = ?", now.strftime("%Y-%m"), "this month"),
    ]
    if board_id is not None:
        row = conn.execute("SELECT name, budget_usd FROM boards WHERE id = ?", (board_id,)).fetchone()
        if row is not None:
            checks.append(
                (
                    f"board '{row['name']}'",
                    stored_usd(row["budget_usd"], "board", []),
                    "board_id = ?",
                    board_id,
                    "on this board",
                )
            )
    return [
        Limit(label, cap, _sum(conn, where, (arg,)), span)
        for label, cap, where, arg, span in checks
        if cap is not None
    ]


def reserve(
    conn: sqlite3.Connection,
    jobs: list[NewJob],
    *,
    call_cap: Decimal | None = None,
    now: dt.datetime | None = None,
    calls: bool = False,
) -> list[str]:
    """Check every cap against the jobs' quotes and insert them as queued, atomically. Sandbox jobs are
    checked too (the caps are rehearsed) against real spend only; they never add to it. With `calls`, each
    job is a call of its own (a batch's lines): the per-call caps apply to each, the others to the sum."""
    now = now or utc_now()
    total = sum((j.quote_max_usd for j in jobs), Decimal(0))
    with transaction(conn):
        if jobs:
            call_caps = [call_cap, get_caps(conn).call]
            refusal = None
            if calls:
                largest = max(j.quote_max_usd for j in jobs)
                refusal = cap_refusal(largest, call_caps, [])
                call_caps = []
            refusal = refusal or cap_refusal(total, call_caps, limits(conn, jobs[0].board_id, now))
            if (
                refusal and jobs[0].sandbox
            ):  # rehearsed: refused as with a key; sandbox calls never add to spend
                raise OverBudget(
                    f"the sandbox is rehearsing your caps: {refusal} (with a key this call would be refused)"
                )
            if refusal:
                raise OverBudget(refusal)
        return [insert_job(conn, job, job_id=new_id(), now=now) for job in jobs]


def set_refusal(conn: sqlite3.Connection, total: Decimal, board_id: int | None) -> str | None:
    """Why a set of calls whose bounds add up to `total` cannot all fit the day, month and board caps
    (checked before the first is sent, so a set is never cut off half way by its own size)."""
    return cap_refusal(total, [], limits(conn, board_id))


@dataclass(frozen=True)
class Totals:
    today: Decimal
    month: Decimal
    all_time: Decimal
    sandbox_calls: int
    by_board: dict[str, Decimal]


def totals(conn: sqlite3.Connection, now: dt.datetime | None = None) -> Totals:
    now = now or utc_now()
    by_board: dict[str, Decimal] = {}
    for row in conn.execute(
        "SELECT b.name AS name, j.billed_usd, j.state, j.quote_max_usd FROM jobs j JOIN boards b ON b.id = "
        "j.board_id WHERE j.sandbox = 0"
    ):
        by_board[row["name"]] = by_board.get(row["name"], Decimal(0)) + committed(row)
    return Totals(
        today=_sum(conn, "day = ?", (now.strftime("%Y-%m-%d"),)),
        month=_sum(conn, "month = ?", (now.strftime("%Y-%m"),)),
        all_time=_sum(conn, "1 = ?", (1,)),
        sandbox_calls=conn.execute("SELECT COUNT(*) FROM jobs WHERE sandbox = 1").fetchone()[0],
        by_board=by_board,
    )


LEDGER_COLUMNS = [
    "created_at",
    "job_id",
    "board",
    "model",
    "kind",
    "n",
    "state",
    "quote_max_usd",
    "billed_usd",
    "committed_usd",
    "request_id",
    "sandbox",
    "endpoint",
    "flags",
]
BILL_FLAGS = ("bill estimated", "over the quote")  # what a bill says about itself (pricing.bill_flags)


def ledger_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT j.*, b.name AS board FROM jobs j LEFT JOIN boards b ON b.id = j.board_id ORDER BY "
        "j.created_at, j.seq"
    ).fetchall()
    return [
        {
            "created_at": r["created_at"],
            "job_id": r["id"],
            "board": r["board"] or "",
            "model": r["model"],
            "kind": r["kind"],
            "n": r["n"],
            "state": r["state"],
            "quote_max_usd": r["quote_max_usd"],
            "billed_usd": r["billed_usd"] or "",
            "committed_usd": "0" if r["sandbox"] else str(committed(r)),
            "request_id": r["request_id"] or "",
            "sandbox": bool(r["sandbox"]),
            "endpoint": r["endpoint"],
            "flags": bill_flags_of(r),
        }
        for r in rows
    ]


def bill_flags_of(row: sqlite3.Row | dict[str, Any]) -> str:
    """The parts of a saved job's note that are about its bill ("bill estimated: …", "over the quote: …")."""
    note = row["error_message"] or ""
    return "; ".join(part for part in note.split("; ") if part.startswith(BILL_FLAGS))


def ledger_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=LEDGER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: _cell(v) for k, v in {**row, "sandbox": "yes" if row["sandbox"] else "no"}.items()}
        )
    return buf.getvalue()


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: quote user text that does."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def learned_image_tokens(
    conn: sqlite3.Connection, *, sandbox: bool, limit: int = 500
) -> dict[str, dict[str, int]]:
    """What the user's own past single-image edits were billed for their input image, as
    {model: {"WxH": median image tokens}} (from usage.input_tokens_details.image_tokens).
    Only calls to the same kind of endpoint teach: sandbox bills never inform real quotes."""
    seen: dict[str, dict[str, list[int]]] = {}
    rows = conn.execute(
        "SELECT model, request_json, usage_json FROM jobs WHERE kind = 'edit' AND sandbox = ? AND "
        "usage_json IS NOT NULL "
        "ORDER BY created_at DESC LIMIT ?",
        (int(sandbox), limit),
    )
    for row in rows:
        try:
            request = json.loads(row["request_json"])
            usage = json.loads(row["usage_json"])
            tokens = int(usage["input_tokens_details"]["image_tokens"])
        except (ValueError, KeyError, TypeError):
            continue
        images = request.get("images") or []
        if len(images) != 1 or tokens <= 0:
            continue
        seen.setdefault(row["model"], {}).setdefault(str(images[0]["size"]), []).append(tokens)
    return {
        model: {size: sorted(v)[len(v) // 2] for size, v in sizes.items()} for model, sizes in seen.items()
    }
