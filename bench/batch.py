"""A 500-image Batch API batch (1024x1024, the sandbox) from submit to every panel on screen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/batch.py   # 500 images, photo-weight PNGs (~2.3 MB each)
    DETAIL=flat IMAGES=500 .venv/bin/python bench/batch.py      # the sandbox's small flat art (~50 KB each)

The window (a real Session and MainWindow, offscreen) sends the prompt template "kite {0|…|499}" as a
batch through the sandbox in a process of its own (as OpenAI's servers are elsewhere), waits for it to
complete, then fetches it while a 1-ms QTimer probe measures the GUI thread and RSS is sampled every
20 ms. Measured in the same run, the baseline: a plain streaming download of the same output file with
the SDK (files.with_streaming_response.content, bytes to /dev/null). Printed: the longest GUI-thread
stall while results land (with the longest gap of an independent sleeper process: the machine's own
stalls, and the part of the GUI thread's stall that was the app's own, as bench/ui_stall.py counts it), RSS
growth while fetching and saving, the fetch's throughput against the download's. With flat art (a 26 MB
file for 500 images) the download takes ~0.1 s and the fixed cost of saving each image (two fsync'd files,
its SHA-256, a journal commit: ~4 ms) dominates, so the ratio is only meaningful at real weights.
Goals: stall <= 16 ms; RSS growth <= 150 MB; throughput >= 0.5x the plain download. PROFILE=1 prints
where the GUI thread's time went while fetching.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from scale import Probe as StallProbe  # noqa: E402  (the same GUI-thread probe)
from scale import rss_mb  # noqa: E402

IMAGES = int(os.environ.get("IMAGES", "500"))
DETAIL = os.environ.get(
    "DETAIL", "photo"
)  # photo: PNGs that weigh what real ones do; flat: the small default art


class Probe(StallProbe):
    """bench/scale.py's stall probe (a 1-ms QTimer on the GUI thread; gaps over LONG_GAP kept with their
    times), plus the RSS peak sampled on a thread every 20 ms."""

    def start(self) -> None:
        self.peak, self._sampling = rss_mb(), True
        super().start()

        def sample() -> None:
            while self._sampling:
                self.peak = max(self.peak, rss_mb())
                time.sleep(0.02)

        threading.Thread(target=sample, daemon=True).start()

    def stop(self) -> tuple[float, float]:  # type: ignore[override]  (the stall and the RSS peak)
        self._sampling = False
        return super().stop(), self.peak


def plain_download(base_url: str, file_id: str) -> tuple[float, int]:
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key="bench", max_retries=0)
    start, size = time.perf_counter(), 0
    with client.files.with_streaming_response.content(file_id) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
    client.close()
    return time.perf_counter() - start, size


async def run(base_url: str, root: Path) -> dict:
    from studio.service.endpoint import Endpoint
    from studio.state.session import Session
    from studio.ui.main_window import MainWindow

    session = await Session.open(Endpoint(base_url, "bench", is_sandbox=True), root=root, board="Batch")
    window = MainWindow(session, data_folder=str(root))
    window.resize(1500, 900)
    window.show()
    watch = session.batch_watch
    watch.stop()  # the bench polls by hand, so that the fetch is what is measured
    session.prompt.load(
        {"prompt": "kite {" + "|".join(str(i) for i in range(IMAGES)) + "}", "size": "1024x1024",
         "quality": "low", "n": 1}
    )  # fmt: skip
    submitted = time.perf_counter()
    await watch.send_batch()
    batch_id = watch.rows[0]["id"]
    batches = session.studio.batches
    while (row := await batches.status(batch_id))["status"] != "completed":
        await asyncio.sleep(0.5)
    completed = time.perf_counter()
    download_s, size = await asyncio.to_thread(plain_download, base_url, row["output_file_id"])
    await asyncio.sleep(0.5)
    probe = Probe()
    before = rss_mb()
    probe.start()
    started = time.perf_counter()
    profile = None
    if os.environ.get("PROFILE"):  # PROFILE=1: where the GUI thread's time went while fetching
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    _, got = await batches.fetch(batch_id)
    board = session.board
    while not (len(board.rows) == IMAGES and all(r.path for r in board.rows)):
        await asyncio.sleep(0.01)
    fetch_s = time.perf_counter() - started
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    stall_ms, peak = probe.stop()
    worst = max(probe.long, key=lambda g: g[1] - g[0], default=(started, started))
    print(f"  (longest gap at {worst[0] - started:.2f} s of {fetch_s:.2f} s)", file=sys.stderr)
    result = {
        "images": got.images if got else 0,
        "file_mb": size / 2**20,
        "download_s": download_s,
        "fetch_s": fetch_s,
        "stall_ms": stall_ms,
        "rss_growth_mb": peak - before,
        "batch_s": completed - submitted,
        "window": (started, started + fetch_s),
        "long": probe.long,
    }
    window.close()
    await session.shutdown()
    return result


def main() -> None:
    import qasync
    from PySide6.QtWidgets import QApplication
    from ui_stall import LONG_GAP, MACHINE_PROBE, own_part

    with tempfile.TemporaryDirectory() as tmp:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
            os.environ[name] = os.path.join(tmp, name.lower())
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [sys.executable, "-m", "studio", "sandbox", "--port", "0", "--port-file", str(port_file),
             "--batch-seconds", "2", "--detail", DETAIL],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        gaps = Path(tmp) / "gaps"
        sleeper = subprocess.Popen([sys.executable, "-c", MACHINE_PROBE, str(gaps)])
        try:
            while not port_file.exists():
                time.sleep(0.05)
            base_url = f"http://127.0.0.1:{int(port_file.read_text())}/v1"
            app = QApplication([])
            app.setOrganizationName("asset-studio-bench")
            app.setQuitOnLastWindowClosed(False)
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            result = loop.run_until_complete(run(base_url, Path(tmp) / "library"))
        finally:
            server.terminate()
            sleeper.kill()
        machine = [tuple(map(float, line.split())) for line in gaps.read_text().splitlines() if line.strip()]
    start, end = result["window"]
    machine_ms = max([(b - a) * 1000 for a, b in machine if a < end and b > start] or [LONG_GAP * 1000])
    own_ms = max([own_part(a, b, machine) for a, b in result["long"]] or [0.0])
    ratio = result["download_s"] / result["fetch_s"]
    print(f"batch of {IMAGES} images at 1024x1024 ({DETAIL} art), output file {result['file_mb']:.1f} MB")
    print(f"  submit to completed (sandbox, --batch-seconds 2): {result['batch_s']:.1f} s")
    print(f"  plain streaming download of the output file (baseline): {result['download_s']:.2f} s")
    print(
        f"  fetch to every panel on screen: {result['fetch_s']:.2f} s, {result['images']} images; "
        f"throughput {ratio:.2f}x the plain download (goal >= 0.5x)"
    )
    print(
        f"  longest GUI-thread stall while results land: {result['stall_ms']:.1f} ms, of it the app's own "
        f"{own_ms:.1f} ms (goal <= 16); the machine's own longest stall meanwhile (sleeper process): "
        f"{machine_ms:.1f} ms"
    )
    print(f"  RSS growth while fetching and saving: {result['rss_growth_mb']:.1f} MB (goal <= 150)")


if __name__ == "__main__":
    main()
