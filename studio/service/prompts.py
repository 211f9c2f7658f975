"""Prompt presets (named parameter sets) and the searchable history of prompts sent."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from studio.core.errors import RefusedError

from .db import transaction
from .journal import iso, utc_now

HISTORY_LIMIT = 10_000  # searched as you type, off the GUI thread: ~ms per keystroke (bench/scale.py)


def save_preset(conn: sqlite3.Connection, name: str, request: dict[str, Any]) -> None:
    name = " ".join(name.split())
    if not name:
        raise RefusedError("preset name: must not be empty")
    with transaction(conn):
        conn.execute(
            "INSERT INTO presets (name, request_json, updated_at) VALUES (?,?,?) ON CONFLICT(name) DO "
            "UPDATE SET "
            "request_json = excluded.request_json, updated_at = excluded.updated_at",
            (name, json.dumps(request), iso(utc_now())),
        )


def rename_preset(conn: sqlite3.Connection, old: str, new: str) -> None:
    new = " ".join(new.split())
    if not new:
        raise RefusedError("preset name: must not be empty")
    with transaction(conn):
        if conn.execute("SELECT 1 FROM presets WHERE name = ?", (new,)).fetchone():
            raise RefusedError(f"a preset named {new!r} already exists")
        conn.execute("UPDATE presets SET name = ? WHERE name = ?", (new, old))


def delete_preset(conn: sqlite3.Connection, name: str) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM presets WHERE name = ?", (name,))


def presets(conn: sqlite3.Connection) -> list[tuple[str, dict[str, Any]]]:
    return [
        (r["name"], json.loads(r["request_json"]))
        for r in conn.execute("SELECT * FROM presets ORDER BY name")
    ]


def remember(conn: sqlite3.Connection, request: dict[str, Any]) -> None:
    """Add a sent prompt to the history (the same prompt and parameters move to the top)."""
    text = json.dumps(request, sort_keys=True)
    with transaction(conn):
        conn.execute("DELETE FROM history WHERE request_json = ?", (text,))
        conn.execute(
            "INSERT INTO history (prompt, request_json, used_at) VALUES (?,?,?)",
            (request.get("prompt", ""), text, iso(utc_now())),
        )
        conn.execute(
            "DELETE FROM history WHERE id NOT IN (SELECT id FROM history ORDER BY used_at DESC LIMIT ?)",
            (HISTORY_LIMIT,),
        )


def search_history(conn: sqlite3.Connection, text: str = "", limit: int = 100) -> list[dict[str, Any]]:
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT * FROM history WHERE prompt LIKE ? ESCAPE '\\' ORDER BY used_at DESC LIMIT ?", (like, limit)
    )
    return [
        {"prompt": r["prompt"], "request": json.loads(r["request_json"]), "used_at": r["used_at"]}
        for r in rows
    ]
