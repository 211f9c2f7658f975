"""How long the sandbox takes to answer n=10 through the real SDK, against Pillow encoding the same ten
images alone in the same run (the least any server that sends real images must spend).

    .venv/bin/python bench/sandbox.py [--repeat 3]

Prints, per size: the SDK round trip (request, render, encode, base64, JSON, HTTP, SDK parse), the
Pillow-only encode time and their ratio. The sandbox must never be what a developer waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from openai import AsyncOpenAI

from studio.core.registry import load_registry
from studio.core.request import ImageRequest
from studio.core.validation import validate
from studio.sandbox import art, imaging
from studio.sandbox.server import EmbeddedSandbox

SIZES = ("1024x1024", "3840x2160")
N = 10


def pillow_encode_only(size: str) -> float:
    """Encode the same ten pictures the sandbox paints, serially, with the sandbox's encoder settings."""
    registry = load_registry()
    checked = validate(
        ImageRequest(prompt="bench: a lighthouse at dusk", size=size, quality="low", n=N), registry
    )
    plan = imaging.plan(checked)
    pictures = [imaging.paint(checked, plan, i) for i in range(N)]
    start = time.perf_counter()
    for picture in pictures:
        art.encode(picture, "png", None)
    return time.perf_counter() - start


async def sdk_round_trip(client: AsyncOpenAI, size: str) -> float:
    start = time.perf_counter()
    response = await client.images.generate(
        model="gpt-image-2", prompt="bench: a lighthouse at dusk", size=size, quality="low", n=N
    )
    assert len(response.data) == N
    return time.perf_counter() - start


async def measure(base_url: str, repeat: int) -> None:
    client = AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0, timeout=600)
    print(f"{'size':>10}  {'n':>2}  {'sandbox via SDK':>16}  {'Pillow encode only':>18}  {'ratio':>6}")
    for size in SIZES:
        sdk_times, enc_times = [], []
        for _ in range(repeat):
            sdk_times.append(await sdk_round_trip(client, size))
            enc_times.append(pillow_encode_only(size))
        sdk, enc = statistics.median(sdk_times), statistics.median(enc_times)
        print(f"{size:>10}  {N:>2}  {sdk:>14.3f} s  {enc:>16.3f} s  {sdk / enc:>5.2f}x")
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with EmbeddedSandbox() as sandbox:
        asyncio.run(measure(sandbox.base_url, args.repeat))


if __name__ == "__main__":
    main()
