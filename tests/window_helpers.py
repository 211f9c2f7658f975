"""The studio window over a real Session, the qasync loop and the embedded sandbox, for window tests:
`until` waits on a condition while the loop runs; the `studio` fixture (in conftest) opens windows."""

from __future__ import annotations

import asyncio
import time

from studio.service.endpoint import Endpoint
from studio.state.session import Session
from studio.ui.main_window import MainWindow

_last_board: list = []


def until(loop, predicate, timeout: float = 20.0) -> None:
    async def wait():
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                rows = [(r.state, r.panel_id) for board in _last_board[-1:] for r in board.rows]
                raise AssertionError(f"condition not met in time; board: {rows}")
            await asyncio.sleep(0.02)

    loop.run_until_complete(wait())


def studio_windows(qloop, qtbot, sandbox, tmp_path):
    """Open a window on a session; returns a function so a test can 'restart the app'."""
    opened = []

    def open_window(*, is_sandbox: bool = True, **kwargs) -> MainWindow:
        endpoint = Endpoint(sandbox.base_url, "test-key-not-secret", is_sandbox=is_sandbox)
        kwargs.setdefault("tier", 5)
        session = qloop.run_until_complete(Session.open(endpoint, root=tmp_path / "library", **kwargs))
        window = MainWindow(session, data_folder=str(tmp_path / "library"))
        _last_board[:] = []
        _last_board.append(session.board)  # the board the diagnostic shows
        qtbot.addWidget(window)
        window.show()
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        qloop.run_until_complete(window.session.shutdown())
        try:
            window.close()
        except RuntimeError:  # already deleted by Qt
            pass


def generate_panels(window, qloop, n: int = 2, *, prompt: str = "x", size: str = "1024x1024", **params):
    """Generate n panels through the window (sandbox) and wait until all are saved; returns the board."""
    window.session.prompt.load({"prompt": prompt, "size": size, "quality": "low", "n": n, **params})
    window.generate()
    board = window.session.board
    until(qloop, lambda: len(board.rows) == n and all(not r.pending for r in board.rows))
    return board


def painter_with_a_stroke(window, qloop):
    """One generated panel, opened in the mask painter with a stroke painted: (the board, the painter)."""
    from PySide6.QtCore import QPointF

    board = generate_panels(window, qloop, 1, prompt="a harbour")
    window.grid.setCurrentIndex(board.index(0))
    window.paint_action.trigger()
    until(qloop, lambda: bool(window.painter_windows))
    painter = window.painter_windows[-1]
    painter.doc.begin_stroke(QPointF(100, 100))
    painter.doc.stroke_to(QPointF(300, 300))
    painter.doc.end_stroke()
    return board, painter
