"""The GUI thread while a streamed 4K refine turn arrives (the Responses API, two partial images and the
final 3840x2160 PNG, photo-like grain): longest stall, against a naive client in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/refine_stall.py

bench/ui_stall.py's sibling, with its probe (a 1-ms QTimer on the GUI thread; the longest gap between
ticks is the longest time the window could not repaint), its independent 1-ms sleeper process (a gap
there is the machine's stall, not the app's) and its "app's own part". Measured in the same run, each
side in a fresh process of its own, the sandbox in a third at low priority:
  - Asset Studio: a panel's Refine turn from the window (RefineChat.send: the stream read by the SDK's
    sync client on a worker thread, partial images saved and shown on the panel's tile, the result saved
    as the panel's next version, its thumbnail decoded at display size off the thread);
  - baseline: the SDK's async client on the GUI thread's loop (client.responses.create(stream=True)),
    each partial and the final image base64-decoded and QImage-decoded there, as a naive client would.
Goal: stall <= 16 ms (one frame at 60 Hz). RUNS=3 repeats both sides.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import ui_stall  # noqa: E402
from ui_stall import Probe, rss_mb  # noqa: E402

SIZE, PARTIALS = "3840x2160", 2
INSTRUCTION = "bench: warmer light, keep everything else"


def source_png(path: Path) -> None:
    """A 3840x2160 photo-like PNG (grain: it weighs what a real one does) to refine."""
    from PIL import Image

    noise = Image.effect_noise((3840, 2160), 40).convert("RGB")
    noise.save(path, "PNG", compress_level=1)


async def ours(base_url: str, root: Path, source: Path, probe: Probe) -> dict:
    from studio.service.endpoint import Endpoint
    from studio.service.memory import freeze_heap, tune_process
    from studio.state.session import Session
    from studio.ui.main_window import MainWindow

    tune_process()
    session = await Session.open(Endpoint(base_url, "bench", is_sandbox=True), root=root)
    window = MainWindow(session)
    window.resize(1500, 900)
    window.show()
    await session.service.warm_up()
    freeze_heap()
    await session.import_files([str(source)])
    board = session.board
    while not board.rows:
        await asyncio.sleep(0.05)
    window.grid.setCurrentIndex(board.index(0))
    window.show_refine()
    chat = session.refine
    chat.set_setting(partial_images=PARTIALS, size=SIZE, quality="low", effort="low")
    window.refine.instruction.setPlainText(INSTRUCTION)
    while chat.quote is None:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    probe.start()
    chat.send()
    while chat.busy or not chat.turns or not chat.turns[-1].get("image_path"):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.8)  # the new version's thumbnail lands on the tile
    result = probe.stop()
    result["elapsed_s"] = time.perf_counter() - start
    result["growth_mb"] = rss_mb() - before
    result["state"] = chat.turns[-1]["state"]
    window.close()
    await session.shutdown()
    return result


async def baseline(base_url: str, source: Path, probe: Probe) -> dict:
    from openai import AsyncOpenAI
    from PySide6.QtGui import QImage

    client = AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0, timeout=600)
    url = "data:image/png;base64," + base64.b64encode(source.read_bytes()).decode("ascii")
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    probe.start()
    images = []
    stream = await client.responses.create(
        model="gpt-5.4-nano",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": INSTRUCTION},
                    {"type": "input_image", "image_url": url},
                ],
            }
        ],  # fmt: skip
        tools=[
            {
                "type": "image_generation",
                "model": "gpt-image-2",
                "size": SIZE,
                "quality": "low",
                "partial_images": PARTIALS,
            }
        ],  # fmt: skip
        tool_choice={"type": "image_generation"},
        max_output_tokens=4000,
        reasoning={"effort": "low"},
        stream=True,
    )
    async for event in stream:  # parsed on the loop thread, each picture shown as it comes
        if event.type == "response.image_generation_call.partial_image":
            images.append(QImage.fromData(base64.b64decode(event.partial_image_b64)))
        elif event.type == "response.completed":
            for item in event.response.output:
                if item.type == "image_generation_call" and item.result:
                    images.append(QImage.fromData(base64.b64decode(item.result)))
    result = probe.stop()
    result["elapsed_s"] = time.perf_counter() - start
    result["growth_mb"] = rss_mb() - before
    result["state"] = "saved" if len(images) == PARTIALS + 1 else f"{len(images)} images"
    del images
    await client.close()
    return result


def measure_side(side: str, base_url: str, source: Path) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    app.setOrganizationName("asset-studio-bench")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    probe = Probe()
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
            os.environ[name] = os.path.join(tmp, name.lower())
        coro = (
            baseline(base_url, source, probe)
            if side == "baseline"
            else ours(base_url, Path(tmp) / "library", source, probe)
        )
        result = loop.run_until_complete(coro)
    print(json.dumps(result), flush=True)
    loop.close()


def run_side(side: str, base_url: str, source: Path) -> dict:
    """One side in its own process beside ui_stall's 1-ms sleeper (the machine's own stalls)."""
    return ui_stall.run_side(side, base_url, __file__, ("--source", str(source)))


def main() -> None:
    if "--side" in sys.argv:
        arg = sys.argv.index
        measure_side(sys.argv[arg("--side") + 1], sys.argv[arg("--base-url") + 1],
                     Path(sys.argv[arg("--source") + 1]))  # fmt: skip
        return
    runs = int(os.environ.get("RUNS", "1"))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source-4k.png"
        source_png(source)
        server, port_file = ui_stall.start_sandbox(Path(tmp), "--latency", "0.5")
        try:
            while not port_file.exists():
                time.sleep(0.05)
            base_url = f"http://127.0.0.1:{int(port_file.read_text())}/v1"
            pairs = [(run_side("ours", base_url, source), run_side("baseline", base_url, source))
                     for _ in range(runs)]  # fmt: skip
        finally:
            server.terminate()
            server.wait(10)
    print(f"a streamed {SIZE} refine turn ({PARTIALS} partial images, photo grain) from the sandbox:")
    print(f"{'':>40}  {'Asset Studio':>14}  {'baseline':>10}  ratio")
    for i, (o, b) in enumerate(pairs, 1):
        tag = f" (run {i})" if runs > 1 else ""
        print(
            f"{'longest GUI-thread stall' + tag:>40}  {o['stall_ms']:>11.1f} ms  {b['stall_ms']:>7.1f} ms  "
            f"{o['stall_ms'] / max(b['stall_ms'], 0.001):.3f}x   (goal <= 16 ms)"
        )
        print(f"{'  of which the app own':>40}  {o['own_ms']:>11.1f} ms  {b['own_ms']:>7.1f} ms")
        print(f"{'  machine stall, independent process':>40}  {o['machine_ms']:>11.1f} ms  "
              f"{b['machine_ms']:>7.1f} ms")  # fmt: skip
    o, b = pairs[-1]
    print(f"{'p99 probe gap':>40}  {o['p99_ms']:>11.1f} ms  {b['p99_ms']:>7.1f} ms")
    print(f"{'time to the result':>40}  {o['elapsed_s']:>12.2f} s  {b['elapsed_s']:>8.2f} s")
    print(f"{'RSS growth':>40}  {o['growth_mb']:>11.1f} MB  {b['growth_mb']:>7.1f} MB")
    print(f"{'outcome':>40}  {o['state']:>14}  {b['state']:>10}")


if __name__ == "__main__":
    main()
