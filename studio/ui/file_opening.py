"""How images get into the studio: the mask painter on a panel or a file (Ctrl+E, Ctrl+O), files from the
command line, the file manager (%F), a second launch, or a drop (one image: the painter; several: a board).
A mixin of MainWindow (it uses the window's session, grid and message strip)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

if TYPE_CHECKING:  # what the window provides (for the type checker; at run time the base is object)
    from PySide6.QtWidgets import QMainWindow as _Window

    from studio.state.board_model import PanelRow
    from studio.state.session import Session

    from .grid import PanelGrid
else:
    _Window = object


class FileOpening(_Window):
    session: Session
    grid: PanelGrid
    painter_windows: list[Any]
    _row: Callable[[], PanelRow | None]
    show_error: Callable[[str], None]

    def open_painter(self) -> None:
        row = self._row()
        if row and row.panel_id and row.path:
            label = f"panel {self.grid.currentIndex().row() + 1}"
            label += f" ({row.caption})" if row.caption else ""
            self.session.tasks.start(
                self._open_painter(panel_id=row.panel_id, label=label), "Opening the mask painter"
            )

    def open_painter_file(self, path: str) -> None:
        self.session.tasks.start(self._open_painter(path=path), "Opening the mask painter")

    async def _open_painter(self, **source) -> None:
        from .painter.opening import open_painter

        painter = await open_painter(self.session, parent=self, **source)
        self.painter_windows.append(painter)
        refine = getattr(self, "refine_with_mask", None)
        if refine is not None:
            painter.refine_with_mask.connect(refine)
        painter.destroyed.connect(
            lambda *_: self.painter_windows.remove(painter) if painter in self.painter_windows else None
        )

    def open_files(self, paths: list[str]) -> None:
        """Files from the command line, the file manager (%F) or a second launch: one image opens the
        painter, several become a new board."""
        from .painter.opening import is_image_path

        images = [p for p in paths if is_image_path(p)]
        others = [p for p in paths if not is_image_path(p)]
        if others:
            self.show_error(
                "Not an image Asset Studio opens (PNG, JPEG, WebP): "
                + ", ".join(Path(p).name for p in others[:3])
            )
        self.raise_()
        self.activateWindow()
        if len(images) == 1:
            self.open_painter_file(images[0])
        elif images:
            self.session.tasks.start(self.session.import_files(images), "Importing images")

    def ask_open_image(self) -> None:
        dialog = QFileDialog(self, "Open an image to edit", "", "Images (*.png *.jpg *.jpeg *.webp)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.open_painter_file)
        dialog.open()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        from .painter.opening import is_image_path

        if any(is_image_path(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        from .painter.opening import is_image_path

        paths = [u.toLocalFile() for u in event.mimeData().urls() if is_image_path(u.toLocalFile())]
        if paths:
            self.open_files(paths)
            event.acceptProposedAction()
