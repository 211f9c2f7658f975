"""`asset-studio jobs|ledger|budget|tier`: the journal, the money, the caps, the pacing tier."""

from __future__ import annotations

import argparse
import asyncio
import json
from decimal import Decimal

from studio.core.errors import RefusedError
from studio.core.pricing import format_usd

from .output import emit_json, refuse, warn


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    from studio.service.api import Studio

    # jobs of processes that are gone become failed / unknown, or saved when their images reached the disk
    studio, restored = await Studio.open_library()
    for r in restored:
        warn(f"job {r.job_id[:8]}: restored {r.images} of {r.n} images saved before the app stopped")
    try:
        command = {"jobs": _jobs, "ledger": _ledger, "budget": _budget, "tier": _tier}[args.command]
        return await command(studio, args)
    except RefusedError as exc:
        return refuse(str(exc))
    finally:
        await studio.close()


async def _jobs(studio, args) -> int:
    if args.action == "resolve":
        if not args.job_id or not args.resolve_as:
            raise RefusedError("jobs resolve ID --as failed|unknown")
        full = await studio.jobs.resolve(args.job_id, args.resolve_as)
        print(f"job {full[:8]} resolved as {args.resolve_as}")
        return 0

    rows = await studio.jobs.rows(limit=args.limit)
    for row in rows:
        row["files"] = [i["path"] for i in await studio.boards.images_of_job(row["id"])]
        row["previews"] = [p["path"] for p in await studio.boards.previews(row["id"])]
        row["request"] = json.loads(row.pop("request_json"))
        row["quote"] = json.loads(row.pop("quote_json"))
        row["usage"] = json.loads(row.pop("usage_json")) if row.get("usage_json") else None
        row.pop("usage_json", None)
    if args.json:
        emit_json({"jobs": rows})
        return 0
    if not rows:
        print("no jobs yet")
    for r in rows:
        money = (
            f"billed {format_usd(Decimal(r['billed_usd']))}"
            if r["billed_usd"]
            else f"quote ≤ {format_usd(Decimal(r['quote_max_usd']))}"
        )
        line = (
            f"{r['created_at'][:19]}  {r['id'][:8]}  {r['state']:<8}  {r['model']}  n={r['n']}  {money}  "
            f"{r['prompt'][:40]!r}"
        )
        print(line)
        if r["state"] == "unknown":
            print(
                f"          outcome unknown — may have been billed; not re-sent. {r['error_message'] or ''}"
            )
        elif r["state"] == "failed" and r["error_message"]:
            print(f"          {r['error_message']}")
        elif r["error_message"]:  # a saved job's notes: a bill estimated or over the quote, images flagged
            print(f"          note: {r['error_message']}")
    return 0


async def _ledger(studio, args) -> int:
    rows = await studio.costs.rows()
    if args.csv:
        print(studio.costs.csv(rows), end="")
        return 0
    t = await studio.costs.totals()
    if args.json:
        emit_json(
            {
                "rows": rows,
                "totals": {
                    "today_usd": str(t.today),
                    "month_usd": str(t.month),
                    "all_time_usd": str(t.all_time),
                    "by_board": {k: str(v) for k, v in t.by_board.items()},
                    "sandbox_calls": t.sandbox_calls,
                },
            }
        )
        return 0
    for r in rows:
        billed = format_usd(Decimal(r["billed_usd"])) if r["billed_usd"] else "—"
        tag = "  (sandbox, not charged)" if r["sandbox"] else ""
        print(
            f"{r['created_at'][:19]}  {r['job_id'][:8]}  {r['state']:<8}  quote ≤ "
            f"{format_usd(Decimal(r['quote_max_usd']))}  billed {billed}  {r['board']}{tag}"
        )
        if r["flags"]:
            print(f"          {r['flags']}")
    print(
        f"today {format_usd(t.today)} · this month {format_usd(t.month)} · all time {format_usd(t.all_time)}"
        + (f" · {t.sandbox_calls} sandbox call(s) not charged" if t.sandbox_calls else "")
    )
    for board, usd in sorted(t.by_board.items()):
        print(f"board {board!r}: {format_usd(usd)}")
    return 0


async def _budget(studio, args) -> int:
    from studio.service.api import parse_usd

    def parse(text: str):
        return None if text.strip().lower() in ("none", "off", "") else parse_usd(text)

    for which in ("day", "month", "call"):
        value = getattr(args, which)
        if value is not None:
            await studio.costs.set_cap(which, parse(value))
    if args.board:
        await studio.boards.set_budget(args.board[0], parse(args.board[1]))
    caps = await studio.costs.caps()
    for problem in caps.problems:
        warn(problem)
    t = await studio.costs.totals()
    boards = await studio.boards.all()
    data = {
        "caps": {
            "call": caps.call,
            "day": caps.day,
            "month": caps.month,
            "boards": {b["name"]: b["budget_usd"] for b in boards if b["budget_usd"] is not None},
        },
        "spent": {"today": t.today, "month": t.month, "boards": t.by_board},
    }
    if args.json:
        emit_json(json.loads(json.dumps(data, default=str)))
        return 0

    def show(cap) -> str:
        try:
            usable = parse_usd(None if cap is None else str(cap))
        except RefusedError:
            return f"unusable ({cap!r}): ignored"
        if usable is None:
            return "no cap"
        cents = usable.quantize(Decimal(1).scaleb(-2))  # whole cents
        return f"${cents:,.2f}" if cents == usable else f"${usable:,f}"  # exactly as set: never rounded up

    print(f"per call   {show(caps.call)}")
    print(f"per day    {show(caps.day)}   (spent or reserved today: {format_usd(t.today)})")
    print(f"per month  {show(caps.month)}   (this month: {format_usd(t.month)})")
    for b in boards:
        if b["budget_usd"] is not None:
            print(
                f"board {b['name']!r}  {show(b['budget_usd'])}   (spent: "
                f"{format_usd(t.by_board.get(b['name'], Decimal(0)))})"
            )
    return 0


async def _tier(studio, args) -> int:
    from studio.core.registry import load_registry

    if args.tier is not None:
        await studio.settings.update(tier=args.tier)
    tier = (await studio.settings.load()).tier
    t = load_registry().tier(tier)
    print(f"rate tier {tier}: {t.images_per_minute} images and {t.tokens_per_minute:,} tokens per minute")
    return 0
