"""Pacing against a Tier-1 sandbox with a shortened minute: 20 images queued, zero 429s, near-ideal time.

    .venv/bin/python bench/pacing.py [--minute 3] [--latency 0.2]

The sandbox admits 5 images per (shortened) minute and answers 429 beyond that. The service's
pacer must spread the 20 images so that none is refused, and finish close to the ideal: the
fourth batch of five can start no sooner than three minutes in, plus one call's own time,
measured in the same run. Prints the 429 count and total / ideal.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from studio.core.request import ImageRequest
from studio.sandbox.app import SandboxConfig
from studio.sandbox.server import EmbeddedSandbox
from studio.service.endpoint import Endpoint
from studio.service.runner import ImageService

IMAGES = 20


async def one_call_time(base_url: str, root: Path) -> float:
    service = await ImageService.open(Endpoint(base_url, "bench"), root=root, tier=5)
    try:
        start = time.perf_counter()
        await service.submit(ImageRequest(prompt="baseline", size="1024x1024", quality="low"))
        return time.perf_counter() - start
    finally:
        await service.close()


async def queued(base_url: str, root: Path, minute: float, shape: str) -> float:
    service = await ImageService.open(Endpoint(base_url, "bench"), root=root, tier=1, minute_seconds=minute)
    try:
        start = time.perf_counter()
        if shape == "20 jobs of 1":
            requests = [
                ImageRequest(prompt=f"panel {i}", size="1024x1024", quality="low") for i in range(IMAGES)
            ]
        else:
            requests = [
                ImageRequest(prompt=f"board {i}", size="1024x1024", quality="low", n=10) for i in range(2)
            ]
        outcomes = await asyncio.gather(*(service.submit(r) for r in requests))
        assert all(o.ok for o in outcomes), [j.failure for o in outcomes for j in o.jobs if j.failure]
        assert sum(len(j.images) for o in outcomes for j in o.jobs) == IMAGES
        return time.perf_counter() - start
    finally:
        await service.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--minute", type=float, default=3.0, help="the sandbox's (and pacer's) minute, in seconds"
    )
    parser.add_argument(
        "--latency", type=float, default=0.2, help="the sandbox's latency per call, in seconds"
    )
    args = parser.parse_args()
    print(
        f"Tier 1 (5 images/minute), minute = {args.minute:g} s, latency = {args.latency:g} s, {IMAGES} "
        "images queued"
    )
    print(f"{'shape':>14}  {'429s':>4}  {'total':>8}  {'ideal':>8}  {'ratio':>6}")
    for shape in ("20 jobs of 1", "2 jobs of 10"):
        config = SandboxConfig(tier=1, minute_seconds=args.minute, latency=args.latency)
        with EmbeddedSandbox(config) as sb, tempfile.TemporaryDirectory() as tmp:
            baseline = asyncio.run(one_call_time(sb.base_url, Path(tmp) / "a"))
            time.sleep(args.minute)  # let the baseline call leave the sandbox's window
            sb.sandbox.requests.clear()
            total = asyncio.run(queued(sb.base_url, Path(tmp) / "b", args.minute, shape))
            refused = sum(1 for r in sb.sandbox.requests if r.get("status") == 429)
        ideal = (IMAGES // 5 - 1) * args.minute + baseline
        print(f"{shape:>14}  {refused:>4}  {total:>6.2f} s  {ideal:>6.2f} s  {total / ideal:>5.3f}x")


if __name__ == "__main__":
    main()
