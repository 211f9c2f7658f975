"""The mask painter in the studio window: paint, edit through the sandbox, see drift, compare, revert."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageChops
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainterPath
from PySide6.QtTest import QTest

from studio.core import mask_ops
from studio.state.mask_document import MaskDocument, mask_to_pil

from .window_helpers import generate_panels, until

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


def _generate_one(window, qloop):
    board = generate_panels(window, qloop, 2, prompt="a harbour with boats")
    window.grid.setCurrentIndex(board.index(0))
    return board


def _painter(window, qloop):
    window.paint_action.trigger()
    until(qloop, lambda: bool(window.painter_windows))
    return window.painter_windows[-1]


def test_open_paint_edit_compare_revert(studio, qloop, qtbot):
    window = studio()
    board = _generate_one(window, qloop)
    original = board.rows[0].path
    painter = _painter(window, qloop)
    assert painter.windowTitle() == "Mask Painter — panel 1"
    canvas, doc = painter.canvas, painter.doc
    assert (doc.mask.width(), doc.mask.height()) == (
        1024,
        1024,
    ) and doc.mask.format() == QImage.Format.Format_Alpha8

    # paint a stroke with the mouse at some zoom: the mask stays in source pixels
    canvas.set_zoom(0.5)
    painter.set_tool("brush")
    doc.set_brush_size(60)
    a = canvas.mapFromScene(QPointF(400, 400))
    b = canvas.mapFromScene(QPointF(600, 420))
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(canvas.viewport(), b)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    painted = mask_to_pil(doc.mask)
    assert painted.getpixel((500, 410)) == 255 and painted.getpixel((100, 100)) == 0
    assert doc.undo.count() == 1
    # a rectangle too (another undo step)
    painter.set_tool("rect")
    c, d = canvas.mapFromScene(QPointF(300, 600)), canvas.mapFromScene(QPointF(450, 700))
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c)
    QTest.mouseMove(canvas.viewport(), d)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, d)
    assert mask_to_pil(doc.mask).getpixel((400, 650)) == 255 and doc.undo.count() == 2

    # edit: the quote shows first, then the result becomes version 2 of the panel
    QTest.keyClicks(painter.panel.prompt, "a red lighthouse")
    until(qloop, lambda: "Edit: ~$" in painter.panel.quote.text())
    assert "sandbox" in painter.panel.quote.text()
    painter.edit_action.trigger()
    until(
        qloop,
        lambda: painter.controller.last_result is not None and len(painter.controller.versions) == 2,
        timeout=40,
    )
    result = painter.controller.last_result
    assert result["drift"].share > 0 and "Drift outside the mask" in painter.panel.drift.text()
    until(qloop, lambda: board.rows and board.rows[0].path == result["path"])
    assert len(board.rows) == 2  # a version, not a new panel
    # the guard kept the pixels outside the band
    src = Image.open(original).convert("RGB")
    out = Image.open(result["path"]).convert("RGB")
    protected = mask_ops.invert(mask_ops.grow(mask_to_pil(doc.mask), 8))
    diff = ImageChops.difference(src, out)
    assert max(ImageChops.multiply(band, protected).getextrema()[1] for band in diff.split()) <= 2

    painter.panel.show_heatmap.setChecked(True)
    assert painter.canvas.heatmap_item.isVisible()
    painter.panel.compare.setChecked(True)
    painter.panel.split.setValue(40)
    assert painter.canvas.image_item.other is not None and painter.canvas.image_item.split == 0.4
    if SHOTS:
        painter.grab().save(str(SHOTS / "painter-drift-heatmap.png"))
        painter.panel.show_heatmap.setChecked(False)
        painter.grab().save(str(SHOTS / "painter-compare.png"))

    # the raw result is offered too: it becomes version 3
    assert painter.panel.raw_button.isEnabled()
    painter.panel.raw_button.click()
    until(qloop, lambda: len(painter.controller.versions) == 3 and board.rows[0].path == result["raw_path"])

    # revert to the original: the panel shows it again, history is kept
    painter.panel.versions.setCurrentRow(0)
    painter.panel.revert_button.click()
    until(qloop, lambda: board.rows[0].path == original)
    until(qloop, lambda: len(painter.controller.versions) == 3 and painter.controller.versions[0]["current"])


def test_undo_redo_invert_grow_feather(qapp):
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(0x808080)
    doc = MaskDocument(image)
    path = QPainterPath()
    path.addEllipse(QRectF(100, 100, 100, 80))
    doc.fill_path(path)
    one = mask_to_pil(doc.mask).copy()
    assert one.getpixel((150, 140)) == 255
    assert doc.grow(5) and mask_to_pil(doc.mask).getpixel((97, 140)) == 255
    assert doc.feather(4) and 0 < mask_to_pil(doc.mask).getpixel((150, 97)) < 255
    assert doc.invert() and mask_to_pil(doc.mask).getpixel((0, 0)) == 255
    for _ in range(3):
        doc.undo.undo()
    assert mask_to_pil(doc.mask).tobytes() == one.tobytes()
    doc.undo.redo()
    assert mask_to_pil(doc.mask).getpixel((97, 140)) == 255
    # an undo command holds only its rectangle's patches
    cmd = doc.undo.command(1)  # the grow
    assert cmd.before.width() < 400 and cmd.before.height() < 300
    assert doc.clear() is not False and doc.coverage() == 0.0


def test_brush_keys_and_mask_zoom_independence(studio, qloop):
    window = studio()
    _generate_one(window, qloop)
    painter = _painter(window, qloop)
    canvas, doc = painter.canvas, painter.doc
    size = doc.brush_size
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert doc.brush_size > size
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert doc.brush_size < size
    doc.set_brush_size(20)
    masks = []
    for zoom in (0.25, 2.0):
        doc.clear()
        canvas.set_zoom(zoom)
        canvas.centerOn(QPointF(512, 512))
        p = canvas.mapFromScene(QPointF(512, 512))
        QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p)
        QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p)
        masks.append(mask_to_pil(doc.mask).getbbox())
    (x0, y0, x1, y1), (u0, v0, u1, v1) = masks
    assert (
        abs(x0 - u0) <= 2 and abs(x1 - u1) <= 2 and 18 <= x1 - x0 <= 24
    )  # 20 source pixels whatever the zoom


def test_an_empty_mask_is_refused_in_the_painter(studio, qloop, sandbox):
    window = studio()
    _generate_one(window, qloop)
    painter = _painter(window, qloop)
    before = len(sandbox.sandbox.requests)
    QTest.keyClicks(painter.panel.prompt, "anything")
    painter.edit_action.trigger()
    until(qloop, lambda: "is empty" in painter.statusBar().currentMessage())
    assert len(sandbox.sandbox.requests) == before and not painter.controller.busy


def test_reroll_with_references_sends_the_first_panel(studio, qloop, sandbox):
    window = studio()
    board = _generate_one(window, qloop)
    first, second = board.rows[0].panel_id, board.rows[1].panel_id
    window.grid.setCurrentIndex(board.index(1))
    window.reroll_refs_action.trigger()
    box = window.reroll_box
    assert "with 1 reference image" in box.text()
    box.accept()
    until(qloop, lambda: len(board.rows) == 3 and all(not r.pending for r in board.rows))
    assert [r.panel_id for r in board.rows][:2] == [first, second]  # the new panel lands after panel 2
    sent = [r for r in sandbox.sandbox.requests if r["path"].endswith("/images/edits")][-1]
    assert [f["field"] for f in sent["files"]] == ["image"] and "mask" not in [
        f["field"] for f in sent["files"]
    ]
    assert sent["params"]["prompt"] == "a harbour with boats" and sent["params"]["n"] == "1"


def test_painter_polish_steady_toolbar_status_in_step_nothing_clipped(studio, qloop):
    from PySide6.QtWidgets import QScrollArea

    from tests.window_helpers import painter_with_a_stroke

    window = studio()
    _, painter = painter_with_a_stroke(window, qloop)
    # the toolbar's Undo keeps its label (the toolbar does not jump); what it undoes is in the tooltip
    assert painter.undo_action.text() == "Undo" and painter.undo_action.toolTip().startswith("Undo ")
    assert painter.undo_action.toolTip() != "Undo"
    painter.size_box.setValue(77)  # the status bar says the new size at once, not at the next mouse move
    assert "brush 77 px" in painter.status.text()
    painter.doc.set_brush_size(31)
    assert painter.size_box.value() == 31 and "brush 31 px" in painter.status.text()
    versions = painter.panel.versions
    assert versions.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert versions.wordWrap()
    dock_widget = painter.panel.parentWidget()
    while dock_widget is not None and not isinstance(dock_widget, QScrollArea):
        dock_widget = dock_widget.parentWidget()
    assert dock_widget is not None  # a short window scrolls the side panel instead of clipping it
    painter.resize(900, 420)
    QTest.qWait(0)
    assert dock_widget.verticalScrollBar().maximum() > 0  # taller than the window: it scrolls
    assert painter.panel.height() >= painter.panel.minimumSizeHint().height()  # nothing squeezed


def test_painting_with_the_keyboard_alone(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 1, prompt="a harbour")
    window.grid.setCurrentIndex(board.index(0))
    window.paint_action.trigger()
    until(qloop, lambda: bool(window.painter_windows))
    painter = window.painter_windows[-1]
    painter.activateWindow()
    canvas = painter.canvas
    assert canvas.hasFocus()  # the painter opens ready to paint: tool keys are tools, not letters typed
    QTest.keyClick(canvas, Qt.Key.Key_R)  # the rectangle tool, by key
    assert canvas.tool == "rect"
    QTest.keyClick(canvas, Qt.Key.Key_BracketRight)
    start = canvas.keys.cursor  # the image's centre
    QTest.keyClick(canvas, Qt.Key.Key_Return)  # anchor one corner
    for _ in range(4):
        QTest.keyClick(canvas, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert painter.doc.coverage() == 0  # nothing painted until the shape is closed
    QTest.keyClick(canvas, Qt.Key.Key_Return)  # the rectangle from the anchor to the cursor
    end = canvas.keys.cursor
    covered = painter.doc.coverage()
    expected = (end.x() - start.x()) * (end.y() - start.y()) / (1024 * 1024)
    assert covered > 0 and abs(covered - expected) < 0.01
    QTest.keyClick(canvas, Qt.Key.Key_B)  # the brush: Return dabs at the cursor
    QTest.keyClick(canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert painter.doc.coverage() > covered
    QTest.keyClick(canvas, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Alt+P: the edit prompt
    assert painter.panel.prompt.hasFocus()
