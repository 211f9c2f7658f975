"""The model lifecycle from the live API: GET /v1/models read at most daily, cached in the library.

Each model's `shutdown_date` is merged into the registry (a future date warns with the date; from
that day the model is refused before sending). The bundled data is the fallback when the endpoint
cannot be reached. Models the endpoint lists but this version does not know can be used once the
user opts in for that model (validated with the common GPT-image rules, quoted as estimates).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from studio.core.registry import Registry

from .client import make_client
from .db import Database, transaction
from .endpoint import Endpoint
from .failures import explain
from .journal import iso, utc_now

MAX_AGE = dt.timedelta(days=1)


@dataclass(frozen=True)
class ModelList:
    endpoint: str
    read_at: dt.datetime | None  # None: never read
    shutdowns: dict[str, dt.date | None] = field(default_factory=dict)  # every listed id
    error: str | None = None  # why the last read failed (the cache, if any, is still used)
    fresh: bool = False  # read just now

    @property
    def source(self) -> str:
        when = self.read_at.strftime("%Y-%m-%d %H:%M UTC") if self.read_at else "never"
        return f"the endpoint's /v1/models, read {when}"


def _cached(conn: sqlite3.Connection, endpoint: str) -> ModelList:
    read = conn.execute("SELECT read_at FROM endpoint_reads WHERE endpoint = ?", (endpoint,)).fetchone()
    if read is None:
        return ModelList(endpoint, None)
    rows = conn.execute(
        "SELECT model, shutdown_date FROM endpoint_models WHERE endpoint = ?", (endpoint,)
    ).fetchall()
    return ModelList(
        endpoint,
        dt.datetime.fromisoformat(read["read_at"]),
        {r["model"]: _date(r["shutdown_date"]) for r in rows},
    )


def _store(
    conn: sqlite3.Connection, endpoint: str, shutdowns: dict[str, dt.date | None], read_at: dt.datetime
) -> None:
    """Replace the endpoint's list; a model that is no longer listed keeps the shutdown date it had
    (the endpoint drops a model once it is gone: its date must still refuse it)."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM endpoint_models WHERE endpoint = ? "
            "AND (shutdown_date IS NULL OR model IN (SELECT value FROM "
            "json_each(?)))",
            (endpoint, json.dumps(list(shutdowns))),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO endpoint_models (endpoint, model, shutdown_date, read_at) "
            "VALUES (?, ?, ?, ?)",
            [(endpoint, m, d.isoformat() if d else None, iso(read_at)) for m, d in shutdowns.items()],
        )
        conn.execute(
            "INSERT OR REPLACE INTO endpoint_reads (endpoint, read_at) VALUES (?, ?)",
            (endpoint, iso(read_at)),
        )


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None  # a malformed date teaches nothing; the bundled data stays


def _fetch(endpoint: Endpoint) -> dict[str, dt.date | None]:
    client = make_client(endpoint, timeout=30.0, sync=True)
    try:
        listed = {}
        for m in client.models.list():  # a proxy may answer anything: keep what is a model, skip the rest
            model_id = getattr(m, "id", None)
            if isinstance(model_id, str) and model_id and len(model_id) <= 200:
                listed[model_id] = _date(getattr(m, "shutdown_date", None))
        return listed
    finally:
        client.close()


async def model_list(
    db: Database, endpoint: Endpoint, *, refresh: bool = True, force: bool = False
) -> ModelList:
    """The endpoint's model list: from the cache when read within a day, else read now (off the
    calling thread). A failed read keeps the cache and says why."""
    key = "sandbox" if endpoint.is_sandbox else endpoint.public_url  # the embedded sandbox's port changes
    cached = await db.run(_cached, key)
    if not refresh or (not force and cached.read_at is not None and utc_now() - cached.read_at < MAX_AGE):
        return cached
    try:
        shutdowns = await asyncio.to_thread(_fetch, endpoint)
    except Exception as exc:  # noqa: BLE001 - any failure falls back to the cache and the bundled data
        return ModelList(cached.endpoint, cached.read_at, cached.shutdowns, error=explain(exc).message)
    now = utc_now()
    await db.run(_store, key, shutdowns, now)
    kept = await db.run(_cached, key)  # with the dates of models the endpoint no longer lists
    return ModelList(key, now, kept.shutdowns, fresh=True)


def opted_models(conn: sqlite3.Connection) -> list[str]:
    return [r["model"] for r in conn.execute("SELECT model FROM opted_models ORDER BY model")]


def opt_in(conn: sqlite3.Connection, model: str) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO opted_models (model, opted_at) VALUES (?, ?)", (model, iso(utc_now()))
        )


def opt_out(conn: sqlite3.Connection, model: str) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM opted_models WHERE model = ?", (model,))


def unknown_listed(listed: ModelList, base: Registry) -> list[str]:
    """Image models the endpoint lists that this version does not know (candidates to opt in to)."""
    known = set(base.model_ids())
    return sorted(
        m for m in listed.shutdowns if m not in known and m.startswith(("gpt-image", "chatgpt-image"))
    )


def merged(base: Registry, listed: ModelList, opted: list[str]) -> Registry:
    """The registry with the endpoint's shutdown dates merged in and the opted-in unlisted models added
    (only those the endpoint lists, once it has been read)."""
    registry = base
    dates = {m: d for m, d in listed.shutdowns.items() if d is not None}
    if dates:
        registry = registry.with_shutdown_dates(dates, listed.source)
    known = set(base.model_ids())
    extra = [m for m in opted if m not in known and (listed.read_at is None or m in listed.shutdowns)]
    return registry.with_listed_models(extra) if extra else registry


async def refresh_models(service: Any, *, force: bool = False) -> ModelList:
    """Read (or take from the cache) the endpoint's model list and merge it into `service.registry`."""
    listed = await model_list(service.db, service.endpoint, force=force)
    opted = await service.db.run(opted_models)
    service.registry = merged(service.base_registry, listed, opted)
    service.model_list = listed
    return listed
