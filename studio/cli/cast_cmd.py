"""`asset-studio cast`: a board's cast and style sheet (reference images every new panel follows), and the
cast applied to `generate` / `batch submit` on a board (`--no-cast` to send without it)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from studio.core.errors import RefusedError

from .output import emit_json, refuse, warn


def _crop(text: str | None) -> tuple[int, int, int, int] | None:
    if text is None:
        return None
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise RefusedError(f"--crop {text!r}: give X,Y,W,H in pixels, e.g. 100,80,400,300") from None
    return x, y, w, h


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except RefusedError as exc:
        return refuse(str(exc))


async def _panel_id(studio: Any, board: int, name: str, number: int) -> int:
    panels = await studio.boards.panels(board)
    if not 1 <= number <= len(panels):
        raise RefusedError(f"panel {number}: the board '{name}' has {len(panels)} panels")
    return panels[number - 1]["id"]


async def _run(args: argparse.Namespace) -> int:
    from studio.core.registry import load_registry
    from studio.service.api import Studio

    studio, _ = await Studio.open_library()
    try:
        action = args.cast_command
        board = await studio.boards.id_of(args.board, create=action == "add")
        if action == "add":
            if args.crop and not args.from_panel:
                raise RefusedError("--crop goes with --from-panel (a crop of a panel's picture)")
            ids = [await _panel_id(studio, board, args.board, n) for n in args.from_panel]
            await studio.cast.add(
                board,
                args.name,
                files=args.image,
                panel_ids=ids,
                crop=_crop(args.crop),
                description=args.description,
            )
            [entry] = [e for e in await studio.cast.entries(board) if e["name"].lower() == args.name.lower()]
            print(f"{entry['name']}: {len(entry['images'])} reference image(s) on '{args.board}'")
        elif action in ("enable", "disable"):
            await studio.cast.enable(board, args.name, action == "enable")
        elif action == "remove":
            await studio.cast.remove(board, args.name)
        elif action == "woven":
            return await _woven(args, studio, board, load_registry())
        elif action == "continue":
            panel = None if args.panel == "off" else await _panel_id(studio, board, args.board, _number(args))
            await studio.cast.set_options(board, continue_from=panel)
        else:
            return await _list(args, studio, board, load_registry())
    finally:
        await studio.close()
    return 0


def _number(args: argparse.Namespace) -> int:
    try:
        return int(args.panel)
    except ValueError:
        raise RefusedError(f"{args.panel!r}: give the panel's number (1 = first) or off") from None


async def _list(args: argparse.Namespace, studio: Any, board: int, registry: Any) -> int:
    entries = await studio.cast.entries(board)
    options = await studio.cast.options(board)
    sheet = await studio.cast.sheet(board, follow=True)
    spec = registry.get(registry.default_model)
    chosen, left_out = sheet.chosen(spec)
    panels = {p["id"]: n for n, p in enumerate(await studio.boards.panels(board), 1)}
    data = {
        "board": args.board,
        "follow": options["follow"],
        "continue_from_panel": panels.get(options["continue_from"]),
        "woven_text": sheet.preamble(spec),
        "woven_text_edited": options["preamble"] is not None,
        "sent_images": len(chosen),
        "left_out": left_out,
        "woven_text_stale": sheet.stale(spec),
        "entries": [
            {
                "name": e["name"],
                "description": e["description"],
                "enabled": e["enabled"],
                "images": [
                    {
                        "path": i["path"],
                        "sha256": i["sha256"],
                        "width": i["width"],
                        "height": i["height"],
                        "bytes": i["bytes"],
                        "from_panel": panels.get(i["source_panel_id"]),
                    }
                    for i in e["images"]
                ],
            }
            for e in entries
        ],
    }
    if args.json:
        emit_json(data)
        return 0
    if not entries:
        print(f"'{args.board}' has no cast yet: asset-studio cast add '{args.board}' NAME --image FILE")
        return 0
    for e in entries:
        mark = "on " if e["enabled"] else "off"
        print(
            f"[{mark}] {e['name']}: {len(e['images'])} image(s)"
            + (f" — {e['description']}" * bool(e["description"]))
        )
    if not options["follow"]:
        print("(the board does not follow its cast: new panels are sent without it)")
    print("\nwoven into each prompt:\n" + (data["woven_text"] or "(nothing: no entry is on)"))
    for note in left_out + data["woven_text_stale"]:
        warn(note)
    return 0


async def _woven(args: argparse.Namespace, studio: Any, board: int, registry: Any) -> int:
    from studio.core.continuity import Sheet

    if args.reset and args.text is not None:
        raise RefusedError("give TEXT or --reset, not both")
    spec = registry.get(registry.default_model)
    if args.reset or args.text is not None:
        text = None if args.reset else args.text.replace("\r\n", "\n")
        generated = Sheet((await studio.cast.sheet(board, follow=True)).images).preamble(spec)
        if text is not None and text.strip() == generated.strip():
            text = None  # the entries' own text: it follows them again
        await studio.cast.set_options(board, preamble=text)
    sheet = await studio.cast.sheet(board, follow=True)
    if not sheet.active:
        print(f"(nothing is woven: '{args.board}' has no cast entry on)")
        return 0
    print(sheet.preamble(spec) or "(nothing: your text is empty, so only the images go)")
    for note in sheet.stale(spec):
        warn(note)
    return 0


async def apply_cast(studio: Any, args: argparse.Namespace, requests: list[Any]) -> tuple[list[Any], Any]:
    """The requests as the board's cast sends them (`--board` without `--no-cast`), and the sheet."""
    if not getattr(args, "board", None) or getattr(args, "no_cast", False):
        return requests, None
    assert studio.images is not None
    board = await studio.boards.id_of(args.board)
    out, sheet = [], None
    for request in requests:
        sent, notes, sheet = await studio.cast.prepare(board, request, studio.images.registry)
        out.append(sent)
        if len(out) == 1:
            for note in notes:
                warn(note)
    if sheet is not None and sheet.active and not getattr(args, "json", False):
        names = ", ".join(dict.fromkeys(r.entry for r in getattr(out[0], "references", ())))
        print(
            f"cast: {names} ({len(out[0].images)} reference images); --no-cast to send without",
            file=sys.stderr,
        )
    return out, sheet
