"""Screenshots of variants and batches (19-21): a template's preview with both prices, a batch filling
its placeholder panels with the Batches panel open, and the board once it is fetched."""

from __future__ import annotations

import asyncio
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def batch_shots(window, session, sb) -> None:
    sb.config.batch_seconds = 6.0
    await session.boards.select("Kite colours")
    p = session.prompt
    template = "a {red|blue|green|gold} kite over {dunes|the sea|a city}, morning light, flat illustration"
    p.load(
        {
            "prompt": template,
            "size": "1024x1024",
            "quality": "low",
            "n": 1,
            "partial_images": 0,
        }
    )
    await asyncio.sleep(0.4)
    window.editor.grab().save(str(HERE / "19-variants-preview.png"))
    window.send_batch()
    for _ in range(400):  # running: its blank panels wait on the board (results come when it ends)
        await asyncio.sleep(0.05)
        rows = session.batch_watch.rows
        if rows and rows[0]["status"] == "in_progress" and rows[0]["completed"] >= 4:
            break
    await asyncio.sleep(0.3)
    window.grab().save(str(HERE / "20-batch-filling-in.png"))
    for _ in range(600):
        await asyncio.sleep(0.05)
        if session.batch_watch.rows and session.batch_watch.rows[0]["fetched_at"]:
            break
    await asyncio.sleep(1.0)
    window.grab().save(str(HERE / "21-batch-done.png"))
