"""`asset-studio refine`: one turn of a refine conversation through the Responses API (a mainline model
calling the image tool): a board's panel gets its next version, or a file (or a prompt alone) a new
image. The conversation continues with previous_response_id from turn to turn, across runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from studio.core.errors import RefusedError

from .output import emit_json, refuse, warn


def run(args: argparse.Namespace) -> int:
    from studio.core.mainline import load_mainline
    from studio.service.keys import take_env_key

    from .build import budget_cap, open_endpoint

    env_key = take_env_key()
    try:
        spec = load_mainline().get(args.model)
        effort = args.reasoning or spec.default_effort
        if (args.board is None) != (args.panel is None):
            raise RefusedError("--board and --panel go together (or give --image FILE, or neither)")
        if args.image and args.board:
            raise RefusedError("give --board/--panel or --image, not both")
        cap = budget_cap(args.budget)
        endpoint, sandbox = open_endpoint(env_key)
    except RefusedError as exc:
        return refuse(str(exc))
    try:
        return asyncio.run(_run(args, endpoint, effort, cap))
    finally:
        if sandbox is not None:
            sandbox.stop()


async def _run(args: argparse.Namespace, endpoint: Any, effort: str, cap: Any) -> int:
    from studio.core.pricing import format_usd
    from studio.core.responses_body import TurnSettings
    from studio.service.api import OverBudget, Studio
    from studio.service.storage import save_with_fallback

    studio = await Studio.open(endpoint)
    try:
        panel_id, sheet = None, None
        if args.board is not None:
            board = await studio.boards.id_of(args.board, create=False)
            panels = await studio.boards.panels(board)
            if not 1 <= args.panel <= len(panels):
                return refuse(f"--panel {args.panel}: the board '{args.board}' has {len(panels)} panels")
            panel_id = panels[args.panel - 1]["id"]
            if not args.no_cast:  # a first turn sends the board's cast after the panel's picture
                sheet = await studio.cast.sheet(board)
        settings = TurnSettings(
            args.model, args.image_model, effort, args.max_output_tokens, max(0, min(3, args.partial_images))
        )
        params = {
            "size": args.size,
            "quality": args.quality,
            "output_format": args.output_format,
            "background": args.background,
            "moderation": args.moderation,
        }
        try:
            o = await studio.refine(
                args.prompt,
                settings,
                params,
                panel_id=panel_id,
                source=Path(args.image) if args.image else None,
                sheet=sheet,
                call_cap=cap,
                on_stage=None if args.json else lambda stage: warn(stage),
            )
        except (OverBudget, RefusedError) as exc:
            return refuse(str(exc))
    finally:
        await studio.close()
    files = list(o.files)
    if args.out and o.files:
        copies, problem = save_with_fallback(
            Path(args.out), args.prompt, args.output_format, [Path(o.files[0]).read_bytes()]
        )
        files = [str(p) for p in copies]
        if problem:
            warn(problem)
    if args.json:
        emit_json(
            {
                "response_id": o.response_id,
                "conversation_id": o.conversation_id,
                "state": o.state.value,
                "files": files,
                "usage": o.usage,
                "tool_usage": o.tool_usage,
                "billed_usd": None if o.billed_usd is None else str(o.billed_usd),
                "bill": {"mainline_usd": str(o.mainline_usd), "image_usd": str(o.image_usd)},
                "quote": o.quote.to_json(),
                "text": o.text,
                "message": o.message,
            }
        )
    else:
        for note in o.quote.cast_notes:
            warn(note)
        for f in files:
            print(f)
        if o.billed_usd is not None:
            print(
                f"billed {format_usd(o.billed_usd)} = mainline {format_usd(o.mainline_usd)} + image "
                f"{format_usd(o.image_usd)} (quoted at most {format_usd(o.quote.total_usd_max)})",
                file=sys.stderr,
            )
        if o.text:
            warn(f"the model said: {o.text}")
        if o.message:
            warn(o.message)
    return 0 if o.state.value == "saved" and o.files else 1
