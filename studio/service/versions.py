"""Panel versions: every edit adds one; the panel shows its current version; revert picks an older one.

Version 1 is the panel's original image (recorded on the first edit). Edits keep both files: the
raw result exactly as received (it was paid for) and, with the drift guard on, the guarded PNG
composite that the panel shows. Nothing is deleted by a revert: history only grows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from studio.core.errors import RefusedError

from .db import transaction
from .journal import iso, utc_now


@dataclass(frozen=True)
class NewVersion:
    kind: str  # "edit" (guarded or raw)
    path: str  # the file the panel shows
    prompt: str
    image_id: int | None = None  # the raw result's library image
    raw_path: str | None = None
    job_id: str | None = None
    parent_id: int | None = None  # the version the edit started from
    mask_path: str | None = None
    heatmap_path: str | None = None
    guarded: bool = False
    drift_json: str | None = None


def _panel(conn: sqlite3.Connection, panel_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT p.id, p.image_id, p.job_id, p.version_id, i.path FROM panels p LEFT JOIN images i ON i.id = "
        "p.image_id "
        "WHERE p.id = ?",
        (panel_id,),
    ).fetchone()
    if row is None:
        raise RefusedError(f"panel {panel_id} does not exist")
    return row


def _ensure_original(conn: sqlite3.Connection, panel_id: int) -> int:
    first = conn.execute("SELECT id FROM versions WHERE panel_id = ? AND seq = 1", (panel_id,)).fetchone()
    if first:
        return first["id"]
    panel = _panel(conn, panel_id)
    if panel["path"] is None:
        raise RefusedError(f"panel {panel_id} has no image yet")
    prompt = (
        conn.execute("SELECT prompt FROM jobs WHERE id = ?", (panel["job_id"],)).fetchone()
        if panel["job_id"]
        else None
    )
    return conn.execute(
        "INSERT INTO versions (panel_id, seq, kind, path, image_id, raw_path, job_id, prompt, created_at) "
        "VALUES (?, 1, 'original', ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            panel_id,
            panel["path"],
            panel["image_id"],
            panel["path"],
            panel["job_id"],
            prompt["prompt"] if prompt else "",
            iso(utc_now()),
        ),
    ).fetchone()[0]


def current(conn: sqlite3.Connection, panel_id: int) -> dict[str, Any]:
    """The version the panel shows (its original when never edited)."""
    panel = _panel(conn, panel_id)
    if panel["version_id"] is not None:
        return dict(conn.execute("SELECT * FROM versions WHERE id = ?", (panel["version_id"],)).fetchone())
    return {
        "id": None,
        "panel_id": panel_id,
        "seq": 1,
        "kind": "original",
        "path": panel["path"],
        "image_id": panel["image_id"],
        "raw_path": panel["path"],
        "job_id": panel["job_id"],
        "guarded": 0,
    }


def add(conn: sqlite3.Connection, panel_id: int, new: NewVersion) -> int:
    """Append a version and make it the panel's current one; returns its id."""
    with transaction(conn):
        original = _ensure_original(conn, panel_id)
        seq = conn.execute("SELECT MAX(seq) + 1 FROM versions WHERE panel_id = ?", (panel_id,)).fetchone()[0]
        vid = conn.execute(
            "INSERT INTO versions (panel_id, seq, kind, path, image_id, raw_path, job_id, parent_id, "
            "prompt, mask_path, "
            "heatmap_path, guarded, drift_json, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING "
            "id",
            (
                panel_id,
                seq,
                new.kind,
                new.path,
                new.image_id,
                new.raw_path,
                new.job_id,
                new.parent_id or original,
                new.prompt[:4000],
                new.mask_path,
                new.heatmap_path,
                int(new.guarded),
                new.drift_json,
                iso(utc_now()),
            ),
        ).fetchone()[0]
        conn.execute("UPDATE panels SET version_id = ? WHERE id = ?", (vid, panel_id))
    return vid


def history(conn: sqlite3.Connection, panel_id: int) -> list[dict[str, Any]]:
    """All versions of a panel, oldest first, with which one is current."""
    panel = _panel(conn, panel_id)
    rows = [
        dict(r) for r in conn.execute("SELECT * FROM versions WHERE panel_id = ? ORDER BY seq", (panel_id,))
    ]
    if not rows:
        rows = [current(conn, panel_id)]
    now = panel["version_id"]
    for row in rows:
        row["current"] = row["id"] == now or (now is None and row["seq"] == 1)
    return rows


def set_current(conn: sqlite3.Connection, panel_id: int, version_id: int) -> None:
    """Show an older (or newer) version: revert is just choosing one; history is kept."""
    with transaction(conn):
        row = conn.execute("SELECT panel_id, seq FROM versions WHERE id = ?", (version_id,)).fetchone()
        if row is None or row["panel_id"] != panel_id:
            raise RefusedError(f"version {version_id} is not a version of panel {panel_id}")
        conn.execute("UPDATE panels SET version_id = ? WHERE id = ?", (version_id, panel_id))
