"""The window's cast actions (a mixin of MainWindow): the Cast panel's requests, "Add panel to cast…",
"Add crop of panel to cast…" and "Continue from this panel"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QImageReader, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QRubberBand,
    QVBoxLayout,
    QWidget,
)

CROP_VIEW = 560  # the crop dialog shows the panel at most this wide or high


class CropView(QLabel):
    """The panel's picture, scaled; drag a rectangle on it. `box()` is in the picture's own pixels."""

    def __init__(self, path: str, size: tuple[int, int], parent: QWidget | None = None):
        super().__init__(parent)
        reader = QImageReader(path)
        w, h = size
        scale = min(1.0, CROP_VIEW / max(w, h))
        reader.setScaledSize(QSize(max(1, int(w * scale)), max(1, int(h * scale))))
        self.setPixmap(QPixmap.fromImage(reader.read()))
        self._scale, self._full = scale, (w, h)
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._origin = QPoint()
        self._box: tuple[int, int, int, int] | None = None
        self.setCursor(Qt.CursorShape.CrossCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt naming)
        self._origin = event.position().toPoint()
        self._band.setGeometry(QRect(self._origin, QSize()))
        self._band.show()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized())
        r, s = self._band.geometry(), self._scale
        w, h = self._full
        left, top = max(0, round(r.x() / s)), max(0, round(r.y() / s))
        self._box = (left, top, min(w - left, round(r.width() / s)), min(h - top, round(r.height() / s)))

    def set_box(self, left: int, top: int, width: int, height: int) -> None:
        """Select a box in the picture's pixels (keyboard users and tests)."""
        s = self._scale
        self._band.setGeometry(QRect(int(left * s), int(top * s), int(width * s), int(height * s)))
        self._band.show()
        self._box = (left, top, width, height)

    def box(self) -> tuple[int, int, int, int] | None:
        """The chosen box in the picture's own pixels (None: nothing dragged yet)."""
        return self._box


class CropDialog(QDialog):
    def __init__(self, path: str, size: tuple[int, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a crop of the panel to the cast")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drag a rectangle around the character, prop or place to keep:"))
        self.view = CropView(path, size, self)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class CastActions:
    """Mixed into MainWindow (which provides session, panels, cast_panel, _row, _ask, show_error)."""

    session: Any
    panels: Any
    cast_panel: Any
    _row: Any
    _ask: Any
    show_error: Any

    _action: Any

    def build_cast_actions(self, edit: Any, generate: Any) -> None:
        a = self._action
        self.cast_add_action = a(
            "&Add panel to cast…", self.add_panel_to_cast, "Ctrl+Shift+A", menu=edit, on_grid=True
        )
        self.cast_crop_action = a(
            "Add cro&p of panel to cast…", self.add_crop_to_cast, menu=edit, on_grid=True
        )
        self.continue_action = a(
            "C&ontinue from this panel", self.continue_from_panel, "Ctrl+Shift+G", menu=generate, on_grid=True
        )

    def connect_cast(self) -> None:
        panel = self.cast_panel
        panel.add_files_requested.connect(self.ask_cast_files)
        panel.add_panel_requested.connect(self.add_panel_to_cast)
        panel.describe_requested.connect(self.ask_cast_description)

    def _cast_name(self, title: str, done) -> None:
        names = ", ".join(e["name"] for e in self.session.cast.entries)
        label = "Name of the entry (a character, a prop, a place, a style)"
        label += f"\nAn existing name adds to it: {names}" if names else ":"
        self._ask(title, label, "", done)

    def ask_cast_files(self) -> None:
        dialog = QFileDialog(self.cast_panel.window(), "Reference images for the cast")
        dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.webp)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(
            lambda files: self._cast_name(
                "Add to the cast", lambda name: self.session.cast.add(name, files=tuple(files))
            )
        )
        self.cast_file_dialog = dialog
        dialog.open()

    def add_panel_to_cast(self) -> None:
        row = self._row()
        if row is None or not row.path:
            self.show_error("Select a panel with a picture to add it to the cast.")
            return
        self._cast_name(
            "Add panel to the cast",
            lambda name: self.session.cast.add(name, panel_ids=(row.panel_id,)),
        )

    def add_crop_to_cast(self) -> None:
        row = self._row()
        found = self.session.boards.panel(row.panel_id) if row is not None else None
        if row is None or found is None or not found.get("path") or not found.get("width"):
            self.show_error("Select a panel with a picture to crop it into the cast.")
            return
        size = (found["width"], found["height"])
        dialog = self.crop_dialog = CropDialog(found["path"], size, self.cast_panel.window())

        def chosen() -> None:
            box = dialog.view.box()
            if box is None or box[2] < 16 or box[3] < 16:
                self.show_error("Drag a rectangle at least 16×16 pixels on the panel to crop it.")
                return
            self._cast_name(
                "Add crop to the cast",
                lambda name: self.session.cast.add(name, panel_ids=(row.panel_id,), crop=box),
            )

        dialog.accepted.connect(chosen)
        dialog.open()

    def ask_cast_description(self, name: str, text: str) -> None:
        self._ask(
            f"Describe '{name}'",
            "A short description, woven into every prompt (e.g. woman, mid-20s, glasses, purple hoodie):",
            text,
            lambda new: self.session.cast.describe(name, new),
        )

    def continue_from_panel(self) -> None:
        row = self._row()
        if row is None or not row.path:
            self.show_error("Select a panel with a picture to continue from it.")
            return
        self.session.cast.continue_from(row.panel_id)
        self.panels.cast.show()
        self.panels.cast.raise_()
