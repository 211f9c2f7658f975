"""The painter's markup layer: drawn with the mouse, sent as `markup` (never with a mask), no drift guard."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from .test_painter import _painter
from .window_helpers import generate_panels, until

S26 = "gpt-image-2.6-sunburst"
SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


def _drag(canvas, a: QPointF, b: QPointF) -> None:
    pa, pb = canvas.mapFromScene(a), canvas.mapFromScene(b)
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pa)
    QTest.mouseMove(canvas.viewport(), pb)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pb)


def test_markup_needs_a_model_that_takes_it(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 1, prompt="a harbour")
    window.grid.setCurrentIndex(board.index(0))
    painter = _painter(window, qloop)
    assert (
        not painter.panel.use_markup.isEnabled() and "takes no markup" in painter.panel.use_markup.toolTip()
    )
    window.session.prompt.set("model", S26)
    assert painter.panel.use_markup.isEnabled()


def test_a_markup_edit_from_the_painter(studio, qloop, sandbox):
    window = studio()
    board = generate_panels(window, qloop, 1, prompt="a harbour with boats", model=S26)
    window.grid.setCurrentIndex(board.index(0))
    painter = _painter(window, qloop)
    painter.panel.use_markup.setChecked(True)
    canvas = painter.canvas
    assert (
        canvas.layer == "markup"
        and painter.markup_bar.isVisibleTo(painter)
        and not canvas.mask_item.isVisible()
    )
    assert painter.windowTitle().startswith("Markup") and not painter.panel.guard_box.isEnabled()
    assert "anything in the image may change" in painter.panel.markup_note.text()
    canvas.set_zoom(0.5)
    painter.set_markup_tool("circle")
    _drag(canvas, QPointF(600, 150), QPointF(850, 400))
    painter.set_markup_tool("arrow")
    _drag(canvas, QPointF(200, 700), QPointF(560, 420))
    painter.set_markup_tool("pen")
    _drag(canvas, QPointF(100, 900), QPointF(300, 950))
    painter.set_markup_tool("text")
    canvas.markup.draw_text(QPointF(120, 760), "make this a sun")  # the text tool's dialog places this
    assert canvas.markup.undo.count() == 4 and not canvas.markup.is_empty()
    layer = Image.open(io.BytesIO(canvas.markup.png()))
    assert layer.size == (1024, 1024) and layer.mode == "RGBA" and layer.getpixel((0, 0))[3] == 0
    QTest.keyClicks(painter.panel.prompt, "a sun where the circle is")
    until(qloop, lambda: "Edit: ~$" in painter.panel.quote.text())
    if SHOTS:
        painter.resize(1280, 820)
        qloop.run_until_complete(__import__("asyncio").sleep(0.2))
        painter.grab().save(str(SHOTS / "09-painter-markup.png"))
    painter.edit_action.trigger()
    until(qloop, lambda: painter.controller.last_result is not None, timeout=40)
    result = painter.controller.last_result
    assert result["markup"] and result["drift"] is None and "Edited with markup" in painter.panel.drift.text()
    sent = [r for r in sandbox.sandbox.requests if r["path"] == "/v1/images/edits"][-1]
    assert {f["field"] for f in sent["files"]} == {"image", "markup"}  # never with a mask
    until(qloop, lambda: len(painter.controller.versions) == 2)
