"""The keyboard-only flow in a real window: the app started as a user starts it (no key: the sandbox) on an
X server (Xvfb), driven by real key events from xdotool: write a prompt, set size, quality and n, generate,
move through the panels with the arrow keys, star, caption, open the painter, pick a shape tool and the
brush size by key, mask, edit, compare the versions, export, quit. What happened is read back from the
library and the export folder, as the app wrote them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs Xvfb and xdotool (CI installs them)"
)


def _wait(what: str, ready: Callable[[], object], timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(0.1)  # polling another process's window and files (not a timing assertion)
    if os.environ.get("REAL_WINDOW_SHOTS") and shutil.which("import"):  # what the screen showed
        subprocess.run(["import", "-window", "root", os.environ["REAL_WINDOW_SHOTS"]], check=False)
    raise AssertionError(f"not in time: {what}")


class Xdo:
    def __init__(self, env: dict[str, str]):
        self.env = env

    def run(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30)
        return done.stdout.strip()

    def window(self, name: str) -> str:
        found = _wait(f"a window named {name!r}", lambda: self.run("search", "--onlyvisible", "--name", name))
        return str(found).split()[-1]

    def focus(self, name: str) -> str:
        wid = self.window(name)
        self.run("windowfocus", "--sync", wid)
        return wid

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("key", "--clearmodifiers", key)
            time.sleep(0.05)  # one key after the other, as a person types them

    def type(self, text: str) -> None:
        self.run("type", "--delay", "15", text)


def _library(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "asset-studio" / "library.sqlite3"


def _query(env: dict[str, str], sql: str) -> list[tuple]:
    path = _library(env)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


@pytest.fixture
def display(tmp_path, monkeypatch):
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait("the X server", lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), 20)
    monkeypatch.setenv("DISPLAY", f":{number}")  # for a screenshot of a failure (REAL_WINDOW_SHOTS)
    yield f":{number}"
    server.terminate()
    server.wait(10)


def test_the_whole_flow_without_a_mouse(display, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "OPENAI_"))}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    out = tmp_path / "exports"
    out.mkdir()
    app = subprocess.Popen([sys.executable, "-m", "studio"], env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    xdo = Xdo(env)
    try:
        xdo.focus("Asset Studio")
        _wait("the library", lambda: _query(env, "SELECT COUNT(*) FROM boards"))
        # the prompt has focus on start; every field is reached by its label (Alt+letter)
        xdo.type("a lighthouse at dusk")
        xdo.keys("alt+z", "ctrl+a")
        xdo.type("1024x1024")
        xdo.keys("Tab", "alt+q")
        xdo.type("low")
        xdo.keys("alt+n", "ctrl+a", "2", "Tab", "ctrl+Return")
        panels = "SELECT p.id FROM panels p WHERE p.deleted_at IS NULL AND p.image_id IS NOT NULL"
        _wait("two panels", lambda: len(_query(env, panels)) == 2)
        request = _query(env, "SELECT request_json FROM jobs")[0][0]
        assert '"size": "1024x1024"' in request and '"quality": "low"' in request and '"n": 2' in request
        assert "a lighthouse at dusk" in request
        # the board: F6 moves there; → the second panel; S stars it; F2 captions it
        xdo.keys("F6", "Right", "s")
        second = "SELECT id, starred, caption FROM panels WHERE deleted_at IS NULL ORDER BY position"
        _wait("panel 2 starred", lambda: [r[1] for r in _query(env, second)] == [0, 1])
        xdo.keys("F2")
        xdo.type("Harbour")
        xdo.keys("Return")
        _wait("its caption", lambda: _query(env, second)[1][2] == "Harbour")
        # the painter: a shape tool (R) and the brush size by key, the mask inverted (all of it), an edit
        xdo.keys("ctrl+e")
        xdo.focus("Mask Painter")
        xdo.keys("r", "bracketright", "bracketright", "Return")  # the rectangle tool: anchor at the centre
        xdo.keys(*["shift+Right", "shift+Down"] * 3, "Return")  # ... and its far corner
        xdo.keys("alt+p")
        xdo.type("night falls")
        xdo.keys("ctrl+Return")
        _wait("the edit as a new version", lambda: _query(env, "SELECT COUNT(*) FROM versions")[0][0] >= 2)
        xdo.keys("ctrl+w")
        _wait("the painter closed", lambda: not xdo.run("search", "--onlyvisible", "--name", "Mask Painter"))
        # compare: the edited panel against its previous version
        xdo.focus("Asset Studio")
        xdo.keys("c")
        xdo.focus("Compare")
        xdo.keys("ctrl+1", "ctrl+0", "ctrl+w")
        _wait("compare closed", lambda: not xdo.run("search", "--onlyvisible", "--name", "Compare"))
        # export: the folder typed into its field, Return exports, Esc closes
        xdo.focus("Asset Studio")
        xdo.keys("ctrl+shift+e")
        xdo.focus("Export board")
        xdo.keys("alt+i", "ctrl+a")
        xdo.type(str(out))
        xdo.keys("Return")
        folder = _wait("the export", lambda: [p for p in out.glob("*/manifest.json")], 120)
        manifest = Path(str(folder[0])).read_text()
        assert '"starred": true' in manifest and '"caption": "Harbour"' in manifest
        xdo.keys("Escape")
        xdo.focus("Asset Studio")
        xdo.keys("ctrl+q")
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
        stderr = app.stderr.read().decode(errors="replace") if app.stderr else ""
        app.wait(10)
    assert "Traceback" not in stderr, stderr[-3000:]
