"""`asset-studio boards` and `asset-studio export BOARD --out DIR [--formats ...]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from studio.core.errors import RefusedError

from .output import emit_json, refuse, warn


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    from studio.service.api import Studio

    studio, _ = await Studio.open_library(reconcile=False)
    try:
        return await (_boards(studio, args) if args.command == "boards" else _export(studio, args))
    except RefusedError as exc:
        return refuse(str(exc))
    finally:
        await studio.close()


async def _boards(studio, args) -> int:
    rows = await studio.boards.all()
    if args.json:
        emit_json(
            {
                "boards": [
                    {
                        "name": r["name"],
                        "panels": r["panels"],
                        "created_at": r["created_at"],
                        "budget_usd": r["budget_usd"],
                    }
                    for r in rows
                ]
            }
        )
        return 0
    if not rows:
        print("no boards yet (generate with --board NAME, or open the app)")
    for r in rows:
        print(
            f"{r['name']}\t{r['panels']} panel{'s' if r['panels'] != 1 else ''}\tcreated "
            f"{r['created_at'][:10]}"
        )
    return 0


async def _export(studio, args) -> int:
    from studio.service.api import FORMATS, ExportOptions

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip()) if args.formats else FORMATS
    options = ExportOptions(
        formats=formats,
        columns=args.columns,
        per_page=args.per_page,
        page_size=args.page_size,
        gif_width=args.gif_width,
        burn_in=not args.no_burn_in,
    )
    options.check()

    def progress(fraction: float, what: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\rexporting… {fraction:4.0%} {what:<20}", end="", file=sys.stderr, flush=True)

    await studio.exports.sweep()  # partial exports a killed export left behind
    result = await studio.exports.export(args.board, Path(args.out), options, progress=progress)
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    for s in result.skipped:
        warn(f"panel {s['number']} ({s['path']}) was skipped: {s['reason']}")
    board = result.board
    assert board is not None
    if args.json:
        emit_json(
            {
                "board": board.name,
                "folder": str(result.folder),
                "files": result.files,
                "panels": len(board.panels) - len(result.skipped),
                "panels_billed_usd": str(board.panels_total_usd),
                "ledger_total_usd": str(board.ledger_total_usd),
                "sandbox": board.sandbox,
                "skipped": result.skipped,
            }
        )
    else:
        print(result.folder)
    return 1 if result.skipped else 0
