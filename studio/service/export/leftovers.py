"""Export folders a killed process abandoned: every export is built in a hidden `.<board>.partial-XXXX`
folder holding a mark (the process and host that write it). The folders exports were written into are
remembered in the library; on start, marked folders there whose process is gone (or that are older than
a day) are removed. Nothing without the mark is ever touched."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import time
from pathlib import Path

from ..db import transaction
from ..journal import iso, utc_now

PARTIAL_MARK = ".asset-studio-partial"
STALE_AFTER_S = 24 * 3600  # a mark of another host: its process cannot be asked; an export takes minutes
REMEMBERED = 50


def mark_partial(folder: Path) -> None:
    (folder / PARTIAL_MARK).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def abandoned(folder: Path, *, now: float | None = None) -> bool:
    """Whether a partial export folder was left by a process that is gone."""
    mark = folder / PARTIAL_MARK
    try:
        info = json.loads(mark.read_text())
        age = (time.time() if now is None else now) - mark.stat().st_mtime
    except (OSError, ValueError):
        return False
    if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int):
        return info["pid"] != os.getpid() and not _alive(info["pid"])
    return age > STALE_AFTER_S


def remember_folder(conn: sqlite3.Connection, out_dir: Path) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO export_folders (path, used_at) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET "
            "used_at = excluded.used_at",
            (str(Path(out_dir).resolve()), iso(utc_now())),
        )
        conn.execute(
            "DELETE FROM export_folders WHERE path NOT IN (SELECT path FROM export_folders "
            "ORDER BY used_at DESC LIMIT ?)",
            (REMEMBERED,),
        )


def last_folder(conn: sqlite3.Connection) -> str | None:
    """The folder the latest export went into, if it still exists."""
    for row in conn.execute("SELECT path FROM export_folders ORDER BY used_at DESC").fetchall():
        if Path(row["path"]).is_dir():
            return str(row["path"])
    return None


def sweep(conn: sqlite3.Connection) -> list[Path]:
    """Remove abandoned partial exports in the folders exports went to. Returns what was removed."""
    removed = []
    for row in conn.execute("SELECT path FROM export_folders").fetchall():
        try:
            candidates = list(Path(row["path"]).glob(".*.partial-*"))
        except OSError:
            continue
        for folder in candidates:
            if folder.is_dir() and abandoned(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed
