"""From a laptop to 4K and HiDPI: the window opens inside the screen's available area, the side panels are
docks that stack on small screens, the parameter rows never overlap (the prompt scrolls instead), the grid
keeps the width and its columns fill it, and the dock layout is remembered.

Screen size and QT_SCALE_FACTOR are fixed when a Qt process starts, so each screen is opened in a child
process (tests/layout_probe.py) on the offscreen platform with that screen configured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.window_helpers import until

ROOT = Path(__file__).resolve().parents[1]
SCREENS = [  # (width, height, QT_SCALE_FACTOR)
    (1024, 700, "1"),
    (1600, 1000, "1.5"),
    (1600, 1000, "2"),
    (1920, 1080, "1"),
    (3840, 2160, "1"),
    (3840, 2160, "2"),
]


def _probe(width: int, height: int, scale: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.layout_probe", str(width), str(height), scale],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    return json.loads(lines[-1])


@pytest.mark.parametrize(("width", "height", "scale"), SCREENS, ids=[f"{w}x{h}@{s}" for w, h, s in SCREENS])
def test_the_window_fits_every_screen(width, height, scale):
    out = _probe(width, height, scale)
    avail_w, avail_h = out["available"]
    x, y, w, h = out["window"]
    # never larger than the available area, never off it
    assert 0 <= x and 0 <= y and x + w <= avail_w and y + h <= avail_h, out
    assert not out["overlaps"], out  # every parameter row readable
    assert out["editor_width"] >= out["editor_minimum"], out  # the prompt is not squeezed: it scrolls
    # the grid is the centre: at least two columns and a good part of the width on every screen
    assert out["columns"] >= 2 and out["grid_width"] >= w * 0.38, out
    if avail_w < 1280 or avail_h < 820:
        assert out["tabbed"], out  # small screen: the right-hand panels stack as tabs
    if avail_w >= 1900 and avail_h >= 1000:
        assert not out["tabbed"], out  # a large one shows them side by side
    if avail_h <= 500:
        assert out["prompt_scrolls"], out
    # every other window too: viewer, settings, shortcuts, export, compare, animatic, painter
    assert set(out["others"]) == {
        "viewer",
        "settings",
        "shortcuts",
        "export",
        "compare",
        "animatic",
        "painter",
    }
    for name, (x, y, w, h) in out["others"].items():
        assert x + w <= avail_w and y + h <= avail_h, (name, out["others"][name], out["available"])


def test_the_dock_layout_is_remembered(studio, qloop):
    window = studio()
    assert window.panels.jobs.isVisible()
    window.panels.jobs.toggleViewAction().trigger()  # the user closes the Jobs panel
    window.tabifyDockWidget(window.panels.costs, window.panels.details)
    assert not window.panels.jobs.isVisible()
    qloop.run_until_complete(window.session.shutdown())
    window.close()
    again = studio()
    until(qloop, lambda: again.isVisible())
    assert not again.panels.jobs.isVisible()
    assert again.panels.details in again.tabifiedDockWidgets(again.panels.costs)
    again.panels.jobs.toggleViewAction().trigger()  # View ▸ Panels brings it back
    assert again.panels.jobs.isVisible()
