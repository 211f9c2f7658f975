"""`asset-studio quote`: the price before anything is sent."""

from __future__ import annotations

import argparse

from studio.core.errors import RefusedError
from studio.core.pricing import quote

from .build import checked_request, local_registry
from .output import emit_json, quote_lines, refuse, warn


def _learned() -> dict:
    """What the user's own real bills taught (estimates for models without a published formula)."""
    from studio.service.calibration import learned_output
    from studio.service.db import Database
    from studio.service.paths import database_path

    db = Database(database_path())
    try:
        return db.run_sync(learned_output, sandbox=False)
    finally:
        db.close()


def run(args: argparse.Namespace) -> int:
    registry = local_registry()
    try:
        checked, notices = checked_request(args, registry, prompt_required=False)
        q = quote(checked, registry, batch=args.batch, learned_output=_learned())
    except (RefusedError, ValueError) as exc:
        return refuse(str(exc))
    for notice in notices:
        warn(notice)
    if args.json:
        emit_json({**q.to_json(), "warnings": notices})
    else:
        print("\n".join(quote_lines(q)))
    return 0
