"""What a board's cast costs the studio, against a baseline measured in the same run (median of 7).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/cast.py

- The quote on each keystroke (the prompt model validating and quoting the request as it is sent) with a
  16-reference sheet of 2048x2048 photo-grain PNGs, against the same prompt with no cast: what weaving the
  sheet in and quoting 16 input images adds to every key the user types (on the GUI thread).
- Loading the sheet (read, verify and fit 16 references; off the GUI thread when the board opens or the
  sheet changes), against reading the same 16 files' bytes.
- The continuity check of one new 1536x1024 panel against a two-entry sheet (hue histogram and dHash of
  the panel; the references' are computed once and kept), off the GUI thread, against decoding that panel
  once; and of a 3840x2160 panel.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 7


def row(case: str, ours: float, base: float) -> None:
    print(f"{case:52} {ours * 1000:9.2f}ms {base * 1000:9.2f}ms {ours / base:8.2f}x")


def median_s(fn) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


async def amedian_s(fn) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def photo(size: tuple[int, int], seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    base = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    grain = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).point(
        [v % 41 for v in range(256)] * 3
    )
    from PIL import ImageChops

    out = io.BytesIO()
    ImageChops.add(base, grain).save(out, "PNG", compress_level=1)
    return out.getvalue()


async def measure(folder: Path) -> None:
    from PIL import Image

    from studio.core.registry import load_registry
    from studio.service.api import Studio
    from studio.state.prompt_model import PromptModel

    studio, _ = await Studio.open_library(folder / "library", reconcile=False)
    board = await studio.boards.id_of("Bench")
    files = []
    for k in range(16):
        path = folder / f"ref{k}.png"
        path.write_bytes(photo((2048, 2048), k))
        files.append(str(path))
    for k in range(0, 16, 4):
        await studio.cast.add(board, f"Entry {k // 4 + 1}", files=files[k : k + 4], description="a reference")
    registry = load_registry()
    spec = registry.get(registry.default_model)
    sheet = await studio.cast.sheet(board, spec=spec)
    megabytes = sum(len(i.image.data) for i in sheet.images if i.image) / 1e6
    print(f"sheet: {len(sheet.images)} references, {megabytes:.1f} MB of PNG in memory")

    with_cast, plain = PromptModel(registry), PromptModel(registry)
    with_cast.cast = lambda request: sheet.apply(request, registry.get(request.model))
    keys = iter(range(10**6))

    def typed(model: PromptModel) -> None:
        model.set("prompt", f"she orders a latte, take {next(keys)}")

    row(
        "quote per keystroke, 16-reference sheet",
        median_s(lambda: typed(with_cast)),
        median_s(lambda: typed(plain)),
    )
    assert with_cast.error is None and with_cast.references_usd is not None, with_cast.error

    def read_bytes() -> None:
        for item in sheet.images:
            Path(item.path).read_bytes()

    load = await amedian_s(lambda: studio.cast.sheet(board, spec=spec))
    row("load the sheet (read, verify, fit 16)", load, median_s(read_bytes))

    two = await studio.boards.id_of("Two")
    await studio.cast.add(two, "Mara", files=files[:1])
    await studio.cast.add(two, "Shop", files=files[1:2])
    small = await studio.cast.sheet(two, spec=spec)
    for size in ((1536, 1024), (3840, 2160)):
        panel = folder / f"panel-{size[0]}.png"
        panel.write_bytes(photo(size, 99))

        def decode() -> None:
            with Image.open(panel) as im:
                im.load()

        await studio.cast.check(small, [str(panel)])  # the references' signatures, read once per sheet
        check = await amedian_s(lambda: studio.cast.check(small, [str(panel)]))
        row(f"continuity check, one {size[0]}x{size[1]} panel", check, median_s(decode))
    await studio.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        print(f"{'case':52} {'ours':>11} {'baseline':>11} {'ratio':>9}")
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(measure(Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
