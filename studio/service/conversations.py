"""Refine conversations in the library (SQLite): a conversation per panel (or file), its turns in order,
each a job of the journal with the response id it got and the one it continued, so a conversation goes
on after a restart and can be forked from any earlier turn."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from .db import transaction
from .journal import iso, utc_now


def create(
    conn: sqlite3.Connection,
    *,
    panel_id: int | None,
    source_path: str | None,
    mainline: str,
    image_model: str,
    effort: str,
    forked_from: str | None = None,
    fork_seq: int | None = None,
    last_response_id: str | None = None,
    start_path: str | None = None,
) -> str:
    conversation_id = uuid.uuid4().hex
    with transaction(conn):
        conn.execute(
            "INSERT INTO conversations (id, panel_id, source_path, mainline, image_model, effort, "
            "last_response_id, forked_from, fork_seq, start_path, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (conversation_id, panel_id, source_path, mainline, image_model, effort, last_response_id,
             forked_from, fork_seq, start_path, iso(utc_now())),
        )  # fmt: skip
    return conversation_id


def set_start(conn: sqlite3.Connection, conversation_id: str, path: str | None) -> None:
    """The image its first turn sent (the panel's version then, or the file): it stays in the
    conversation's history, re-sent and billed with every later turn."""
    with transaction(conn):
        conn.execute("UPDATE conversations SET start_path = ? WHERE id = ?", (path, conversation_id))


def set_cast(conn: sqlite3.Connection, conversation_id: str, paths: list[str], woven: str) -> None:
    """The cast references its first turn sent after its start image, and the text woven into that turn's
    instruction: both stay in the conversation, re-read and billed with every later turn."""
    with transaction(conn):
        conn.execute(
            "UPDATE conversations SET cast_json = ? WHERE id = ?",
            (json.dumps({"paths": paths, "woven": woven}), conversation_id),
        )


def cast_of(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any]:
    """The cast its chain started with (a fork's: its source's), {"paths": [], "woven": ""} when none."""
    conv = get(conn, conversation_id)
    while conv is not None and conv.get("forked_from"):
        conv = get(conn, conv["forked_from"])
    found = json.loads(conv["cast_json"]) if conv is not None and conv.get("cast_json") else {}
    return {"paths": list(found.get("paths", [])), "woven": str(found.get("woven", ""))}


def settings_of(conn: sqlite3.Connection, conversation_id: str, **changes: str) -> None:
    """Change its mainline, image model or effort (the next turn uses them)."""
    allowed = {k: v for k, v in changes.items() if k in ("mainline", "image_model", "effort")}
    if allowed:
        sets = ", ".join(f"{k} = ?" for k in allowed)
        with transaction(conn):
            values = (*allowed.values(), conversation_id)
            conn.execute(f"UPDATE conversations SET {sets} WHERE id = ?", values)


def history(conn: sqlite3.Connection, conversation_id: str) -> tuple[str | None, list[dict[str, Any]]]:
    """What OpenAI holds for it: the image it started from and the answered turns of its chain (a fork's
    source up to the turn it went on from, then its own), oldest first."""
    chain: list[dict[str, Any]] = []
    conv = get(conn, conversation_id)
    limit: int | None = None
    start: str | None = None
    while conv is not None:
        rows = [t for t in turns(conn, conv["id"]) if t.get("response_id")]
        chain[:0] = [t for t in rows if limit is None or t["seq"] <= limit]
        start = conv.get("start_path")
        if conv.get("fork_seq") is None or not conv.get("forked_from"):
            break
        limit = int(conv["fork_seq"])
        conv = get(conn, conv["forked_from"])
    return start, chain


def get(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return dict(row) if row else None


def of_panel(conn: sqlite3.Connection, panel_id: int) -> dict[str, Any] | None:
    """The panel's newest conversation."""
    row = conn.execute(
        "SELECT * FROM conversations WHERE panel_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (panel_id,),
    ).fetchone()
    return dict(row) if row else None


def turns(conn: sqlite3.Connection, conversation_id: str) -> list[dict[str, Any]]:
    """Its turns in order, with their jobs' states and bills."""
    return [
        dict(r)
        for r in conn.execute(
            "SELECT t.*, j.state, j.billed_usd, j.error_message FROM turns t JOIN jobs j ON j.id = t.job_id "
            "WHERE t.conversation_id = ? ORDER BY t.seq",
            (conversation_id,),
        )
    ]


def add_turn(
    conn: sqlite3.Connection, conversation_id: str, job_id: str, instruction: str, previous: str | None
) -> int:
    with transaction(conn):
        seq = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO turns (conversation_id, job_id, seq, instruction, previous_response_id, created_at) "
            "VALUES (?,?,?,?,?,?)",
            (conversation_id, job_id, seq, instruction, previous, iso(utc_now())),
        )
    return int(seq)


def answered(conn: sqlite3.Connection, job_id: str, fields: dict[str, Any]) -> None:
    """The turn's answer (response id, image item, text, the mainline's usage); the conversation goes on
    from its response."""
    allowed = {"response_id", "image_item_id", "image_path", "text", "mainline_usage_json", "mainline_usd",
               "image_usd"}  # fmt: skip
    columns = {k: v for k, v in fields.items() if k in allowed}
    with transaction(conn):
        if columns:
            sets = ", ".join(f"{k} = ?" for k in columns)
            conn.execute(f"UPDATE turns SET {sets} WHERE job_id = ?", (*columns.values(), job_id))
        if fields.get("response_id"):
            conn.execute(
                "UPDATE conversations SET last_response_id = ? WHERE id = "
                "(SELECT conversation_id FROM turns WHERE job_id = ?)",
                (fields["response_id"], job_id),
            )


def shown(conn: sqlite3.Connection, conversation_id: str) -> list[dict[str, Any]]:
    """What the Refine panel lists: a fork's inherited turns (answered ones up to the turn it went on
    from, each marked "inherited") and then its own, whatever their state."""
    _, chain = history(conn, conversation_id)  # what OpenAI holds: the fork's source up to its turn
    inherited = [{**t, "inherited": True} for t in chain if t["conversation_id"] != conversation_id]
    return inherited + turns(conn, conversation_id)


def fork(conn: sqlite3.Connection, conversation_id: str, seq: int) -> str:
    """A new conversation that goes on from turn `seq` of this one (its response id)."""
    source = get(conn, conversation_id)
    row = conn.execute(
        "SELECT response_id FROM turns WHERE conversation_id = ? AND seq = ?", (conversation_id, seq)
    ).fetchone()
    if source is None or row is None or not row["response_id"]:
        from studio.core.errors import RefusedError

        raise RefusedError(f"turn {seq} of that conversation has no answer to go on from")
    return create(
        conn, panel_id=source["panel_id"], source_path=source["source_path"], mainline=source["mainline"],
        image_model=source["image_model"], effort=source["effort"], forked_from=conversation_id,
        fork_seq=seq, last_response_id=row["response_id"], start_path=source["start_path"],
    )  # fmt: skip
