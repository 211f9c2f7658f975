"""A board as an export sees it: its visible panels in order, each with its current version, its
storyboard fields, the request behind it, and what it cost (from the ledger's bills, never re-priced)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from studio.core.errors import RefusedError
from studio.core.text import clean_text

from .. import library, versions
from ..ledger import committed

SHARE_QUANTUM = Decimal(1).scaleb(-8)  # cost shares are kept to 1e-8 USD


def _references(job: Any) -> list[dict[str, str]]:
    """The cast references an edit or refine turn was sent with (entry, sha256)."""
    if job is None or not job["request_json"]:
        return []
    refs = json.loads(job["request_json"]).get("references") or []
    return [{"entry": r.get("entry", ""), "sha256": r.get("sha256", "")} for r in refs]


@dataclass(frozen=True)
class ExportPanel:
    number: int
    panel_id: int
    path: str
    caption: str
    shot: str
    duration: float
    notes: str
    prompt: str
    params: dict[str, Any]
    model: str
    request_id: str | None
    usage: dict[str, Any] | None
    billed_usd: Decimal  # this panel's share of its generation + the bills of its edits
    sandbox: bool
    versions: list[dict[str, Any]] = field(default_factory=list)  # edit history, oldest first
    starred: bool = False


@dataclass(frozen=True)
class ExportBoard:
    name: str
    created_at: str
    panels: tuple[ExportPanel, ...]
    ledger_total_usd: Decimal  # what the ledger counts for this board (real spend; sandbox never counts)
    sandbox: bool  # every panel came from the offline sandbox

    @property
    def panels_total_usd(self) -> Decimal:
        return sum((p.billed_usd for p in self.panels), Decimal(0))


def _shares(job: sqlite3.Row) -> dict[int, Decimal]:
    """Split a job's bill over its n images exactly: equal shares rounded down, the remainder to the first."""
    billed = committed(job)
    n = max(1, int(job["n"]))
    share = (billed / n).quantize(SHARE_QUANTUM, rounding=ROUND_DOWN)
    first = job["first_index"]
    out = {first + i: share for i in range(n)}
    out[first] += billed - share * n
    return out


def load_board(conn: sqlite3.Connection, name: str) -> ExportBoard:
    board = conn.execute("SELECT * FROM boards WHERE name = ?", (" ".join(name.split()),)).fetchone()
    if board is None:
        known = ", ".join(repr(b["name"]) for b in library.boards(conn)) or "none yet"
        raise RefusedError(f"board {name!r} does not exist (boards: {known})")
    rows = library.panels(conn, board["id"])
    jobs: dict[str, sqlite3.Row] = {}

    def job(job_id: str | None) -> sqlite3.Row | None:
        if job_id and job_id not in jobs:
            jobs[job_id] = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return jobs.get(job_id) if job_id else None

    panels: list[ExportPanel] = []
    billed_images: set[int] = set()
    for row in rows:
        if not row.get("path"):
            continue
        gen = job(row["job_id"])
        image = conn.execute("SELECT idx FROM images WHERE id = ?", (row["image_id"],)).fetchone()
        cost = _shares(gen).get(image["idx"] if image else 0, Decimal(0)) if gen else Decimal(0)
        if row["image_id"] in billed_images:  # a duplicate panel: its image was billed to the first
            cost = Decimal(0)
        billed_images.add(row["image_id"])
        history = []
        for v in versions.history(conn, row["id"]) if row.get("versions") else []:
            ej = job(v["job_id"]) if v["kind"] != "original" else None
            if ej is not None and v["kind"] == "edit":
                cost += committed(ej)
            history.append(
                {
                    "version": v["seq"],
                    "kind": v["kind"],
                    "current": bool(v.get("current")),
                    "prompt": v.get("prompt") or "",
                    "created_at": v.get("created_at"),
                    "guarded": bool(v.get("guarded")),
                    "drift_outside_mask": json.loads(v["drift_json"]) if v.get("drift_json") else None,
                    "request_id": ej["request_id"] if ej is not None else None,
                    "billed_usd": str(ej["billed_usd"])
                    if ej is not None and ej["billed_usd"] is not None
                    else None,
                    "references": _references(ej),
                }
            )
        params = json.loads(gen["request_json"]) if gen else {}
        panels.append(
            ExportPanel(
                number=len(panels) + 1,
                panel_id=row["id"],
                path=row["path"],
                caption=clean_text(row.get("caption") or ""),
                shot=clean_text(row.get("shot") or ""),
                duration=float(row.get("duration") or 2.0),
                notes=row.get("notes") or "",
                prompt=gen["prompt"] if gen else "",
                params=params,
                model=gen["model"] if gen else "",
                request_id=gen["request_id"] if gen else None,
                usage=json.loads(gen["usage_json"]) if gen and gen["usage_json"] else None,
                billed_usd=cost,
                sandbox=bool(gen["sandbox"]) if gen else False,
                versions=history,
                starred=bool(row.get("starred")),
            )
        )
    ledger_total = sum(
        (
            committed(r)
            for r in conn.execute(
                "SELECT billed_usd, state, quote_max_usd FROM jobs WHERE board_id = ? AND sandbox = 0",
                (board["id"],),
            )
        ),
        Decimal(0),
    )
    return ExportBoard(
        clean_text(board["name"]) or "Untitled board",
        board["created_at"],
        tuple(panels),
        ledger_total,
        sandbox=bool(panels) and all(p.sandbox for p in panels),
    )
