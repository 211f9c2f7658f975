"""Screenshots of every view in both themes, at 1024×700 and on a 1600×1000 screen at scale 2 (offscreen,
against the embedded sandbox), into docs/screenshots/look/: the welcome, the main window empty and with a
ten-panel board, the viewer, Settings, the shortcuts sheet, the painter with a mask and with markup,
compare (side by side and swipe), the animatic and the export dialog.

.venv/bin/python docs/screenshots/capture.py look       # the same as:
.venv/bin/python docs/screenshots/looks.py              # every theme and screen (one process each)
.venv/bin/python docs/screenshots/looks.py dark small   # one: dark|light, small|scale2
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "look"
sys.path.insert(0, str(HERE.parents[1]))
SCREENS = {  # name: (screen width, height, QT_SCALE_FACTOR)
    "small": (1024, 700, "1"),
    "scale2": (1600, 1000, "2"),
}


def run_all() -> None:
    OUT.mkdir(exist_ok=True)
    for theme in ("dark", "light"):
        for screen in SCREENS:
            subprocess.run([sys.executable, __file__, theme, screen], check=True)


def platform(screen: str) -> dict[str, str]:
    width, height, scale = SCREENS[screen]
    config = Path(tempfile.mkdtemp()) / "screen.json"
    config.write_text(
        json.dumps(
            {
                "synchronousWindowSystemEvents": False,
                "windowFrameMargins": False,
                "screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height, "dpr": 1}],
            }
        )
    )
    return {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale}


def shoot_one(theme: str, screen: str) -> None:
    os.environ.update(platform(screen))
    tmp = tempfile.mkdtemp()
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        os.environ[name] = os.path.join(tmp, name.lower())
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    app.setOrganizationName("asset-studio-screenshots")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from PySide6.QtCore import QItemSelectionModel, QPointF, QRectF
    from PySide6.QtGui import QPainterPath

    from studio.sandbox.server import EmbeddedSandbox
    from studio.service.endpoint import Endpoint
    from studio.state.session import Session
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    apply_theme(app, theme)
    prefix = f"{theme}-{screen}"

    def save(widget, view: str) -> None:
        widget.grab().save(str(OUT / f"{prefix}-{view}.png"))

    async def shoot() -> None:
        with EmbeddedSandbox() as sb:
            session = await Session.open(
                Endpoint(sb.base_url, "sandbox", is_sandbox=True), board="Lighthouse storyboard"
            )
            window = MainWindow(session, data_folder=os.environ["XDG_DATA_HOME"])
            window.show()
            window.show_welcome()
            await asyncio.sleep(0.4)
            save(window, "00-welcome")
            if window.welcome is not None:
                window.welcome.hide()
            await asyncio.sleep(0.2)
            save(window, "01-empty")
            session.prompt.load(
                {"prompt": "A lighthouse keeper climbs the stairs at dusk", "size": "1536x1024", "n": 10}
            )
            session.prompt.set("quality", "low")
            await session.generator.generate()
            for row, caption in enumerate(["Establishing shot", "The stairs", "Lamp room"]):
                session.boards.set_caption(session.board.rows[row].panel_id, caption)
            session.boards.set_starred(session.board.rows[1].panel_id, True)
            await asyncio.sleep(1.0)
            window.grid.setCurrentIndex(session.board.index(1))
            await asyncio.sleep(0.3)
            save(window, "02-board")
            window.open_panel()
            await asyncio.sleep(0.8)
            save(window.viewers[-1], "03-viewer")
            window.viewers[-1].close()
            window.open_settings()
            await asyncio.sleep(0.6)
            save(window.settings_dialog, "04-settings")
            window.settings_dialog.close()
            window.show_shortcuts()
            await asyncio.sleep(0.2)
            save(window.shortcuts_sheet, "05-shortcuts")
            window.shortcuts_sheet.close()
            await window._open_painter(panel_id=session.board.rows[1].panel_id, label="panel 2")
            painter = window.painter_windows[-1]
            painter.canvas.fit()
            mask = QPainterPath()
            mask.addEllipse(QRectF(900, 160, 380, 420))
            painter.doc.fill_path(mask)
            painter.panel.prompt.setPlainText("a warm light in the lamp room window")
            await asyncio.sleep(0.6)
            save(painter, "06-painter-mask")
            painter.panel.use_markup.setChecked(True)
            m = painter.canvas.markup
            m.draw_path(m.shape_path("circle", QPointF(900, 250), QPointF(1200, 520)), "Circle")
            m.draw_path(m.shape_path("arrow", QPointF(420, 820), QPointF(880, 480)), "Arrow")
            m.draw_text(QPointF(140, 840), "a rising sun here")
            painter.panel.prompt.setPlainText("Put a rising sun where the circle is")
            await asyncio.sleep(0.4)
            save(painter, "07-painter-markup")
            painter.close()
            selection = window.grid.selectionModel()
            selection.clearSelection()
            for row in (0, 1):
                selection.select(session.board.index(row), QItemSelectionModel.SelectionFlag.Select)
            window.compare_panels()
            compare = window.compare_window
            await asyncio.sleep(0.8)
            save(compare, "08-compare")
            compare.set_mode("swipe")
            compare.slider.setValue(45)
            await asyncio.sleep(0.2)
            save(compare, "09-compare-swipe")
            compare.close()
            window.play_animatic()
            player = window.animatic_window
            player.set_playing(False)
            player.go(1)
            await asyncio.sleep(0.8)
            save(player, "10-animatic")
            player.close()
            window.open_export()
            await asyncio.sleep(0.3)
            save(window.export_dialog, "11-export")
            window.export_dialog.close()
            print(f"{prefix}: window {window.width()}×{window.height()}", flush=True)
            window.close()
            await session.shutdown()

    loop.run_until_complete(shoot())
    loop.run_until_complete(loop.shutdown_default_executor())  # no worker thread left at exit
    loop.close()


if __name__ == "__main__":
    if len(sys.argv) == 3:
        shoot_one(sys.argv[1], sys.argv[2])
    else:
        run_all()
