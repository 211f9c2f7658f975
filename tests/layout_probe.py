"""Open the real window on a given screen in a child process and print its layout as JSON (test_responsive
runs it: QT_SCALE_FACTOR and the screen size are fixed when a Qt process starts).

    python -m tests.layout_probe WIDTH HEIGHT SCALE
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path


def platform_env(width: int, height: int, scale: str) -> dict[str, str]:
    config = Path(tempfile.mkdtemp()) / "screen.json"
    screen = {"name": "probe", "x": 0, "y": 0, "width": width, "height": height, "dpr": 1}
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": [screen]}))
    return {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale}


def _rows_overlap(form) -> list[str]:
    """Visible form rows whose label or field overlaps the next row's (what users saw at scale 2)."""
    from PySide6.QtWidgets import QFormLayout

    spans = []
    for i in range(form.rowCount()):
        boxes = []
        for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole):
            item = form.itemAt(i, role)
            if (
                item is not None
                and not item.isEmpty()
                and (item.widget() is None or item.widget().isVisible())
            ):
                boxes.append(item.geometry())
        if boxes:
            spans.append((i, min(b.top() for b in boxes), max(b.bottom() for b in boxes)))
    return [f"row {a} overlaps row {b}" for (a, _, end), (b, top, _) in zip(spans, spans[1:]) if top <= end]


async def _secondary_windows(window, session) -> dict[str, list[int]]:
    """Every other window, opened on a two-panel board: {name: [x, y, width, height]} once shown."""
    from PySide6.QtCore import QItemSelectionModel

    if window.welcome is not None:
        window.welcome.hide()
    session.prompt.load({"prompt": "a lighthouse", "size": "1536x1024", "quality": "low", "n": 2})
    await session.generator.generate()
    while len(session.board.rows) < 2 or any(r.pending for r in session.board.rows):
        await asyncio.sleep(0.05)
    board = session.board
    window.grid.setCurrentIndex(board.index(0))
    opened = {}
    window.open_panel()
    opened["viewer"] = window.viewers[-1]
    window.open_settings()
    opened["settings"] = window.settings_dialog
    window.show_shortcuts()
    opened["shortcuts"] = window.shortcuts_sheet
    window.open_export()
    opened["export"] = window.export_dialog
    for row in (0, 1):
        window.grid.selectionModel().select(board.index(row), QItemSelectionModel.SelectionFlag.Select)
    window.compare_panels()
    opened["compare"] = window.compare_window
    window.play_animatic()
    opened["animatic"] = window.animatic_window
    await window._open_painter(panel_id=board.rows[0].panel_id, label="panel 1")
    opened["painter"] = window.painter_windows[-1]
    await asyncio.sleep(0.3)
    out = {}
    for name, w in opened.items():
        g = w.frameGeometry()
        out[name] = [g.x(), g.y(), w.width(), w.height()]
        w.close()
    return out


def main() -> None:
    width, height, scale = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.environ.update(platform_env(width, height, scale))
    home = tempfile.mkdtemp()
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        os.environ[name] = os.path.join(home, name.lower())
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    app.setOrganizationName("asset-studio-layout-probe")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from studio.sandbox.server import EmbeddedSandbox
    from studio.service.endpoint import Endpoint
    from studio.state.session import Session
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    apply_theme(app, "dark")

    async def probe() -> dict:
        with EmbeddedSandbox() as sb:
            board = "Lighthouse keeper storyboard, the night shift"  # a long name, as users give them
            session = await Session.open(Endpoint(sb.base_url, "probe", is_sandbox=True), board=board)
            window = MainWindow(session, data_folder=os.environ["XDG_DATA_HOME"])
            window.show()
            window.show_welcome()  # a first run, as a new user sees it
            await asyncio.sleep(0.3)
            area = window.screen().availableGeometry()
            editor = window.editor
            scroll = window.panels.prompt.widget()
            out = {
                "available": [area.width(), area.height()],
                "window": [
                    window.frameGeometry().x(),
                    window.frameGeometry().y(),
                    window.width(),
                    window.height(),
                ],
                "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
                "editor_width": editor.width(),
                "editor_minimum": editor.minimumSizeHint().width(),
                "prompt_scrolls": scroll.verticalScrollBar().maximum() > 0,
                "overlaps": _rows_overlap(editor.form),
                "grid_width": window.grid.viewport().width(),
                "columns": window.grid.columns,
                "tabbed": window.panels.tabbed,
                "one_column": window.panels.one_column,
                "dock_minimums": {d.objectName(): d.minimumSizeHint().width() for d in window.panels.all},
                "grid_minimum": window.grid.minimumSizeHint().width(),
            }
            out["others"] = await _secondary_windows(window, session)
            window.close()
            await session.shutdown()
            return out

    print(json.dumps(loop.run_until_complete(probe())), flush=True)
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


if __name__ == "__main__":
    main()
