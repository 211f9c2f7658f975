"""Screenshots of the cast and style sheet (24-26): a board's cast of two entries with a ten-panel board
that follows it (the Cast panel beside the grid, the woven text, the prompt as sent, the references' part
of the quote and of the last bill), the crop dialog taking a prop from a panel, and the Cast panel whole."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent


def _references(folder: Path) -> tuple[str, str]:
    """A character sheet (purple hoodie, glasses) and a warm coffee-shop plate, drawn here."""
    mara = Image.new("RGB", (768, 1024), (236, 228, 244))
    d = ImageDraw.Draw(mara)
    d.rounded_rectangle((214, 430, 554, 1024), radius=90, fill=(118, 44, 168))  # the hoodie
    d.ellipse((274, 170, 494, 420), fill=(233, 196, 170))  # the face
    d.pieslice((250, 130, 518, 400), 180, 360, fill=(60, 36, 28))  # the hair
    for x in (300, 400):  # the glasses
        d.ellipse((x, 270, x + 66, 320), outline=(30, 30, 30), width=8)
    shop = Image.new("RGB", (1024, 768), (120, 72, 36))
    d = ImageDraw.Draw(shop)
    d.rectangle((0, 520, 1024, 768), fill=(84, 48, 24))  # the counter
    for x in range(80, 1024, 230):  # warm lamps
        d.ellipse((x, 90, x + 90, 180), fill=(255, 196, 92))
    d.rectangle((620, 260, 960, 500), fill=(210, 150, 70))  # the menu board
    paths = (folder / "mara-character-sheet.png", folder / "coffee-shop-plate.png")
    mara.save(paths[0])
    shop.save(paths[1])
    return str(paths[0]), str(paths[1])


async def cast_shots(window, session) -> None:
    await session.boards.select("Mara at the coffee shop")
    cast = session.cast
    mara, shop = _references(Path(tempfile.mkdtemp()))
    await cast.add("Mara", files=(mara,), description="woman, mid-20s, glasses, purple hoodie")
    await cast.add("Coffee shop", files=(shop,), description="warm-lit coffee shop, wooden counter")
    session.prompt.load({"prompt": "she orders a latte at the counter, storyboard frame",
                         "size": "1536x1024", "quality": "low", "n": 10, "partial_images": 0})  # fmt: skip
    window.panels.cast.show()
    window.panels.cast.raise_()
    await asyncio.sleep(0.4)
    session.generator.generate()
    board = session.board
    for _ in range(600):
        await asyncio.sleep(0.05)
        if len(board.rows) == 10 and all(not r.pending for r in board.rows):
            break
    await asyncio.sleep(1.2)  # the hint, the bill's two parts, the thumbnails
    window.grid.setCurrentIndex(board.index(2))
    await asyncio.sleep(0.3)
    window.grab().save(str(HERE / "24-cast-sheet.png"))
    panel = window.cast_panel  # the whole panel at a comfortable height (the dock scrolls when short)
    panel.resize(400, 800)
    await asyncio.sleep(0.3)
    panel.grab().save(str(HERE / "26-cast-panel.png"))
    window.add_crop_to_cast()
    dialog = window.crop_dialog
    dialog.view.set_box(200, 120, 520, 420)
    await asyncio.sleep(0.4)
    dialog.grab().save(str(HERE / "25-cast-crop.png"))
    dialog.reject()
