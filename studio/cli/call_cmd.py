"""`asset-studio generate` and `asset-studio edit`: journaled, budgeted, paced calls through the service."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from studio.core.errors import RefusedError
from studio.core.pricing import format_usd

from .build import budget_cap, checked_request, local_registry, open_endpoint, source_image, template_requests
from .output import emit_json, refuse, warn


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise RefusedError(f"--out {out}: is a file, not a folder")
    probe = out
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise RefusedError(f"--out {out}: the folder is not writable")


def run(args: argparse.Namespace) -> int:
    from studio.service.keys import take_env_key

    env_key = take_env_key()  # children never inherit it
    registry, _ = local_registry()
    out = Path(args.out) if args.out else None
    try:
        requests, notices = template_requests(args, registry) if args.command == "generate" else ([], [])
        call_cap = budget_cap(args.budget)
        if out is not None:
            _check_out_dir(out)
        if len(requests) > 1 or getattr(args, "rows", None):
            return _variants(args, env_key, requests, notices, call_cap, out)
        checked, notices = checked_request(args, registry)
        source = source_image(args) if args.command == "edit" else None
        if source is not None and not 0 <= args.feather <= 256:
            raise RefusedError(f"--feather {args.feather}: must be 0 to 256 pixels")
    except RefusedError as exc:
        return refuse(str(exc))
    for notice in notices:
        warn(notice)

    try:
        endpoint, sandbox = open_endpoint(env_key)
    except RefusedError as exc:  # before anything is journaled or reserved
        return refuse(str(exc))
    try:
        return asyncio.run(_run(args, endpoint, checked, call_cap, out, notices, source))
    finally:
        if sandbox is not None:
            sandbox.stop()


def _variants(
    args: argparse.Namespace, env_key: Any, requests: list[Any], notices: list[str], call_cap: Any, out: Any
) -> int:
    """A template's variants, sent now (its refusals, checked by `run`, are behind it)."""
    from .variants_cmd import run_variants

    for notice in notices:
        warn(notice)
    endpoint, sandbox = open_endpoint(env_key)
    try:
        return asyncio.run(run_variants(args, endpoint, requests, call_cap, out))
    finally:
        if sandbox is not None:
            sandbox.stop()


