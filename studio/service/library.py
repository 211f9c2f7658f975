"""Library records: boards, their panels in order, and the images behind them."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from studio.core.errors import RefusedError

from .db import transaction
from .journal import iso, utc_now

DEFAULT_BOARD = "Untitled board"


def _check_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise RefusedError("board name: must not be empty")
    if len(clean) > 120:
        raise RefusedError("board name: must be at most 120 characters")
    return clean


def board_id(conn: sqlite3.Connection, name: str, *, create: bool = True) -> int:
    """The id of the board with this name, created on first use."""
    name = _check_name(name)
    row = conn.execute("SELECT id FROM boards WHERE name = ?", (name,)).fetchone()
    if row:
        return row["id"]
    if not create:
        raise RefusedError(f"board {name!r} does not exist")
    with transaction(conn):
        conn.execute("INSERT OR IGNORE INTO boards (name, created_at) VALUES (?, ?)", (name, iso(utc_now())))
        return conn.execute("SELECT id FROM boards WHERE name = ?", (name,)).fetchone()["id"]


def set_board_budget(conn: sqlite3.Connection, name: str, usd: Decimal | None) -> None:
    bid = board_id(conn, name)
    with transaction(conn):
        conn.execute(
            "UPDATE boards SET budget_usd = ? WHERE id = ?", (None if usd is None else str(usd), bid)
        )


def board_prompt(conn: sqlite3.Connection, board: int) -> dict[str, Any] | None:
    """The prompt and parameters the board was left with, or None (never set, or unreadable)."""
    row = conn.execute("SELECT prompt_json FROM boards WHERE id = ?", (board,)).fetchone()
    try:
        value = json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def set_board_prompt(conn: sqlite3.Connection, board: int, params: dict[str, Any]) -> None:
    with transaction(conn):
        conn.execute("UPDATE boards SET prompt_json = ? WHERE id = ?", (json.dumps(params), board))


def boards(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            "SELECT b.*, (SELECT COUNT(*) FROM panels p WHERE p.board_id = b.id AND p.deleted_at IS NULL) "
            "AS panels "
            "FROM boards b ORDER BY b.name"
        )
    ]


@dataclass(frozen=True)
class SavedImage:
    job_id: str
    index: int
    path: str
    sidecar: str
    format: str
    width: int | None
    height: int | None
    bytes: int
    sha256: str
    problem: str | None = None  # kept as received but not a usable image: why (flagged on its panel)


def record_image(conn: sqlite3.Connection, image: SavedImage, board: int | None) -> tuple[int, int | None]:
    """Record a saved image and, on a board, append a panel for it (in panel order).
    Returns the image id and the new panel's id."""
    with transaction(conn):
        return insert_image(conn, image, board)


def insert_image(conn: sqlite3.Connection, image: SavedImage, board: int | None) -> tuple[int, int | None]:
    """record_image inside the caller's transaction (a batch line settles in one)."""
    cur = conn.execute(
        "INSERT INTO images (job_id, idx, path, sidecar, format, width, height, bytes, sha256, "
        "created_at, problem) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(job_id, idx) DO UPDATE SET path = excluded.path, "
        "sidecar = excluded.sidecar "
        "RETURNING id",
        (
            image.job_id,
            image.index,
            image.path,
            image.sidecar,
            image.format,
            image.width,
            image.height,
            image.bytes,
            image.sha256,
            iso(utc_now()),
            image.problem,
        ),
    )
    image_id = cur.fetchone()[0]
    panel_id = None
    if board is not None:
        position = conn.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM panels WHERE board_id = ?", (board,)
        ).fetchone()[0]
        panel_id = conn.execute(
            "INSERT INTO panels (board_id, position, image_id, job_id, created_at) VALUES (?,?,?,?,?) "
            "RETURNING id",
            (board, position, image_id, image.job_id, iso(utc_now())),
        ).fetchone()[0]
    conn.execute("DELETE FROM previews WHERE job_id = ? AND idx = ?", (image.job_id, image.index))
    return image_id, panel_id


def record_preview(conn: sqlite3.Connection, job_id: str, index: int, step: int, path: str) -> str | None:
    """Keep the newest streamed preview of an image; returns the path it replaced (to delete)."""
    with transaction(conn):
        old = conn.execute(
            "SELECT path FROM previews WHERE job_id = ? AND idx = ?", (job_id, index)
        ).fetchone()
        conn.execute(
            "INSERT INTO previews (job_id, idx, step, path) VALUES (?,?,?,?) "
            "ON CONFLICT(job_id, idx) DO UPDATE SET step = excluded.step, path = excluded.path",
            (job_id, index, step, path),
        )
    return old["path"] if old and old["path"] != path else None


def previews(conn: sqlite3.Connection, job_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM previews WHERE job_id = ? ORDER BY idx", (job_id,))]


_PANEL_ROW = (
    "SELECT p.*, COALESCE(v.path, i.path) AS path, i.path AS original_path, i.format, i.width, i.height, "
    "i.problem, "
    "j.billed_usd, j.n, j.sandbox, j.request_json, COALESCE(v.seq, 1) AS version, "
    "j.batch_id, j.state AS job_state, j.prompt AS job_prompt, "
    "(SELECT COUNT(*) FROM versions w WHERE w.panel_id = p.id) AS versions "
    "FROM panels p LEFT JOIN images i ON i.id = p.image_id LEFT JOIN jobs j ON j.id = p.job_id "
    "LEFT JOIN versions v ON v.id = p.version_id "
)


def panels(conn: sqlite3.Connection, board: int) -> list[dict[str, Any]]:
    """A board's visible panels in order, with their image and the generation (job) behind each."""
    return [
        dict(r)
        for r in conn.execute(
            _PANEL_ROW + "WHERE p.board_id = ? AND p.deleted_at IS NULL ORDER BY p.position", (board,)
        )
    ]


def panel_view(conn: sqlite3.Connection, panel_id: int) -> dict[str, Any] | None:
    """One panel's row as `panels` gives it, plus "position": its index among the board's visible panels."""
    row = conn.execute(_PANEL_ROW + "WHERE p.id = ?", (panel_id,)).fetchone()
    if row is None:
        return None
    view = dict(row)
    view["position"] = conn.execute(
        "SELECT COUNT(*) FROM panels WHERE board_id = ? AND deleted_at IS NULL AND position < ?",
        (view["board_id"], view["position"]),
    ).fetchone()[0]
    return view


def images_of_job(conn: sqlite3.Connection, job_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM images WHERE job_id = ? ORDER BY idx", (job_id,))]
