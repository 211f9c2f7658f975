"""Storyboard fields and the Export dialog in the studio window."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from .window_helpers import generate_panels, until

SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


def _board(window, qloop, n=3):
    return generate_panels(window, qloop, n, prompt="a lighthouse", size="1536x1024")


def test_panel_fields_are_edited_undone_and_kept(studio, qloop):
    window = studio()
    board = _board(window, qloop)
    window.grid.setCurrentIndex(board.index(1))
    d = window.details
    assert d.caption.isEnabled() and d.duration.value() == 2.0
    d.shot.setCurrentText("Close-up")
    d.shot.lineEdit().editingFinished.emit()
    until(qloop, lambda: board.rows[1].shot == "Close-up")
    d.duration.setValue(3.5)
    d.duration.editingFinished.emit()
    until(qloop, lambda: board.rows[1].duration == 3.5)
    d.notes.setPlainText("He hears the foghorn")
    d.notes.setFocus()
    window.grid.setFocus()  # focus out saves the notes
    until(qloop, lambda: board.rows[1].notes == "He hears the foghorn")
    window.session.boards.undo.undo()  # the notes
    until(qloop, lambda: board.rows[1].notes == "")
    window.session.boards.undo.redo()
    until(qloop, lambda: board.rows[1].notes == "He hears the foghorn")
    window.close()
    qloop.run_until_complete(window.session.shutdown())
    again = studio()
    row = again.session.board.rows[1]
    assert (row.shot, row.duration, row.notes) == ("Close-up", 3.5, "He hears the foghorn")


def test_export_dialog_exports_and_reveals(studio, qloop, tmp_path):
    window = studio()
    board = _board(window, qloop)
    window.session.boards.set_caption(board.rows[0].panel_id, "Opening")
    until(qloop, lambda: board.rows[0].caption == "Opening")
    window.export_action.trigger()
    dialog = window.export_dialog
    assert dialog.isVisible() and all(c.isChecked() for c in dialog.checks.values())
    dialog.destination.setText(str(tmp_path / "out"))
    dialog.checks["zip"].setChecked(False)
    dialog.gif_width.setValue(320)
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    # the folder does not exist: it is created only once the user says so
    assert dialog.confirm.isVisible() and not (tmp_path / "out").exists()
    assert "does not exist" in dialog.confirm.text()
    dialog.confirm.button(dialog.confirm.StandardButton.Yes).click()
    until(qloop, lambda: window.exporter.folder is not None, timeout=60)
    folder = Path(window.exporter.folder)
    assert (
        folder.parent == tmp_path / "out"
        and "Exported to" in dialog.status.text()
        and dialog.reveal_button.isVisible()
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["panels"][0]["caption"] == "Opening" and manifest["sandbox"] is True
    assert (folder / "storyboard.pdf").exists() and not list(folder.glob("*.zip"))
    if SHOTS:
        dialog.grab().save(str(SHOTS / "export-dialog.png"))


def test_export_dialog_cancel_writes_nothing(studio, qloop, tmp_path):
    window = studio()
    _board(window, qloop, n=4)
    window.export_action.trigger()
    dialog = window.export_dialog
    (tmp_path / "out").mkdir()
    dialog.destination.setText(str(tmp_path / "out"))
    window.exporter.progress.connect(lambda *_: window.exporter.cancel())  # cancel at the first step
    dialog.start()
    until(qloop, lambda: "Cancelled" in dialog.status.text(), timeout=60)
    assert list((tmp_path / "out").iterdir()) == []


def test_export_dialog_never_creates_a_folder_unasked_and_remembers_the_last(studio, qloop, tmp_path):
    window = studio()
    _board(window, qloop, n=1)
    window.export_action.trigger()
    dialog = window.export_dialog
    assert Path(dialog.destination.text()).is_dir()  # the default exists: nothing made to show it
    missing = tmp_path / "not-yet"
    dialog.destination.setText(str(missing))
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.confirm.button(dialog.confirm.StandardButton.No).click()
    assert not missing.exists() and window.exporter.folder is None and dialog.export_button.isEnabled()
    chosen = tmp_path / "exports"
    chosen.mkdir()
    dialog.destination.setText(str(chosen))
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)  # exists: no question
    until(qloop, lambda: window.exporter.folder is not None, timeout=60)
    dialog.close()
    qloop.run_until_complete(window.session.shutdown())
    window.close()
    again = studio()  # a restart: the dialog opens on the folder the last export went into
    again.export_action.trigger()
    until(qloop, lambda: again.export_dialog.destination.text() == str(chosen.resolve()))