async def _run(args, endpoint, checked, call_cap, out: Path | None, notices: list[str], source=None) -> int:
    from studio.service.api import JobState, OverBudget, Studio
    from studio.service.events import PartialImage, RateLimited
    from studio.service.images_api import sum_usage
    from studio.service.storage import save_with_fallback

    studio = await Studio.open(endpoint)
    assert studio.images is not None
    service = studio.images
    listed = await studio.models.refresh()  # the endpoint's shutdown dates (read at most daily; cached)
    if listed.error and not args.json:
        warn(
            f"could not read the endpoint's model list ({listed.error}); using this version's lifecycle data"
        )
    listener = service.events.listener()

    async def report_progress() -> None:
        while True:
            event = await listener.queue.get()
            if isinstance(event, RateLimited):
                warn(event.message)
            elif isinstance(event, PartialImage) and not args.json:
                warn(f"image {event.index + 1}: partial {event.step + 1}/{checked.request.partial_images}")

    progress = asyncio.create_task(report_progress())
    sheet = None
    try:
        if args.command == "generate":  # on a board with a cast: a references call
            from studio.core.validation import validate

            from .cast_cmd import apply_cast

            try:
                [sent], sheet = await apply_cast(studio, args, [checked.request])
                checked = validate(sent, service.registry)
            except RefusedError as exc:
                return refuse(str(exc))
        _, q = service.check(checked.request)
        if not args.json:
            print(
                f"quote: ~{format_usd(q.total_usd_estimate)}, at most {format_usd(q.total_usd_max)}",
                file=sys.stderr,
            )
        edited = None
        try:
            if source is not None and checked.request.mask is not None:
                edited = await studio.edit(
                    checked.request,
                    source=source,
                    mask_file=checked.request.mask,
                    board=args.board,
                    call_cap=call_cap,
                    guard=not args.no_guard,
                    feather_px=args.feather,
                )
                outcome = edited.group
            else:
                outcome = await service.submit(checked.request, board=args.board, call_cap=call_cap)
        except (OverBudget, RefusedError) as exc:
            return refuse(str(exc))
        hints, summary = [], ""
        if sheet is not None and sheet.active:
            board_id = await studio.boards.id_of(args.board)
            check = await studio.cast.after(board_id, sheet, checked.request, outcome)
            hints, summary = check.lines(), check.summary()
    finally:
        progress.cancel()
        listener.close()
        await studio.close()

    received = [data for job in outcome.jobs for data in job.received]
    out_format = outcome.jobs[0].output_format if outcome.jobs else "png"
    if edited is not None and edited.images and not args.no_guard:  # the guarded composites (lossless PNG)
        received, out_format = [Path(i.path).read_bytes() for i in edited.images], "png"
    files: list[Path] = []
    problem = None
    if received and out is not None:
        files, problem = save_with_fallback(out, checked.request.prompt, out_format, received)
        if problem:
            warn(f"{problem}; copies were saved to {files[0].parent} instead")
    usage = None
    for job in outcome.jobs:
        usage = sum_usage(usage, job.usage)
    failed = [j for j in outcome.jobs if j.state is not JobState.SAVED]
    for job in failed:
        if job.failure is not None:
            rid = f" (request id {job.failure.request_id})" if job.failure.request_id else ""
            warn(f"{job.failure.message}{rid}")
        if job.state is JobState.UNKNOWN:
            warn(
                f"job {job.job_id[:8]}: outcome unknown, it may have been billed; it will not be re-sent "
                "(see `asset-studio jobs`)"
            )
        elif job.notice:
            warn(job.notice)
    for job in outcome.jobs:
        if job.state is JobState.SAVED and job.notice:
            warn(job.notice)
    report: dict[str, Any] = {
        "request_id": next((j.request_id for j in outcome.jobs if j.request_id), None),
        "request_ids": [j.request_id for j in outcome.jobs],
        "job_ids": [j.job_id for j in outcome.jobs],
        "states": [j.state.value for j in outcome.jobs],
        "files": [str(p) for p in files],
        "library_files": [i.path for j in outcome.jobs for i in j.images],
        "usage": usage,
        "billed_usd": str(outcome.billed_usd)
        if any(j.billed_usd is not None for j in outcome.jobs)
        else None,
        "quote": outcome.quote.to_json(),
        "model": checked.request.model,
        "output_format": outcome.jobs[0].output_format,
        "board": args.board,
        "sandbox": endpoint.is_sandbox,
        "warnings": notices,
        "references": [
            {"entry": r.entry, "sha256": r.sha256} for r in getattr(checked.request, "references", ())
        ],
        "continuity": hints,
        "errors": [j.failure.to_json() for j in failed if j.failure],
    }
    if edited is not None:
        drifts = [i.drift for i in edited.images if i.drift is not None]
        report["drift_outside_mask"] = max((d.share for d in drifts), default=None)  # before the guard
        report["drift"] = [d.to_json() for d in drifts]
        report["guarded"] = not args.no_guard
        report["heatmaps"] = [i.heatmap_path for i in edited.images]
        for d in drifts:
            if not args.json:
                warn(
                    f"drift outside the mask: {d.describe()}"
                    + ("; the source was kept there" if not args.no_guard else "")
                )
    if args.json:
        emit_json(report)
    else:
        if summary:
            warn(f"continuity hint (colour and layout, not identity): {summary}")
        for p in (
            files
            or [Path(i.path) for i in (edited.images if edited is not None and not args.no_guard else [])]
            or [Path(i.path) for j in outcome.jobs for i in j.images]
        ):
            print(p)
        if outcome.jobs and any(j.billed_usd is not None for j in outcome.jobs):
            print(
                f"billed {format_usd(outcome.billed_usd)} (quoted at most "
                f"{format_usd(outcome.quote.total_usd_max)}); "
                f"request id {report['request_id']}",
                file=sys.stderr,
            )
    return 1 if failed or problem else 0
