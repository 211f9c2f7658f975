"""Editing boards and panels: rename, caption, star, trash, reorder."""

from __future__ import annotations

import sqlite3
from typing import Any

from studio.core.errors import RefusedError
from studio.core.panel_fields import checked_fields

from .db import transaction
from .journal import iso, utc_now
from .library import _check_name


def rename_board(conn: sqlite3.Connection, board_id: int, name: str) -> str:
    name = _check_name(name)
    with transaction(conn):
        clash = conn.execute("SELECT id FROM boards WHERE name = ? AND id != ?", (name, board_id)).fetchone()
        if clash:
            raise RefusedError(f"a board named {name!r} already exists")
        conn.execute("UPDATE boards SET name = ? WHERE id = ?", (name, board_id))
    return name


def set_caption(conn: sqlite3.Connection, panel_id: int, caption: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE panels SET caption = ? WHERE id = ?", (caption[:2000], panel_id))


def set_fields(
    conn: sqlite3.Connection,
    panel_id: int,
    *,
    shot: str | None = None,
    duration: float | None = None,
    notes: str | None = None,
) -> None:
    """Storyboard fields: shot type (free text; SHOT_TYPES are offered), duration in seconds, notes."""
    changes = checked_fields(shot=shot, duration=duration, notes=notes)
    if not changes:
        return
    with transaction(conn):
        conn.execute(
            f"UPDATE panels SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
            (*changes.values(), panel_id),
        )


def set_starred(conn: sqlite3.Connection, panel_id: int, starred: bool) -> None:
    with transaction(conn):
        conn.execute("UPDATE panels SET starred = ? WHERE id = ?", (int(starred), panel_id))


def trash(conn: sqlite3.Connection, panel_id: int) -> None:
    with transaction(conn):
        conn.execute("UPDATE panels SET deleted_at = ? WHERE id = ?", (iso(utc_now()), panel_id))


def restore(conn: sqlite3.Connection, panel_id: int) -> None:
    with transaction(conn):
        conn.execute("UPDATE panels SET deleted_at = NULL WHERE id = ?", (panel_id,))


def trashed(conn: sqlite3.Connection, board_id: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            "SELECT p.*, i.path FROM panels p LEFT JOIN images i ON i.id = p.image_id WHERE p.board_id = ? "
            "AND p.deleted_at IS NOT NULL "
            "ORDER BY p.deleted_at DESC",
            (board_id,),
        )
    ]


def empty_trash(conn: sqlite3.Connection, board_id: int) -> int:
    """Forget trashed panels (their image files stay in the library: they were paid for)."""
    with transaction(conn):
        gone = "SELECT id FROM panels WHERE board_id = ? AND deleted_at IS NOT NULL"
        conn.execute(f"UPDATE panels SET version_id = NULL WHERE id IN ({gone})", (board_id,))
        conn.execute(f"DELETE FROM versions WHERE panel_id IN ({gone})", (board_id,))
        return conn.execute(
            "DELETE FROM panels WHERE board_id = ? AND deleted_at IS NOT NULL", (board_id,)
        ).rowcount


def move(conn: sqlite3.Connection, board_id: int, panel_id: int, new_index: int) -> list[int]:
    """Move a panel to `new_index` among the board's visible panels; returns the new order of ids."""
    with transaction(conn):
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM panels WHERE board_id = ? AND deleted_at IS NULL ORDER BY position",
                (board_id,),
            )
        ]
        if panel_id not in ids:
            raise RefusedError(f"panel {panel_id} is not on this board")
        ids.remove(panel_id)
        ids.insert(max(0, min(new_index, len(ids))), panel_id)
        for position, pid in enumerate(ids):
            conn.execute("UPDATE panels SET position = ? WHERE id = ?", (position, pid))
    return ids


def place_after(conn: sqlite3.Connection, board_id: int, panel_id: int, after_panel_id: int) -> list[int]:
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM panels WHERE board_id = ? AND deleted_at IS NULL ORDER BY position", (board_id,)
        )
    ]
    target = ids.index(after_panel_id) + 1 if after_panel_id in ids else len(ids)
    if panel_id in ids and ids.index(panel_id) < target:
        target -= 1
    return move(conn, board_id, panel_id, target)


def _insert(conn: sqlite3.Connection, board_id: int, **copy: Any) -> int:
    """A new panel at the end of the board (inside the caller's transaction)."""
    position = conn.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM panels WHERE board_id = ?", (board_id,)
    ).fetchone()[0]
    columns = ["board_id", "position", "created_at", *copy]
    cursor = conn.execute(
        f"INSERT INTO panels ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        (board_id, position, iso(utc_now()), *copy.values()),
    )
    return int(cursor.lastrowid or 0)


def insert_blank(conn: sqlite3.Connection, board_id: int) -> int:
    """A blank panel at the board's end, inside the caller's transaction (a batch's placeholders)."""
    return _insert(conn, board_id)


def add_blank(conn: sqlite3.Connection, board_id: int, after_panel_id: int | None = None) -> int:
    """A panel with no image yet (a shot planned, to fill later), after a panel or at the end."""
    with transaction(conn):
        panel_id = _insert(conn, board_id)
    if after_panel_id is not None:  # then moved into place (its own transaction)
        place_after(conn, board_id, panel_id, after_panel_id)
    return panel_id


def duplicate(conn: sqlite3.Connection, panel_id: int) -> int:
    """A copy of a panel right after it: the same image and current version, caption and storyboard
    fields (not its star). The copy shows the same file; what it cost is counted once (the export
    bills the image to its first panel)."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM panels WHERE id = ?", (panel_id,)).fetchone()
        if row is None:
            raise RefusedError(f"panel {panel_id} does not exist")
        fields = ("image_id", "job_id", "version_id", "caption", "shot", "duration", "notes")
        copy = _insert(conn, row["board_id"], **{k: row[k] for k in fields})
    place_after(conn, row["board_id"], copy, panel_id)
    return copy
