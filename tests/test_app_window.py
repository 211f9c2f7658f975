"""The placeholder window: title, sandbox banner, quit; the GUI entry point starts and exits cleanly."""

import os
import subprocess
import sys
from pathlib import Path

from studio.ui.main_window import SANDBOX_TEXT, MainWindow

ROOT = Path(__file__).resolve().parents[1]


def test_window_shows_the_sandbox_banner_with_an_add_key_button(qtbot, tmp_path):
    window = MainWindow(endpoint_label="the offline sandbox", sandbox=True)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "Asset Studio — Untitled board"
    assert window.banner is not None and window.banner.label.text() == SANDBOX_TEXT
    assert window.banner.button.isVisible()
    window.grab().save(str(tmp_path / "window.png"))
    assert (tmp_path / "window.png").stat().st_size > 0


def test_no_banner_with_a_real_endpoint(qtbot):
    window = MainWindow(endpoint_label="https://api.openai.com/v1", sandbox=False)
    qtbot.addWidget(window)
    assert window.banner is None


def test_quit_action_closes_the_window(qtbot):
    window = MainWindow(endpoint_label="x", sandbox=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.closed, timeout=2000):
        window.quit_action.trigger()


def test_gui_entry_point_starts_the_sandbox_and_exits_0():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-m", "studio", "--smoke"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "title='Asset Studio — Untitled board'" in r.stdout and "sandbox=True" in r.stdout


def test_add_key_button_explains_how_without_blocking(qtbot):
    window = MainWindow(endpoint_label="x", sandbox=True)
    qtbot.addWidget(window)
    window.show()
    window.banner.button.click()
    qtbot.waitUntil(lambda: window.key_dialog.isVisible())
    assert "OPENAI_API_KEY" in window.key_dialog.text()
    window.key_dialog.close()
