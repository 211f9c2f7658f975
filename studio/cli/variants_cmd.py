"""`asset-studio generate` with a prompt template: every variant sent now through the Images API route,
paced as any generation, in the template's order."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core.pricing import format_usd

from .output import emit_json, refuse, warn


async def run_variants(
    args: argparse.Namespace, endpoint: Any, requests: list[Any], call_cap: Any, out: Path | None
) -> int:
    from studio.core.errors import RefusedError
    from studio.core.placement import Placement
    from studio.service.api import JobState, OverBudget, Studio
    from studio.service.storage import save_with_fallback

    from .cast_cmd import apply_cast

    studio = await Studio.open(endpoint)
    try:
        try:
            requests, _ = await apply_cast(studio, args, requests)
        except RefusedError as exc:
            return refuse(str(exc))
        both = studio.batches.quote_both(requests)
        if not args.json:
            batch = ""
            if both.batch_max is not None and both.batch_estimate is not None:
                batch = (
                    f"; as a batch ~{format_usd(both.batch_estimate)}, at most "
                    f"{format_usd(both.batch_max)} (asset-studio batch submit)"
                )
            print(
                f"{len(requests)} variants: ~{format_usd(both.now_estimate)}, at most "
                f"{format_usd(both.now_max)}{batch}",
                file=sys.stderr,
            )
        placement = Placement.end(args.board) if args.board else Placement.library()
        try:
            outcomes = await studio.batches.send_now(requests, placement, call_cap=call_cap)
        except (OverBudget, RefusedError) as exc:
            return refuse(str(exc))
    finally:
        await studio.close()
    jobs = [job for o in outcomes for job in o.jobs]
    files: list[Path] = []
    if out is not None:
        for request, outcome in zip(requests, outcomes):
            received = [d for job in outcome.jobs for d in job.received]
            if received:
                saved, problem = save_with_fallback(
                    out, request.prompt, outcome.jobs[0].output_format, received
                )
                files += saved
                if problem:
                    warn(problem)
    failed = [j for j in jobs if j.state is not JobState.SAVED]
    for job in failed:
        if job.failure is not None:
            warn(job.failure.message)
    billed = sum((o.billed_usd for o in outcomes), Decimal(0))
    if args.json:
        emit_json(
            {
                "variants": len(requests),
                "prompts": [r.prompt for r in requests],
                "job_ids": [j.job_id for j in jobs],
                "states": [j.state.value for j in jobs],
                "files": [str(p) for p in files],
                "library_files": [i.path for j in jobs for i in j.images],
                "billed_usd": str(billed),
                "quote": both.to_json(batch=False),
                "sandbox": endpoint.is_sandbox,
                "errors": [j.failure.to_json() for j in failed if j.failure],
            }
        )
    else:
        for p in files or [Path(i.path) for j in jobs for i in j.images]:
            print(p)
        print(f"billed {format_usd(billed)} for {len(requests)} variants", file=sys.stderr)
    return 1 if failed else 0
