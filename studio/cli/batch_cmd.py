"""`asset-studio batch submit|list|status|fetch|cancel`: sets through OpenAI's Batch API at half price.

Exit 2 for refusals before anything is uploaded (a template error, a cap, a model known not to support
the Batch API); 1 when a batch or some of its requests failed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from decimal import Decimal
from typing import Any

from studio.core.errors import RefusedError
from studio.core.pricing import format_usd

from .build import budget_cap, local_registry, open_endpoint, template_requests
from .output import emit_json, refuse, warn


def run(args: argparse.Namespace) -> int:
    from studio.service.keys import take_env_key

    env_key = take_env_key()  # children never inherit it
    requests: list[Any] = []
    budget = None
    if args.batch_command == "submit":
        registry, _ = local_registry()
        try:
            requests, notices = template_requests(args, registry)
            budget = budget_cap(args.budget)
        except RefusedError as exc:
            return refuse(str(exc))
        for notice in notices:
            warn(notice)
    try:
        endpoint, sandbox = open_endpoint(env_key)
    except RefusedError as exc:
        return refuse(str(exc))
    if sandbox is not None and args.batch_command == "submit" and not args.wait:
        warn("the offline sandbox lives only while this command runs: waiting for the batch and fetching it")
        args.wait = True
    try:
        return asyncio.run(_run(args, endpoint, requests, budget))
    finally:
        if sandbox is not None:
            sandbox.stop()


async def _run(args: argparse.Namespace, endpoint: Any, requests: list[Any], budget: Any) -> int:
    from studio.service.api import OverBudget, Studio

    studio = await Studio.open(endpoint)
    try:
        if args.batch_command == "submit":
            try:
                return await _submit(args, studio, requests, budget)
            except (OverBudget, RefusedError) as exc:
                return refuse(str(exc))
        if args.batch_command == "list":
            return _print_list(args, await studio.batches.listing())
        if args.batch_command == "status":
            return _print_status(args, await studio.batches.status(args.id))
        if args.batch_command == "cancel":
            row = await studio.batches.cancel(args.id)
            print(f"batch {row['id'][:8]} ({row['remote_id'] or 'not sent'}): {row['status']}")
            return 0
        return await _fetch(args, studio)
    except RefusedError as exc:
        return refuse(str(exc))
    finally:
        await studio.close()


async def _submit(args: argparse.Namespace, studio: Any, requests: list[Any], budget: Any) -> int:
    from studio.core.placement import Placement

    from .cast_cmd import apply_cast

    requests, _ = await apply_cast(studio, args, requests)  # RefusedError: exit 2, nothing sent
    both = studio.batches.quote_both(requests)
    if both.batch_max is None:
        raise RefusedError(both.batch_refusal or "these requests cannot go as a batch")
    if not args.json:
        print(
            f"{len(requests)} requests: as a batch ~{format_usd(both.batch_estimate)}, at most "
            f"{format_usd(both.batch_max)} (sent now: ~{format_usd(both.now_estimate)}, at most "
            f"{format_usd(both.now_max)})",
            file=sys.stderr,
        )
        for note in both.notes:
            warn(note)
    placement = Placement.end(args.board) if args.board else Placement.library()
    sent = await studio.batches.submit(requests, placement, budget=budget)
    report: dict[str, Any] = {
        "batches": [{"id": s.batch_id, "openai_id": s.remote_id, "requests": s.requests} for s in sent],
        "requests": sum(s.requests for s in sent),
        "quote": both.to_json(batch=True),
    }
    failed = [s for s in sent if s.remote_id is None]
    for s in failed:
        warn(f"batch {s.batch_id[:8]}: {s.message}")
    if not args.json:
        for s in sent:
            print(f"batch {s.batch_id[:8]}  {s.remote_id or '(not created)'}  {s.requests} requests")
    if args.wait and not failed:
        fetched = [await studio.batches.fetch(s.batch_id, wait=True) for s in sent]
        report["fetched"] = [_fetched_json(row, got) for row, got in fetched]
        if not args.json:
            for row, got in fetched:
                _print_fetched(row, got)
        failed_lines = sum(len(got.failed) for _, got in fetched if got is not None)
        if args.json:
            emit_json(report)
        return 1 if failed_lines else 0
    if args.json:
        emit_json(report)
    return 1 if failed else 0


async def _fetch(args: argparse.Namespace, studio: Any) -> int:
    if args.id:
        results = [await studio.batches.fetch(args.id, wait=args.wait)]
    else:
        results = await studio.batches.fetch_all()
    images = sum(got.images for _, got in results if got is not None)
    billed = sum((got.billed_usd for _, got in results if got is not None), Decimal(0))
    failed = [f for _, got in results if got is not None for f in got.failed]
    if args.json:
        emit_json(
            {
                "images": images,
                "files": [p for _, got in results if got is not None for p in got.files],
                "billed_usd": str(billed),
                "failed": failed,
                "batches": [_fetched_json(row, got) for row, got in results],
            }
        )
    else:
        if not results:
            print("no open batches", file=sys.stderr)
        for row, got in results:
            _print_fetched(row, got)
    return 1 if failed else 0


def _fetched_json(row: dict[str, Any], got: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "openai_id": row["remote_id"],
        "status": row["status"],
        "fetched": got is not None,
        "message": row["message"],
        **(got.to_json() if got is not None else {}),
    }


def _print_fetched(row: dict[str, Any], got: Any) -> None:
    name = f"batch {row['id'][:8]}"
    if got is None:
        print(f"{name}: {row['status']} ({row['completed']}/{row['requests']} done); not ended yet")
        return
    for path in got.files:
        print(path)
    print(
        f"{name}: {row['status']}; {got.images} images saved, billed {format_usd(got.billed_usd)}"
        + (f", {got.skipped} already fetched" if got.skipped else ""),
        file=sys.stderr,
    )
    for f in got.failed:
        warn(f"job {f['job_id'][:8]}: {f['message']}")
    if row["message"]:
        warn(f"{name}: {row['message']}")


def _status_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "openai_id": row["remote_id"],
        "status": row["status"],
        "request_counts": {"total": row["requests"], "completed": row["completed"], "failed": row["failed"]},
        "billed_usd": str(row["billed_usd"]),
        "bound_usd": str(row["bound_usd"]),
        "created_at": row["created_at"],
        "fetched_at": row["fetched_at"],
        "message": row["message"],
    }


def _print_status(args: argparse.Namespace, row: dict[str, Any]) -> int:
    if args.json:
        emit_json(_status_json(row))
    else:
        print(
            f"batch {row['id'][:8]}  {row['remote_id'] or '-'}  {row['status']}  "
            f"{row['completed']}/{row['requests']} done, {row['failed']} failed"
            + ("  fetched" if row["fetched_at"] else "")
        )
        if row["message"]:
            warn(row["message"])
    return 0


def _print_list(args: argparse.Namespace, rows: list[dict[str, Any]]) -> int:
    if args.json:
        emit_json({"batches": [_status_json(r) for r in rows]})
        return 0
    if not rows:
        print("no batches yet", file=sys.stderr)
    for r in rows:
        print(
            f"{r['id'][:8]}  {r['status']:11} {r['completed']:>5}/{r['requests']:<5} "
            f"billed {format_usd(r['billed_usd'])} of at most {format_usd(r['bound_usd'])}  "
            f"{r['created_at'][:16]}"
        )
    return 0
