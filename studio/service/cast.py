"""A board's cast and style sheet in the library: named entries (a character, a prop, a place, a style
frame), each with one or more reference images copied into the library and a short description; each can
be switched off. The board keeps whether its sheet is followed, the user's edit of the woven text, and the
panel "Continue from this panel" chains from (migration 10)."""

from __future__ import annotations

import sqlite3
from typing import Any

from studio.core.errors import RefusedError
from studio.core.text import clean_text

from .db import transaction
from .journal import iso, utc_now

NAME_MAX = 60
DESCRIPTION_MAX = 400


def check_name(name: str) -> str:
    clean = clean_text(name)  # one printable line: it is woven into prompts and shown in lists
    if not clean:
        raise RefusedError("cast entry name: must not be empty")
    if len(clean) > NAME_MAX:
        raise RefusedError(f"cast entry name: at most {NAME_MAX} characters (this one has {len(clean)})")
    return clean


def check_description(text: str) -> str:
    clean = clean_text(text)
    if len(clean) > DESCRIPTION_MAX:
        raise RefusedError(
            f"cast description: at most {DESCRIPTION_MAX} characters (this one has {len(clean)})"
        )
    return clean


def entries(conn: sqlite3.Connection, board: int) -> list[dict[str, Any]]:
    """The board's entries in order, each with its images (oldest first)."""
    rows = [
        dict(r)
        for r in conn.execute("SELECT * FROM cast_entries WHERE board_id = ? ORDER BY position, id", (board,))
    ]
    for row in rows:
        row["enabled"] = bool(row["enabled"])
        row["images"] = [
            dict(i)
            for i in conn.execute("SELECT * FROM cast_images WHERE entry_id = ? ORDER BY seq", (row["id"],))
        ]
    return rows


def entry_id(conn: sqlite3.Connection, board: int, name: str) -> int:
    row = conn.execute(
        "SELECT id FROM cast_entries WHERE board_id = ? AND name = ? COLLATE NOCASE",
        (board, check_name(name)),
    ).fetchone()
    if row is None:
        known = ", ".join(repr(e["name"]) for e in entries(conn, board)) or "none yet"
        raise RefusedError(f"the board has no cast entry {name!r} (entries: {known})")
    return int(row["id"])


def add(
    conn: sqlite3.Connection, board: int, name: str, description: str | None, images: list[dict[str, Any]]
) -> int:
    """A new entry, or more images (and a new description, when given) for an existing one; its id.
    `images`: the saved copies (path, sha256, width, height, bytes, source_panel_id)."""
    name = check_name(name)
    now = iso(utc_now())
    with transaction(conn):
        row = conn.execute(
            "SELECT id FROM cast_entries WHERE board_id = ? AND name = ? COLLATE NOCASE", (board, name)
        ).fetchone()
        if row is None:
            if not images:
                raise RefusedError(f"cast entry {name!r}: give it at least one reference image")
            position = conn.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM cast_entries WHERE board_id = ?", (board,)
            ).fetchone()[0]
            eid = conn.execute(
                "INSERT INTO cast_entries (board_id, name, description, enabled, position, created_at) "
                "VALUES (?, ?, ?, 1, ?, ?)",
                (board, name, check_description(description or ""), position, now),
            ).lastrowid
        else:
            eid = row["id"]
            if description is not None:
                conn.execute(
                    "UPDATE cast_entries SET description = ? WHERE id = ?",
                    (check_description(description), eid),
                )
        seq = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM cast_images WHERE entry_id = ?", (eid,)
        ).fetchone()[0]
        for k, image in enumerate(images, 1):
            conn.execute(
                "INSERT INTO cast_images (entry_id, seq, path, sha256, width, height, bytes, "
                "source_panel_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    eid,
                    seq + k,
                    image["path"],
                    image["sha256"],
                    image["width"],
                    image["height"],
                    image["bytes"],
                    image.get("source_panel_id"),
                    now,
                ),
            )
    assert eid is not None
    return int(eid)


def set_enabled(conn: sqlite3.Connection, board: int, name: str, enabled: bool) -> None:
    eid = entry_id(conn, board, name)
    with transaction(conn):
        conn.execute("UPDATE cast_entries SET enabled = ? WHERE id = ?", (int(enabled), eid))


def set_description(conn: sqlite3.Connection, board: int, name: str, description: str) -> None:
    eid = entry_id(conn, board, name)
    with transaction(conn):
        conn.execute(
            "UPDATE cast_entries SET description = ? WHERE id = ?", (check_description(description), eid)
        )


def remove(conn: sqlite3.Connection, board: int, name: str) -> list[str]:
    """Remove the entry; the paths of its images (kept on disk: panels made with them name them)."""
    eid = entry_id(conn, board, name)
    with transaction(conn):
        paths = [r["path"] for r in conn.execute("SELECT path FROM cast_images WHERE entry_id = ?", (eid,))]
        conn.execute("DELETE FROM cast_images WHERE entry_id = ?", (eid,))
        conn.execute("DELETE FROM cast_entries WHERE id = ?", (eid,))
    return paths


def remove_image(conn: sqlite3.Connection, image_id: int) -> None:
    """One reference image out of its entry; an entry left with none goes too."""
    with transaction(conn):
        row = conn.execute("SELECT entry_id FROM cast_images WHERE id = ?", (image_id,)).fetchone()
        if row is None:
            return
        conn.execute("DELETE FROM cast_images WHERE id = ?", (image_id,))
        conn.execute(
            "DELETE FROM cast_entries WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM cast_images WHERE entry_id = ?)",
            (row["entry_id"], row["entry_id"]),
        )


def options(conn: sqlite3.Connection, board: int) -> dict[str, Any]:
    """Whether the board follows its sheet, the user's woven text (None: generated), the chained panel."""
    row = conn.execute(
        "SELECT cast_off, cast_preamble, continue_from FROM boards WHERE id = ?", (board,)
    ).fetchone()
    if row is None:
        raise RefusedError(f"board {board} does not exist")
    return {
        "follow": not row["cast_off"],
        "preamble": row["cast_preamble"],
        "continue_from": row["continue_from"],
    }


_OPTION_COLUMNS = {"follow": "cast_off", "preamble": "cast_preamble", "continue_from": "continue_from"}


def set_options(conn: sqlite3.Connection, board: int, **changes: Any) -> None:
    with transaction(conn):
        for key, value in changes.items():
            column = _OPTION_COLUMNS[key]
            stored = (not value) if key == "follow" else value
            conn.execute(f"UPDATE boards SET {column} = ? WHERE id = ?", (stored, board))


def move_chain(conn: sqlite3.Connection, board: int, expected: int, panel_id: int) -> bool:
    """The chain moved on to `panel_id` if it still starts at `expected` (whether it moved)."""
    with transaction(conn):
        moved = conn.execute(
            "UPDATE boards SET continue_from = ? WHERE id = ? AND continue_from = ?",
            (panel_id, board, expected),
        ).rowcount
    return bool(moved)


def panels_made(conn: sqlite3.Connection, job_ids: list[str]) -> list[int]:
    """The visible panels the jobs' images landed on, in board order."""
    marks = ",".join("?" * len(job_ids))
    return [
        r[0]
        for r in conn.execute(
            f"SELECT p.id FROM panels p JOIN images i ON i.id = p.image_id WHERE i.job_id IN ({marks}) "
            "AND p.deleted_at IS NULL ORDER BY p.position",
            job_ids,
        )
    ]
