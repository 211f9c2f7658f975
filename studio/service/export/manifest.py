"""manifest.json and manifest.csv: the board as data, one entry per panel in order."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from studio import __version__
from studio.core.redact import redact

from .board import ExportBoard

CSV_COLUMNS = [
    "number",
    "file",
    "sha256",
    "caption",
    "starred",
    "shot",
    "duration_s",
    "notes",
    "prompt",
    "model",
    "size",
    "quality",
    "request_id",
    "billed_usd",
    "sandbox",
    "versions",
    "references",
]


def references_of(params: dict[str, Any]) -> list[dict[str, str]]:
    """The cast references a panel was made with, in the order they were sent (entry name and the image's
    sha256: the library's own paths stay out of a file that is handed on)."""
    return [
        {"entry": r.get("entry", ""), "sha256": r.get("sha256", "")} for r in params.get("references") or []
    ]


def manifest(
    board: ExportBoard,
    files: dict[int, tuple[str, str]],
    exported_at: str,
    skipped: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`files` maps panel number -> (file name, sha256) of the exported PNGs (when png was exported);
    `skipped`: the panels left out because their image could not be read, with the reason."""
    panels = []
    for p in board.panels:
        name, digest = files.get(p.number, (None, None))
        refs = references_of(p.params)
        params = {k: v for k, v in p.params.items() if k != "references"}
        panels.append(
            {
                "number": p.number,
                "file": name,
                "sha256": digest,
                "caption": p.caption,
                "starred": p.starred,
                "shot": p.shot,
                "duration_s": p.duration,
                "notes": p.notes,
                "prompt": p.prompt,
                "params": params,
                "references": refs,
                "model": p.model,
                "request_id": p.request_id,
                "usage": p.usage,
                "billed_usd": str(p.billed_usd),
                "sandbox": p.sandbox,
                "edit_history": p.versions,
            }
        )
    return {
        "board": board.name,
        "board_created_at": board.created_at,
        "exported_at": exported_at,
        "app": f"Asset Studio {__version__}",
        "panel_count": len(board.panels),
        "total_duration_s": sum(p.duration for p in board.panels),
        "panels_billed_usd": str(board.panels_total_usd),
        "ledger_total_usd": str(board.ledger_total_usd),
        "sandbox": board.sandbox,
        "note": "billed_usd per panel is its share of its generation call plus its edits, from the API's "
        "usage; "
        "references are the board's cast images each panel was sent with (entry, sha256); "
        "ledger_total_usd is every real call on this board (sandbox calls never count)",
        "panels": panels,
        "skipped_panels": skipped or [],
    }


def manifest_json(data: dict[str, Any]) -> bytes:
    return redact(json.dumps(data, indent=2, ensure_ascii=False)).encode("utf-8") + b"\n"


def manifest_csv(data: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for p in data["panels"]:
        params = p.get("params") or {}
        writer.writerow(
            {
                "number": p["number"],
                "file": p["file"] or "",
                "sha256": p["sha256"] or "",
                "caption": p["caption"],
                "starred": p["starred"],
                "shot": p["shot"],
                "duration_s": p["duration_s"],
                "notes": p["notes"],
                "prompt": p["prompt"],
                "model": p["model"],
                "size": params.get("size", ""),
                "quality": params.get("quality", ""),
                "request_id": p["request_id"] or "",
                "billed_usd": p["billed_usd"],
                "sandbox": p["sandbox"],
                "versions": len(p["edit_history"]) or 1,
                "references": "; ".join(r["entry"] for r in p.get("references") or []),
            }
        )
    return redact(buf.getvalue()).encode("utf-8")
