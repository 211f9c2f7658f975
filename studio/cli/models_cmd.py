"""`asset-studio models`: what this version and the endpoint know of each model, and where each fact
came from."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from studio.core.errors import RefusedError
from studio.core.registry import ModelSpec

from .output import emit_json, refuse, warn


def _row(spec: ModelSpec, listed: dict[str, Any] | None, read: bool) -> dict[str, Any]:
    reported = sorted(k for k, g in spec.grades.items() if g == "T")
    unknown = sorted(k for k, g in spec.grades.items() if g == "U")
    return {
        "id": spec.id,
        "status": spec.lifecycle().value,
        "shutdown_date": spec.shutdown.isoformat() if spec.shutdown else None,
        "lifecycle_source": spec.lifecycle_source,
        "listed_by_endpoint": (spec.id in listed) if read and listed is not None else None,
        "in_this_version": spec.listed,
        "quote": "exact" if spec.exact_quotes else "estimate",
        "batch": spec.batch,
        "formats": list(spec.output_formats),
        "qualities": list(spec.qualities),
        "complexity": list(spec.complexities),
        "markup": spec.markup,
        "why": spec.pick_why,
        "replacements": list(spec.replacements),
        "reported_by_third_parties": reported,
        "unknown": unknown,
    }


async def _list(offline: bool, opt_in: str | None):
    from studio.service.api import Studio, read_library_settings
    from studio.service.endpoint import NO_KEY, Endpoint, resolve_endpoint
    from studio.service.keys import take_env_key

    saved = (await asyncio.to_thread(read_library_settings)).base_url
    endpoint, sandbox = resolve_endpoint(take_env_key(), saved_base_url=saved), None
    if endpoint is None:
        from studio.sandbox.server import EmbeddedSandbox

        sandbox = EmbeddedSandbox().start()
        endpoint = Endpoint(sandbox.base_url, NO_KEY, is_sandbox=True)
    studio, _ = await Studio.open_library(reconcile=False)
    try:
        listed = await studio.models.listed(endpoint, refresh=not offline)
        if opt_in:
            if listed.read_at is not None and opt_in not in listed.shutdowns:
                raise ValueError(f"--use {opt_in}: the endpoint does not list this model")
            await studio.models.opt_in(opt_in)
        return await studio.models.registry(listed), listed
    finally:
        await studio.close()
        if sandbox is not None:
            sandbox.stop()


def run(args: argparse.Namespace) -> int:
    try:
        registry, listed = asyncio.run(_list(args.offline, args.use))
    except (ValueError, RefusedError) as exc:
        return refuse(str(exc))
    if listed.error:
        warn(f"could not read the endpoint's model list ({listed.error}); showing this version's data")
    ids = registry.model_ids()
    specs = [registry.get(m) for m in ids]
    rows = [_row(s, listed.shutdowns, listed.read_at is not None) for s in specs]
    from studio.service.api import ModelCatalog

    unknown_listed = ModelCatalog.unknown_listed(listed)
    if args.json:
        emit_json(
            {
                "models": rows,
                "endpoint": listed.endpoint,
                "read_at": listed.read_at.isoformat() if listed.read_at else None,
                "error": listed.error,
                "listed_not_in_this_version": unknown_listed,
            }
        )
        return 0
    print(f"{'model':36} {'status':11} {'shutdown':11} {'quote':9} {'batch':8} source")
    for r in rows:
        source = "endpoint" if r["lifecycle_source"] != "bundled" else "this release"
        print(
            f"{r['id']:36} {r['status']:11} {r['shutdown_date'] or '-':11} {r['quote']:9} {r['batch']:8} "
            f"{source}"
        )
    print(
        f"\nlifecycle: this release's data, merged with {listed.source}"
        if listed.read_at
        else "\nlifecycle: this release's data (the endpoint's list was not read)"
    )
    print(
        "quotes: exact = OpenAI's published token formula; "
        "estimate = learned from your bills, with a bound caps use"
    )
    for r in rows:
        if r["reported_by_third_parties"] or r["unknown"]:
            print(
                f"{r['id']}: reported by third parties: {', '.join(r['reported_by_third_parties']) or '-'}; "
                f"unknown: {', '.join(r['unknown']) or '-'}"
            )
    if unknown_listed:
        print(
            f"listed by the endpoint, not in this version: {', '.join(unknown_listed)} "
            "(use one: `asset-studio models --use ID`)"
        )
    return 0
