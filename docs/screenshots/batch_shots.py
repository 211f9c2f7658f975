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


async def refine_shots(window, session) -> None:
    """22: a panel's Refine conversation while a turn draws (its stage, the partial image on the tile);
    23: three turns on, each a version, each bill in two parts, the cost meter's last call split."""
    await session.boards.select("Refine a hoodie")
    session.prompt.load({"prompt": "a woman in a grey hoodie at a cafe table, flat illustration",
                         "size": "1024x1024", "quality": "low", "n": 1, "partial_images": 0})  # fmt: skip
    session.generator.generate()
    board = session.board
    for _ in range(400):
        await asyncio.sleep(0.05)
        if board.rows and not board.rows[0].pending:
            break
    window.grid.setCurrentIndex(board.index(0))
    window.show_refine()
    chat = session.refine
    chat.set_setting(partial_images=2, effort="medium")
    for i, text in enumerate(("make the hoodie purple", "move the title up, keep everything else",
                              "warmer light, keep everything else")):  # fmt: skip
        window.refine.instruction.setPlainText(text)
        await asyncio.sleep(0.5)  # its quote
        chat.send()
        for _ in range(400):
            await asyncio.sleep(0.05)
            if i == 1 and "partial" in window.refine.stage.text():
                await asyncio.sleep(0.1)
                window.grab().save(str(HERE / "22-refine-drawing.png"))
                break
            if not chat.busy:
                break
        for _ in range(400):
            await asyncio.sleep(0.05)
            if not chat.busy:
                break
    window.refine.instruction.setPlainText("add a small steam swirl over the cup")
    await asyncio.sleep(0.6)
    window.grab().save(str(HERE / "23-refine-conversation.png"))
