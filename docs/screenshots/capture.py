"""Capture the window's screenshots into docs/screenshots/ (offscreen, against the embedded sandbox).

QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture.py          # every shot
QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture.py models   # only 13-16 (gpt-image-2.6)
QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture.py reliability   # only 17-18
QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture.py batches   # only 19-21 (batches)
QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture.py refine    # only 22-23 (Refine)
QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture.py cast      # only 24-25 (the cast)
.venv/bin/python docs/screenshots/capture.py look      # every view in both themes at 1024×700 and scale 2
                                                       # (docs/screenshots/look/, by looks.py)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


async def paint_and_edit(window, session) -> None:
    """The mask painter on panel 1: a painted mask, the drift heatmap after an edit, before/after."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QPainterPath

    await window._open_painter(panel_id=session.board.rows[0].panel_id)
    painter = window.painter_windows[-1]
    painter.resize(1500, 900)
    painter.canvas.fit()
    doc = painter.doc
    path = QPainterPath()
    path.addEllipse(QRectF(880, 180, 360, 420))
    doc.fill_path(path)
    doc.set_brush_size(70)
    doc.begin_stroke(QPointF(300, 700))
    for i in range(40):
        doc.stroke_to(QPointF(300 + i * 12, 700 - (i % 10) * 6))
    doc.end_stroke()
    painter.panel.prompt.setPlainText("a glowing red lantern in the window")
    await asyncio.sleep(0.6)
    painter.grab().save(str(HERE / "06-painter-mask.png"))
    painter.start_edit()
    for _ in range(400):
        await asyncio.sleep(0.05)
        if painter.controller.last_result is not None:
            break
    await asyncio.sleep(0.5)
    painter.panel.show_heatmap.setChecked(True)
    painter.canvas.mask_item.setVisible(False)
    await asyncio.sleep(0.2)
    painter.grab().save(str(HERE / "07-drift-heatmap.png"))
    painter.panel.show_heatmap.setChecked(False)
    painter.panel.compare.setChecked(True)
    await asyncio.sleep(0.2)
    painter.grab().save(str(HERE / "08-before-after.png"))
    painter.close()


async def export_board_shots(window, session) -> None:
    """Storyboard fields, the Export dialog, and what it writes: the contact sheet and a PDF page."""
    import shutil
    import subprocess

    from PIL import Image

    shots = [
        "Wide",
        "Medium",
        "Close-up",
        "Insert",
        "Over the shoulder",
        "POV",
        "Wide",
        "Close-up",
        "Medium",
        "Aerial",
    ]
    for i, row in enumerate(session.board.rows):
        session.boards.set_fields(
            row.panel_id,
            shot=shots[i % len(shots)],
            duration=1.5 + (i % 3),
            notes="Foghorn in the distance." if i % 2 else "",
        )
    await asyncio.sleep(0.8)
    out = Path(tempfile.mkdtemp())
    window.open_export()
    dialog = window.export_dialog
    dialog.destination.setText(str(out))
    dialog.start()
    for _ in range(600):
        await asyncio.sleep(0.05)
        if window.exporter.folder:
            break
    await asyncio.sleep(0.2)
    dialog.grab().save(str(HERE / "09-export-dialog.png"))
    folder = Path(window.exporter.folder)
    sheet = Image.open(folder / "contact-sheet.png")
    sheet.thumbnail((1600, 1600))
    sheet.save(HERE / "10-contact-sheet.png")
    if shutil.which("pdftoppm"):  # poppler-utils
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "90",
                "-png",
                "-f",
                "2",
                "-l",
                "2",
                str(folder / "storyboard.pdf"),
                str(out / "page"),
            ],
            check=True,
        )
        next(out.glob("page*.png")).replace(HERE / "11-pdf-page.png")
    dialog.close()


