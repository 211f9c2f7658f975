"""`asset-studio generate` and `asset-studio edit`: one call, images saved exactly as received."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from studio.core.errors import RefusedError
from studio.core.pricing import bill_from_usage, format_usd, quote
from studio.core.registry import load_registry

from .build import checked_request
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
    registry = load_registry()
    out = Path(args.out)
    try:
        checked, notices = checked_request(args, registry)
        q = quote(checked, registry)
        _check_out_dir(out)
    except RefusedError as exc:
        return refuse(str(exc))
    for notice in notices:
        warn(notice)

    from studio.service.endpoint import NO_KEY, Endpoint, from_environment
    from studio.service.failures import explain

    endpoint = from_environment()
    sandbox = None
    if endpoint is None:
        from studio.sandbox.server import EmbeddedSandbox

        sandbox = EmbeddedSandbox().start()
        endpoint = Endpoint(sandbox.base_url, NO_KEY, is_sandbox=True)
        warn("no OPENAI_API_KEY or OPENAI_BASE_URL set: using the offline sandbox (placeholder images, no charges)")
    if not args.json:
        print(f"quote: ~{format_usd(q.total_usd_estimate)}, at most {format_usd(q.total_usd_max)}", file=sys.stderr)
    try:
        result = asyncio.run(_call(endpoint, checked, verbose=not args.json))
    except Exception as exc:  # every SDK failure becomes a specific message
        failure = explain(exc)
        rid = f" (request id {failure.request_id})" if failure.request_id else ""
        warn(f"{failure.message}{rid}")
        if args.json:
            emit_json({"error": failure.to_json(), "quote": q.to_json()})
        return 1
    finally:
        if sandbox is not None:
            sandbox.stop()

    from studio.service.storage import save_with_fallback

    bill = bill_from_usage(result.usage, checked.spec)
    paths, problem = save_with_fallback(out, checked.request.prompt, result.output_format, result.images)
    if problem:
        warn(f"{problem}; the images were saved to {paths[0].parent} instead")
    report: dict[str, Any] = {
        "request_id": result.request_id,
        "files": [str(p) for p in paths],
        "usage": result.usage,
        "billed_usd": str(bill.usd) if bill else None,
        "quote": q.to_json(),
        "model": checked.request.model,
        "size": result.size,
        "quality": result.quality,
        "output_format": result.output_format,
        "sandbox": endpoint.is_sandbox,
        "warnings": notices,
    }
    if args.json:
        emit_json(report)
    else:
        for p in paths:
            print(p)
        billed = format_usd(bill.usd) if bill else "unknown (no usage in the answer)"
        print(f"billed {billed} (quoted at most {format_usd(q.total_usd_max)}); request id {result.request_id}", file=sys.stderr)
    return 1 if problem else 0


async def _call(endpoint, checked, *, verbose: bool):
    from studio.service.client import make_client
    from studio.service.images_api import call_images

    def on_partial(index: int, step: int, data: bytes) -> None:
        if verbose:
            print(f"image {index + 1}: partial {step + 1}/{checked.request.partial_images} ({len(data):,} bytes)", file=sys.stderr)

    client = make_client(endpoint)
    try:
        return await call_images(client, checked, on_partial=on_partial)
    finally:
        await client.close()
