"""SQLite for everything persistent: WAL, a busy timeout, versioned migrations, one worker thread.

All statements of a Database run on its own thread, so the event loop (the GUI thread under qasync)
never waits on disk. Other processes (the CLI beside the GUI) share the file safely: WAL plus a busy
timeout, and BEGIN IMMEDIATE for read-modify-write transactions such as budget reservations.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from studio.core.errors import StudioError

T = TypeVar("T")
BUSY_TIMEOUT_S = 15.0

MIGRATIONS: list[str] = [
    # 1: boards, jobs (the journal and the ledger), images, panels, previews, settings
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE boards (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, budget_usd TEXT
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY, group_id TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
        first_index INTEGER NOT NULL DEFAULT 0, board_id INTEGER REFERENCES boards(id),
        endpoint TEXT NOT NULL, sandbox INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, n INTEGER NOT NULL,
        request_json TEXT NOT NULL, quote_json TEXT NOT NULL, quote_max_usd TEXT NOT NULL,
        state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        request_id TEXT, usage_json TEXT, billed_usd TEXT, error_kind TEXT, error_message TEXT,
        owner_pid INTEGER, owner_start TEXT, owner_host TEXT,
        created_at TEXT NOT NULL, day TEXT NOT NULL, month TEXT NOT NULL, sent_at TEXT, finished_at TEXT
    );
    CREATE INDEX jobs_by_state ON jobs(state);
    CREATE INDEX jobs_by_day ON jobs(day);
    CREATE INDEX jobs_by_month ON jobs(month);
    CREATE INDEX jobs_by_board ON jobs(board_id);
    CREATE TABLE images (
        id INTEGER PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL,
        path TEXT NOT NULL, sidecar TEXT, format TEXT NOT NULL, width INTEGER, height INTEGER,
        bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (job_id, idx)
    );
    CREATE TABLE previews (
        job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL, step INTEGER NOT NULL,
        path TEXT NOT NULL, PRIMARY KEY (job_id, idx)
    );
    CREATE TABLE panels (
        id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL REFERENCES boards(id), position INTEGER NOT NULL,
        caption TEXT NOT NULL DEFAULT '', image_id INTEGER REFERENCES images(id),
        job_id TEXT REFERENCES jobs(id),
        starred INTEGER NOT NULL DEFAULT 0, deleted_at TEXT, created_at TEXT NOT NULL
    );
    CREATE INDEX panels_by_board ON panels(board_id, position);
    """,
    # 2: prompt presets and the searchable prompt history
    """
    CREATE TABLE presets (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, request_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE history (
        id INTEGER PRIMARY KEY, prompt TEXT NOT NULL, request_json TEXT NOT NULL, used_at TEXT NOT NULL
    );
    CREATE INDEX history_by_time ON history(used_at);
    """,
    # 3: panel versions (edits): each edit adds a version; the panel shows its current one
    """
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY, panel_id INTEGER NOT NULL REFERENCES panels(id), seq INTEGER NOT NULL,
        kind TEXT NOT NULL, path TEXT NOT NULL, image_id INTEGER REFERENCES images(id), raw_path TEXT,
        job_id TEXT REFERENCES jobs(id), parent_id INTEGER REFERENCES versions(id),
        prompt TEXT NOT NULL DEFAULT '',
        mask_path TEXT, heatmap_path TEXT, guarded INTEGER NOT NULL DEFAULT 0, drift_json TEXT,
        created_at TEXT NOT NULL, UNIQUE (panel_id, seq)
    );
    ALTER TABLE panels ADD COLUMN version_id INTEGER REFERENCES versions(id);
    """,
    # 4: storyboard fields of a panel
    """
    ALTER TABLE panels ADD COLUMN shot TEXT NOT NULL DEFAULT '';
    ALTER TABLE panels ADD COLUMN duration REAL NOT NULL DEFAULT 2.0;
    ALTER TABLE panels ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    """,
    # 5: the endpoint's model list (GET /v1/models, with shutdown dates) and models the user opted in to
    """
    CREATE TABLE endpoint_models (
        endpoint TEXT NOT NULL, model TEXT NOT NULL, shutdown_date TEXT, read_at TEXT NOT NULL,
        PRIMARY KEY (endpoint, model)
    );
    CREATE TABLE opted_models (model TEXT PRIMARY KEY, opted_at TEXT NOT NULL);
    CREATE TABLE endpoint_reads (endpoint TEXT PRIMARY KEY, read_at TEXT NOT NULL);
    """,
    # 6: a received image that does not decode (kept as received) says why; folders exports were written into
    """
    ALTER TABLE images ADD COLUMN problem TEXT;
    CREATE TABLE export_folders (path TEXT PRIMARY KEY, used_at TEXT NOT NULL);
    """,
    # 7: each board remembers its prompt and parameters (JSON), so a restart opens where the user left it
    """
    ALTER TABLE boards ADD COLUMN prompt_json TEXT;
    """,
    # 8: Batch API batches; each request line is a job of its batch (custom_id = job id), with the
    # placeholder panels its images fill
    """
    CREATE TABLE batches (
        id TEXT PRIMARY KEY, remote_id TEXT UNIQUE, endpoint TEXT NOT NULL, sandbox INTEGER NOT NULL,
        kind TEXT NOT NULL, model TEXT NOT NULL, board_id INTEGER REFERENCES boards(id),
        status TEXT NOT NULL, requests INTEGER NOT NULL, completed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0, input_file_id TEXT, output_file_id TEXT, error_file_id TEXT,
        file_ids_json TEXT, errors_json TEXT, message TEXT, quote_max_usd TEXT NOT NULL,
        created_at TEXT NOT NULL, submitted_at TEXT, in_progress_at TEXT, finished_at TEXT,
        fetched_at TEXT, polled_at TEXT, polls INTEGER NOT NULL DEFAULT 0
    );
    ALTER TABLE jobs ADD COLUMN batch_id TEXT REFERENCES batches(id);
    ALTER TABLE jobs ADD COLUMN panel_ids_json TEXT;
    CREATE INDEX jobs_by_batch ON jobs(batch_id);
    """,
    # 9: refine conversations (the Responses API): each turn is a job, with its response id and the previous
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY, panel_id INTEGER REFERENCES panels(id), source_path TEXT,
        mainline TEXT NOT NULL, image_model TEXT NOT NULL, effort TEXT NOT NULL,
        last_response_id TEXT, forked_from TEXT, fork_seq INTEGER, start_path TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id),
        job_id TEXT NOT NULL REFERENCES jobs(id), seq INTEGER NOT NULL, instruction TEXT NOT NULL,
        previous_response_id TEXT, response_id TEXT, image_item_id TEXT, image_path TEXT, text TEXT,
        mainline_usage_json TEXT, mainline_usd TEXT, image_usd TEXT, created_at TEXT NOT NULL
    );
    CREATE INDEX turns_by_conversation ON turns(conversation_id, seq);
    """,
    # 10: a board's cast and style sheet (service/cast.py): entries with reference images copied into the
    # library; whether the board follows it, the user's edit of the woven text, the panel shots chain from;
    # a refine conversation's cast references (sent with its first turn, carried by every later one)
    """
    CREATE TABLE cast_entries (
        id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL REFERENCES boards(id), name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL DEFAULT 1, position INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX cast_entries_by_name ON cast_entries(board_id, name COLLATE NOCASE);
    CREATE TABLE cast_images (
        id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES cast_entries(id), seq INTEGER NOT NULL,
        path TEXT NOT NULL, sha256 TEXT NOT NULL, width INTEGER, height INTEGER, bytes INTEGER NOT NULL,
        source_panel_id INTEGER REFERENCES panels(id), created_at TEXT NOT NULL
    );
    CREATE INDEX cast_images_by_entry ON cast_images(entry_id, seq);
    ALTER TABLE boards ADD COLUMN cast_off INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE boards ADD COLUMN cast_preamble TEXT;
    ALTER TABLE boards ADD COLUMN continue_from INTEGER REFERENCES panels(id);
    ALTER TABLE conversations ADD COLUMN cast_json TEXT;
    """,
]


class SchemaTooNew(RuntimeError):
    pass


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE takes the write lock up front, so read-check-write cannot interleave."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection) -> int:
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise SchemaTooNew(
                f"the library was written by a newer Asset Studio (schema {version}, this one knows "
                f"{len(MIGRATIONS)}); "
                "update the app — nothing was changed"
            )
        for number in range(version, len(MIGRATIONS)):
            for statement in filter(str.strip, MIGRATIONS[number].split(";")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
    return len(MIGRATIONS)


class LibraryUnavailable(StudioError):
    """The data folder or its database cannot be used (read-only, full, a path under a plain file…)."""


class Database:
    """One connection on one worker thread. `await db.run(fn, ...)` calls fn(conn, ...) there."""

    def __init__(self, path: Path):
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asset-studio-db")
        try:
            self._conn: sqlite3.Connection = self._pool.submit(connect, path).result()
        except (OSError, sqlite3.Error) as exc:
            self._pool.shutdown(wait=False)
            cause = getattr(exc, "strerror", None) or str(exc)
            raise LibraryUnavailable(
                f"the data folder {path.parent} cannot be used: {cause}. Free some space, fix its "
                "permissions, or point XDG_DATA_HOME elsewhere"
            ) from None
        self._closed = False

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, self._conn, *args, **kwargs))

    def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._pool.submit(partial(fn, self._conn, *args, **kwargs)).result()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._pool.submit(self._conn.close).result()
        finally:
            self._pool.shutdown(wait=True)
