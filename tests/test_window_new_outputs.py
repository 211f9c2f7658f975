"""The window with gpt-image-2.6: the picker's order and reasons, complexity, GIF and SVG panels that play and
stay crisp, a hostile SVG shown harmlessly, and a preset naming a shut-down model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtSvgWidgets import QGraphicsSvgItem

from studio.state.thumbnails import load_scaled

from .test_svg_safety import HOSTILE
from .window_helpers import generate_panels, until

S26 = "gpt-image-2.6-sunburst"


def test_picker_order_reasons_and_the_new_controls(studio, qloop):
    window = studio()
    editor, model = window.editor, window.session.prompt
    ids = [editor.model_box.itemData(i) for i in range(editor.model_box.count())]
    assert ids[:2] == [S26, "gpt-image-2.6-flare"] and "gpt-image-1.5" not in ids
    assert "exact quotes" in editor.model_box.itemData(ids.index("gpt-image-2"), 3)  # Qt.ToolTipRole
    editor.model_box.setCurrentIndex(0)
    assert model.value("model") == S26 and "estimate" in editor.model_why.text()
    assert editor.form.isRowVisible(editor.complexity) and editor.complexity.currentText() == "default (high)"
    editor.complexity.setCurrentIndex(editor.complexity.findData("low"))
    assert model.request().complexity == "low"
    qualities = [editor.quality.itemText(i) for i in range(editor.quality.count())]
    assert "xhigh" in qualities and "max" in qualities
    assert "Reported by third parties" in editor.quality.itemData(qualities.index("max"), 3)  # [T] on 2.6
    assert "Reported" not in editor.quality.itemData(qualities.index("high"), 3)
    editor.output_format.setCurrentText("gif")
    assert editor.form.isRowVisible(editor.gif_row) and editor.frames.value() == 9
    assert (
        "a GIF needs an explicit frame size" in editor.error.text() and editor.nearest.text() == "Use 960x960"
    )
    editor.nearest.click()  # one click to the largest frame that fits the sheet
    assert model.value("size") == "960x960" and model.error is None
    assert not editor.form.isRowVisible(editor.svg_author)  # no SVG model selection: never offered
    editor.model_box.setCurrentIndex(ids.index("gpt-image-2"))  # a model without complexity, GIF or xhigh
    assert model.value("complexity") is None and model.value("output_format") == "png" and model.error is None
    assert not editor.form.isRowVisible(editor.complexity) and not editor.form.isRowVisible(editor.gif_row)
    assert "exact quotes" in editor.model_why.text()


def test_a_preset_naming_a_shut_down_model_opens_with_its_replacement_and_a_note(studio, qloop):
    window = studio()
    window.session.prompt.load(
        {"prompt": "x", "model": "gpt-image-1.5", "size": "1024x1024", "quality": "low"}
    )
    model = window.session.prompt
    assert model.value("model") == S26 and "gpt-image-1.5, which OpenAI shut down" in model.notice
    assert (
        "OpenAI's named replacement" in window.editor.warnings.text()
        and window.editor.warnings.isVisibleTo(window)
    )


def test_gif_and_svg_panels_play_and_render(studio, qloop):
    window = studio()
    board = generate_panels(window, qloop, 1, model=S26, size="512x512", output_format="gif", frame_count=4)
    gif_path = board.rows[0].path
    assert gif_path.endswith(".gif")
    window.grid.setCurrentIndex(board.index(0))
    until(qloop, lambda: window.grid.playing_frame(gif_path) is not None)
    window.open_panel()
    viewer = window.viewers[-1]
    until(qloop, lambda: getattr(viewer, "movie", None) is not None and viewer.movie.frameCount() == 4)
    window.session.prompt.load(
        {
            "prompt": "a logo",
            "model": S26,
            "size": "1024x1024",
            "quality": "low",
            "n": 1,
            "output_format": "svg",
        }
    )
    window.generate()
    until(qloop, lambda: len(board.rows) == 2 and all(not r.pending for r in board.rows))
    svg_row = window.session.board.rows[-1]
    assert svg_row.path.endswith(".svg")
    until(
        qloop, lambda: board.index(1).data(1) is not None
    )  # DecorationRole: the vector drawn as a thumbnail
    window.grid.setCurrentIndex(board.index(1))
    window.open_panel()
    viewer = window.viewers[-1]
    until(qloop, lambda: isinstance(getattr(viewer, "svg_item", None), QGraphicsSvgItem))
    before = viewer.svg_item.boundingRect()
    viewer.view.zoom(8)  # a vector: zooming scales the item, never a bitmap
    assert viewer.svg_item.boundingRect() == before and viewer.view.scale_factor > 1
    viewer.close()
    assert window.grid.playing_frame(gif_path) is None  # the SVG panel is selected: the GIF stopped
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    for i in (
        1,
        0,
    ):  # the mouse moves over the SVG panel, then over the GIF panel (events sent to the view itself)
        at = QPointF(window.grid.visualRect(board.index(i)).center())
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            at,
            window.grid.viewport().mapToGlobal(at),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(window.grid.viewport(), move)
    until(qloop, lambda: window.grid.playing_frame(gif_path) is not None)  # under the mouse: it plays


def test_a_hostile_svg_is_shown_harmlessly(tmp_path):
    path = tmp_path / "evil.svg"
    path.write_bytes(HOSTILE)
    image = load_scaled(str(path), 128)
    assert not image.isNull() and image.width() == 128
    laughs = tmp_path / "laughs.svg"
    from .test_svg_safety import LAUGHS

    laughs.write_bytes(LAUGHS)
    assert not load_scaled(str(laughs), 64).isNull()  # rendered from the sanitized copy; nothing expanded
    assert Path(path).read_bytes() == HOSTILE  # the file itself is untouched


def test_the_cost_meter_says_estimate_or_exact(studio, qloop):
    window = studio()
    window.session.prompt.load({"prompt": "x", "model": S26, "size": "1024x1024", "quality": "low"})
    assert "(estimate" in window.costs.quote.text() and "bound" in window.costs.quote.text()
    window.session.prompt.load({"prompt": "x", "model": "gpt-image-2", "size": "1024x1024", "quality": "low"})
    assert "(exact" in window.costs.quote.text()


def test_a_refused_transparent_background_is_offered_again_opaque_with_one_click(studio, qloop, sandbox):
    sandbox.config.no_transparency = frozenset({S26})
    window = studio()
    window.session.prompt.load(
        {
            "prompt": "a sticker",
            "model": S26,
            "size": "1024x1024",
            "quality": "low",
            "n": 1,
            "background": "transparent",
        }
    )
    window.generate()
    until(qloop, lambda: getattr(window, "opaque_box", None) is not None)
    box = window.opaque_box
    assert (
        "Transparent background is not supported" in box.text()
        and "opaque background would work" in box.text()
    )
    assert window.session.board.rows == [] or all(r.pending is False for r in window.session.board.rows)
    sent = [r for r in sandbox.sandbox.requests if r["path"].startswith("/v1/images/")]
    assert len(sent) == 1  # nothing is sent again without the click
    box.accept()
    until(qloop, lambda: len(window.session.board.rows) == 1 and not window.session.board.rows[0].pending)
    last = [r for r in sandbox.sandbox.requests if r["path"].startswith("/v1/images/")][-1]
    assert last["params"]["background"] == "opaque"


def test_a_newer_model_the_endpoint_lists_can_be_opted_in_from_settings(studio, qloop, sandbox):
    from PySide6.QtCore import Qt

    sandbox.config.extra_models = frozenset({"gpt-image-2.7-nova"})
    window = studio(is_sandbox=False)
    until(qloop, lambda: window.session.service.model_list is not None)  # read on start, off the GUI thread
    window.open_settings()
    dialog = window.settings_dialog
    until(
        qloop,
        lambda: (
            dialog.extra_models.count() == 1 and dialog.extra_models.item(0).data(Qt.ItemDataRole.UserRole)
        ),
    )
    item = dialog.extra_models.item(0)
    assert "not in this version's model list" in item.text() and item.checkState() == Qt.CheckState.Unchecked
    box = window.editor.model_box
    assert box.findData("gpt-image-2.7-nova") < 0
    item.setCheckState(Qt.CheckState.Checked)
    dialog.save()
    until(qloop, lambda: box.findData("gpt-image-2.7-nova") >= 0)
    assert "not in this version's model list" in box.itemText(box.findData("gpt-image-2.7-nova"))
    window.session.prompt.load(
        {"prompt": "x", "model": "gpt-image-2.7-nova", "size": "1024x1024", "quality": "low"}
    )
    assert window.session.prompt.quote.kind == "estimate" and window.session.prompt.error is None


def test_a_history_entry_naming_an_unknown_model_says_so(studio, qloop):
    window = studio()
    window.session.prompt.load(
        {"prompt": "x", "model": "gpt-image-9-nova", "size": "1024x1024", "quality": "low"}
    )
    notice = window.session.prompt.notice
    assert "gpt-image-9-nova, which this version does not know" in notice and "shut down" not in notice
    assert window.session.prompt.value("model") == S26