async def models_shots(window, session) -> None:
    """gpt-image-2.6: the picker with its reasons and complexity, a GIF and an SVG panel, the markup layer."""
    from PySide6.QtCore import QPointF

    s26 = "gpt-image-2.6-sunburst"
    await session.boards.select("Motion and vectors")
    p = session.prompt
    p.load(
        {
            "prompt": "A paper boat bobbing on a pond, loopable",
            "model": s26,
            "size": "640x640",
            "quality": "low",
            "n": 1,
            "output_format": "gif",
            "frame_count": 6,
            "frame_duration_ms": 120,
            "complexity": "medium",
        }
    )
    await asyncio.sleep(0.3)
    window.editor.grab().save(str(HERE / "13-model-picker-gif.png"))
    await session.generator.generate()
    p.load(
        {
            "prompt": "Flat vector logo of a lighthouse, two colours",
            "model": s26,
            "size": "1024x1024",
            "quality": "low",
            "n": 1,
            "output_format": "svg",
            "complexity": None,
        }
    )
    await session.generator.generate()
    p.load(
        {
            "prompt": "A harbour at dawn with boats",
            "model": s26,
            "size": "1536x1024",
            "quality": "low",
            "n": 1,
            "output_format": "png",
        }
    )
    await session.generator.generate()
    await asyncio.sleep(1.0)
    window.grid.setCurrentIndex(session.board.index(0))  # the GIF plays where it is selected
    await asyncio.sleep(0.7)
    window.grab().save(str(HERE / "14-gif-and-svg-panels.png"))
    window.grid.setCurrentIndex(session.board.index(1))
    window.open_panel()
    viewer = window.viewers[-1]
    viewer.resize(900, 700)
    await asyncio.sleep(0.4)
    viewer.view.zoom(3)
    await asyncio.sleep(0.3)
    viewer.grab().save(str(HERE / "15-svg-viewer-zoomed.png"))
    viewer.close()
    await window._open_painter(panel_id=session.board.rows[2].panel_id)
    painter = window.painter_windows[-1]
    painter.resize(1500, 900)
    painter.panel.use_markup.setChecked(True)
    painter.canvas.fit()
    m = painter.canvas.markup
    m.draw_path(m.shape_path("circle", QPointF(900, 250), QPointF(1200, 520)), "Circle")
    m.draw_path(m.shape_path("arrow", QPointF(420, 820), QPointF(880, 480)), "Arrow")
    m.draw_text(QPointF(140, 840), "a rising sun here")
    m.draw_path(m.shape_path("box", QPointF(100, 420), QPointF(380, 640)), "Box")
    m.draw_text(QPointF(100, 360), "remove this boat")
    painter.panel.prompt.setPlainText("Put a rising sun where the circle is and remove the boat in the box")
    await asyncio.sleep(0.8)
    painter.grab().save(str(HERE / "16-painter-markup.png"))
    painter.close()


async def reliability_shots(window, session, sb) -> None:
    """Issue 14: the sandbox rehearsing caps on the Generate button and the meter; a partial answer kept and
    said; a panel whose received image does not decode, flagged; a job another host never settled."""
    from decimal import Decimal

    from studio.service import ledger

    await session.boards.select("Reliability")
    db = session.service.db
    await db.run(ledger.set_cap, "day", Decimal("0.0005"))
    await db.run(ledger.set_cap, "call", Decimal("0.25"))
    await session.cost_watch.refresh()
    session.prompt.load(
        {"prompt": "A lighthouse at dusk, wide shot", "size": "1536x1024", "quality": "low", "n": 2}
    )
    await asyncio.sleep(0.3)
    window.editor.generate.setFocus()
    window.grab().save(str(HERE / "17-caps-rehearsed.png"))
    await db.run(ledger.set_cap, "day", None)
    await session.cost_watch.refresh()
    sb.sandbox.config.faults.push("drop_after_image")  # the connection is cut after image 1 of 2
    await session.generator.generate()
    session.prompt.load({"prompt": "Two boats in the harbour", "size": "1024x1024", "quality": "low", "n": 1})
    await session.generator.generate()
    row = session.board.rows[-1]
    await db.run(
        lambda conn: conn.execute(
            "UPDATE images SET problem = 'not a readable PNG image (SyntaxError: "
            "broken PNG file)' WHERE job_id = ?",
            (row.job_id,),
        )
    )
    await session.boards.reload()
    await asyncio.sleep(0.8)
    window.grab().save(str(HERE / "18-partial-answer-and-flagged-panel.png"))


