"""`asset-studio quote`: the price before anything is sent (of one request, or of a template's set)."""

from __future__ import annotations

import argparse
import asyncio
from decimal import Decimal

from studio.core.errors import RefusedError
from studio.core.pricing import format_usd, quote
from studio.core.set_quote import quote_set
from studio.core.validation import validate

from .build import checked_request, local_registry, template_requests
from .output import emit_json, quote_lines, refuse, warn


def run(args: argparse.Namespace) -> int:
    registry, learned = local_registry(learned=True)
    try:
        requests, notices = template_requests(args, registry, prompt_required=False)
        if len(requests) > 1 or args.rows:
            return _quote_set(args, registry, learned, requests, notices)
        checked, notices = checked_request(args, registry, prompt_required=False)
        q = quote(checked, registry, batch=args.batch, learned_output=learned)
        cast: dict = {}
        if args.board and not args.image:  # a generation on the board: sent with its cast
            sent, more = asyncio.run(_with_cast(args.board, checked.request, registry))
            notices = [*notices, *more]
            if sent is not checked.request:
                alone, q = (
                    q,
                    quote(validate(sent, registry), registry, batch=args.batch, learned_output=learned),
                )
                cast = {
                    "references": [{"entry": r.entry, "sha256": r.sha256} for r in sent.references],
                    "references_usd": {
                        "estimate": str(q.total_usd_estimate - alone.total_usd_estimate),
                        "max": str(q.total_usd_max - alone.total_usd_max),
                    },
                }
    except (RefusedError, ValueError) as exc:
        return refuse(str(exc))
    for notice in notices:
        warn(notice)
    if args.json:
        emit_json({**q.to_json(), **cast, "warnings": notices})
    else:
        print("\n".join(quote_lines(q)))
        if cast:
            names = ", ".join(dict.fromkeys(r["entry"] for r in cast["references"]))
            est, most = (Decimal(cast["references_usd"][k]) for k in ("estimate", "max"))
            print(f"cast references  ~{format_usd(est)}, at most {format_usd(most)} of it ({names})")
    return 0


async def _with_cast(board: str, request, registry):
    from studio.service.api import Studio

    studio, _ = await Studio.open_library()
    try:
        board_id = await studio.boards.id_of(board)
        sent, notes, _ = await studio.cast.prepare(board_id, request, registry)
        return sent, notes
    finally:
        await studio.close()


def _quote_set(args, registry, learned, requests, notices) -> int:
    checked = [validate(r, registry, prompt_required=False) for r in requests]
    both = quote_set(checked, registry, learned_output=learned)
    if args.batch and both.batch_max is None:
        return refuse(both.batch_refusal or "these requests cannot go as a batch")
    for notice in notices:
        warn(notice)
    if args.json:
        emit_json({**both.to_json(batch=args.batch), "prompts": [r.prompt for r in requests][:50]})
        return 0
    print(f"requests         {both.requests:,} (from the template)")
    for r in requests[:5]:
        print(f"  {r.prompt}")
    if len(requests) > 5:
        print(f"  … and {len(requests) - 5:,} more")
    print(f"sent now         ~{format_usd(both.now_estimate)}, at most {format_usd(both.now_max)}")
    if both.batch_max is not None and both.batch_estimate is not None:
        print(f"as a batch       ~{format_usd(both.batch_estimate)}, at most {format_usd(both.batch_max)}")
    else:
        print(f"as a batch       refused: {both.batch_refusal}")
    for note in both.notes:
        print(f"note             {note}")
    return 0
