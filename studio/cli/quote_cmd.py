"""`asset-studio quote`: the price before anything is sent."""

from __future__ import annotations

import argparse

from studio.core.errors import RefusedError
from studio.core.pricing import quote

from .build import checked_request, local_registry
from .output import emit_json, quote_lines, refuse, warn


def run(args: argparse.Namespace) -> int:
    registry, learned = local_registry(learned=True)
    try:
        checked, notices = checked_request(args, registry, prompt_required=False)
        q = quote(checked, registry, batch=args.batch, learned_output=learned)
    except (RefusedError, ValueError) as exc:
        return refuse(str(exc))
    for notice in notices:
        warn(notice)
    if args.json:
        emit_json({**q.to_json(), "warnings": notices})
    else:
        print("\n".join(quote_lines(q)))
    return 0