def main() -> None:
    tmp = tempfile.mkdtemp()
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":  # a 1600×1000 screen, not Qt's 800×600
        screen = Path(tmp) / "screen.json"
        screen.write_text(
            '{"windowFrameMargins": false, "screens": '
            '[{"name": "s", "x": 0, "y": 0, "width": 1600, "height": 1000, "dpr": 1}]}'
        )
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        os.environ[name] = os.path.join(tmp, name.lower())
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    app.setOrganizationName("asset-studio-screenshots")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from studio.sandbox.app import SandboxConfig
    from studio.sandbox.server import EmbeddedSandbox
    from studio.service.endpoint import Endpoint
    from studio.state.session import Session
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    apply_theme(app, "dark")  # the app's default look (docs/screenshots/look/ has both themes)

    async def shoot() -> None:
        with EmbeddedSandbox(SandboxConfig(latency=1.5)) as sb:
            session = await Session.open(
                Endpoint(sb.base_url, "sandbox", is_sandbox=True), board="Lighthouse storyboard"
            )
            window = MainWindow(session, data_folder=os.environ["XDG_DATA_HOME"])
            window.resize(1500, 900)
            window.show()
            await asyncio.sleep(0.3)
            if sys.argv[1:] in (["models"], ["reliability"], ["batches"], ["refine"], ["cast"]):
                from batch_shots import batch_shots, refine_shots
                from cast_shots import cast_shots

                shots = {
                    "models": lambda: models_shots(window, session),
                    "reliability": lambda: reliability_shots(window, session, sb),
                    "batches": lambda: batch_shots(window, session, sb),
                    "refine": lambda: refine_shots(window, session),
                    "cast": lambda: cast_shots(window, session),
                }
                await shots[sys.argv[1]]()
                window.close()
                await session.shutdown()
                return
            window.grab().save(str(HERE / "01-empty.png"))
            window.show_welcome()  # the first-run panel (fresh library)
            await asyncio.sleep(0.6)
            window.grab().save(str(HERE / "12-welcome.png"))
            window.welcome.hide()
            p = session.prompt
            p.set(
                "prompt",
                "Storyboard: a lighthouse keeper climbs the stairs at dusk, wide cinematic shot, warm light",
            )
            p.set("size", "1536x864")
            p.set("quality", "medium")
            p.set("n", 10)
            p.set("partial_images", 2)
            task = session.generator.generate()
            for _ in range(200):
                await asyncio.sleep(0.05)
                if any(r.state == "partial" for r in session.board.rows):
                    break
            await asyncio.sleep(0.2)
            window.grab().save(str(HERE / "02-generating-partials.png"))
            await task
            await asyncio.sleep(0.8)
            for row, caption in enumerate(["Establishing shot", "The stairs", "Lamp room"]):
                session.boards.set_caption(session.board.rows[row].panel_id, caption)
            await asyncio.sleep(0.8)
            window.grab().save(str(HERE / "03-board-10-panels.png"))
            window.open_settings()
            await asyncio.sleep(0.5)
            window.settings_dialog.grab().save(str(HERE / "04-settings.png"))
            window.settings_dialog.close()
            p.set("size", "1000x1000")
            await asyncio.sleep(0.1)
            window.editor.grab().save(str(HERE / "05-invalid-size.png"))
            await paint_and_edit(window, session)
            await export_board_shots(window, session)
            await models_shots(window, session)
            await reliability_shots(window, session, sb)
            from batch_shots import batch_shots

            await batch_shots(window, session, sb)
            window.close()
            await session.shutdown()

    loop.run_until_complete(shoot())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["look"]:
        import looks

        looks.run_all()
    else:
        main()
