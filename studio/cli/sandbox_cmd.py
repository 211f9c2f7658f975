"""`asset-studio sandbox`: serve the offline sandbox in the foreground."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from .output import refuse


def run(args: argparse.Namespace) -> int:
    from studio.sandbox.app import SandboxConfig
    from studio.sandbox.faults import FaultPlan, FaultSpecError
    from studio.sandbox.server import SandboxHostError, check_loopback, serve

    try:
        check_loopback(args.host)
        faults = FaultPlan(args.faults)
    except (SandboxHostError, FaultSpecError) as exc:
        return refuse(str(exc))
    if not 0 <= args.port <= 65535:
        return refuse(f"--port {args.port}: must be from 0 to 65535")
    if args.latency < 0 or args.minute_seconds <= 0 or args.batch_seconds < 0:
        return refuse("--latency and --batch-seconds must be >= 0 and --minute-seconds > 0")
    shutdowns = {}
    for item in args.shutdown:
        model, _, day = item.partition("=")
        try:
            shutdowns[model.strip()] = dt.date.fromisoformat(day.strip())
        except ValueError:
            return refuse(f"--shutdown {item}: must be MODEL=YYYY-MM-DD")
    config = SandboxConfig(
        tier=args.tier,
        latency=args.latency,
        minute_seconds=args.minute_seconds,
        faults=faults,
        detail=args.detail,
        gif_access=args.gif_access == "on",
        svg_model_selection=args.svg_model_selection == "on",
        no_transparency=frozenset(args.no_transparency),
        shutdowns=shutdowns,
        extra_models=frozenset(args.extra_model),
        batch_seconds=args.batch_seconds,
        batch_models=frozenset(args.batch_model),
    )

    def ready(base_url: str) -> None:
        print(f"Asset Studio sandbox listening on {base_url}", file=sys.stderr)
        print(f"  export OPENAI_BASE_URL={base_url} OPENAI_API_KEY=sandbox", file=sys.stderr)
        sys.stderr.flush()

    try:
        serve(config, host=args.host, port=args.port, port_file=args.port_file, on_ready=ready)
    except OSError as exc:
        return refuse(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    return 0
