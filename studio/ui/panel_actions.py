"""What the user does to the selected panel: open it, re-roll it (asked first, with the quote), caption,
star, delete, copy, reveal, save as. A mixin of MainWindow (it uses the window's session, grid, viewers and
message strip)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from studio.core.pricing import format_usd
from studio.core.request import EditRequest, ImageRequest

from .animatic import AnimaticWindow, Shot
from .compare import CompareItem, CompareWindow
from .viewer import ImageViewer, ViewerPage, panel_details

if TYPE_CHECKING:  # what the window provides (for the type checker; at run time the base is object)
    from PySide6.QtWidgets import QMainWindow as _Window

    from studio.state.board_model import PanelRow
    from studio.state.session import Session

    from .grid import PanelGrid
else:
    _Window = object


class PanelActions(_Window):
    session: Session
    grid: PanelGrid
    viewers: list[ImageViewer]
    _row: Callable[[], PanelRow | None]
    show_error: Callable[[str], None]

    def open_panel(self) -> None:
        index = self.grid.currentIndex()
        page = self._viewer_page(index.row()) if index.isValid() else None
        if page is None:
            return
        viewer = ImageViewer(page, self.session.tasks, self, step=self._step_viewer)
        viewer.finished.connect(lambda _: self.viewers.remove(viewer) if viewer in self.viewers else None)
        self.viewers.append(viewer)
        viewer.show()

    def _step_viewer(self, delta: int) -> ViewerPage | None:
        """The viewer's next/previous panel with an image; the grid's selection follows it."""
        model = self.grid.board_model
        i = self.grid.currentIndex().row() + delta
        while 0 <= i < model.rowCount():
            page = self._viewer_page(i)
            if page is not None:
                self.grid.setCurrentIndex(model.index(i))
                return page
            i += delta
        return None

    def _viewer_page(self, i: int) -> ViewerPage | None:
        row: PanelRow = self.grid.board_model.index(i).data(self.grid.board_model.RowRole)
        if row is None or row.pending or not row.path:
            return None
        panel = self.session.boards.panel(row.panel_id) if row.panel_id else None
        return ViewerPage(
            row.path,
            f"Panel {i + 1} — {row.caption or Path(row.path).name}",
            panel_details(i, self.grid.board_model.rowCount(), row, panel),
        )

    def reroll(self, *, with_references: bool = False) -> None:
        """Quote first: the re-roll is sent only once the user accepts its price. Several selected panels
        (without references) are re-rolled together, each next to its own panel, after one question."""
        row = self._row()
        if not (row and row.panel_id):
            return
        several = self._chosen()
        if not with_references and len(several) > 1:
            self._reroll_several([panel_id for panel_id, _ in several])
            return
        if with_references:
            from studio.state.references import reroll_with_references

            chosen = [r.panel_id for r in self.grid.selected_rows() if r.panel_id]
            try:
                request: ImageRequest | None = reroll_with_references(
                    self.session.boards.panel_rows, row.panel_id, chosen, self.session.registry.get
                )
            except Exception as exc:
                self.show_error(str(exc))
                return
        else:
            request = self.session.generator.reroll_request(row.panel_id)
        if request is None:
            return
        try:  # on a board with a cast: quoted and sent with it (a references call)
            request = self.session.prompt.sent(request)
        except Exception as exc:  # noqa: BLE001 - e.g. the model takes no references: say so
            self.show_error(str(exc))
            return
        panel_id = row.panel_id
        question = (
            f"Re-roll this panel with the same parameters ({request.size}, {request.quality})"
            + (f", with {len(request.images)} reference image(s)" if isinstance(request, EditRequest) else "")
            + "?"
        )
        self.reroll_box = self._ask_to_send(
            "Re-roll panel",
            request,
            lambda q: (
                f"{question}\nQuote: {format_usd(q.output_usd)} for the image, "
                f"at most {format_usd(q.total_usd_max)} in all."
            ),
            lambda: self.session.generator.reroll(panel_id, request),
        )

    def _reroll_several(self, panel_ids: list[int]) -> None:
        requests = [(i, r) for i in panel_ids if (r := self.session.generator.reroll_request(i)) is not None]
        if not requests:
            return
        try:
            quotes = [self.session.service.check(r)[1] for _, r in requests]
        except Exception as exc:  # noqa: BLE001 - whatever changed since: say so
            self.show_error(str(exc))
            return
        images = sum((q.output_usd for q in quotes), Decimal(0))
        most = sum((q.total_usd_max for q in quotes), Decimal(0))
        text = (
            f"Re-roll {len(requests)} panels, each with its own parameters, next to itself?\n"
            f"Quote: {format_usd(images)} for the images, at most {format_usd(most)} in all."
        )

        def send() -> None:
            for panel_id, request in requests:
                self.session.generator.reroll(panel_id, request)

        self.reroll_box = self._confirm("Re-roll panels", text, send)

    def _ask_to_send(self, title: str, request, text, send, ok_text: str | None = None) -> QMessageBox | None:
        """Quote first: `send` runs only once the user accepts the price (`text(quote)` says it). A request
        that can no longer be quoted (a model retired since, a cap) is said instead."""
        try:
            _, q = self.session.service.check(request)
        except Exception as exc:  # noqa: BLE001 - whatever changed since: say so
            self.show_error(str(exc))
            return None
        return self._confirm(title, text(q), send, ok_text)

    def _confirm(
        self, title: str, text: str, send: Callable[[], object], ok_text: str | None = None
    ) -> QMessageBox:
        """Ask before spending: `send` runs only once the user presses OK (the box is modeless)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if ok_text:
            box.button(QMessageBox.StandardButton.Ok).setText(ok_text)
        box.accepted.connect(send)
        box.open()  # never exec() under the asyncio loop
        return box

    def edit_caption(self) -> None:
        if self._row():
            self.grid.edit(self.grid.currentIndex())

    def _chosen(self) -> list[tuple[int, PanelRow]]:
        """(panel id, row) of the selected panels (several with Ctrl/Shift-click), else of the current one;
        never placeholders."""
        rows = [r for r in self.grid.selected_rows() if r is not None and not r.pending]
        row = self._row()
        return [(r.panel_id, r) for r in rows or ([row] if row else []) if r.panel_id]

    def toggle_star(self) -> None:
        """Star the chosen panels (unstar them when every one is starred already)."""
        chosen = self._chosen()
        if len(chosen) == 1:
            self.session.boards.set_starred(chosen[0][0], not chosen[0][1].starred)
        elif chosen:
            starred = not all(r.starred for _, r in chosen)
            self.session.boards.set_starred_many([i for i, _ in chosen], starred)

    def compare_panels(self) -> None:
        """2–4 selected panels side by side; one panel with edits: its previous version against the
        current one."""
        chosen = [(i, r.path) for i, r in self._chosen() if r.path]
        number = {r.panel_id: k + 1 for k, r in enumerate(self.grid.board_model.rows)}
        if len(chosen) >= 2:
            self._open_compare([CompareItem(path, f"Panel {number[i]}") for i, path in chosen[:4]])
        elif chosen:
            panel_id = chosen[0][0]
            self.session.tasks.start(
                self._compare_versions(panel_id, number[panel_id]), "Comparing versions", parent=self
            )
        else:
            self.show_error("Select 2 to 4 panels (Ctrl+click) to compare, or one panel that has edits.")

    async def _compare_versions(self, panel_id: int, number: int) -> None:
        history = await self.session.boards.versions(panel_id)
        current = next((i for i, v in enumerate(history) if v.get("current")), len(history) - 1)
        if len(history) < 2:
            self.show_error(f"Panel {number} has one version: select a second panel to compare it with.")
            return
        other = current - 1 if current > 0 else current + 1
        pair = sorted((other, current))
        self._open_compare(
            [CompareItem(history[k]["path"], f"Panel {number} · v{history[k]['seq']}") for k in pair]
        )

    def play_animatic(self) -> None:
        """The board played in the app: each panel for its duration, its caption under it."""
        rows = [r for r in self.grid.board_model.rows if not r.pending]
        if not rows:
            self.show_error("This board has no panels to play yet.")
            return
        shots = [Shot(k + 1, r.path, r.caption, r.duration) for k, r in enumerate(rows)]
        self.animatic_window = AnimaticWindow(shots, self.session.tasks, self.session.boards.board_name, self)
        self.animatic_window.show()

    def _open_compare(self, items: list[CompareItem]) -> None:
        self.compare_window = CompareWindow(items, self.session.tasks, self)
        self.compare_window.show()

    def add_blank_panel(self) -> None:
        """A blank panel after the selected one (insert between), or at the end of an empty board."""
        row = self._row()
        self.session.boards.add_blank(row.panel_id if row and row.panel_id else None)

    def duplicate_panel(self) -> None:
        row = self._row()
        if row and row.panel_id and not row.pending:
            self.session.boards.duplicate(row.panel_id)

    def delete_panel(self) -> None:
        chosen = [i for i, _ in self._chosen()]
        if len(chosen) == 1:
            self.session.boards.trash(chosen[0])
        elif chosen:
            self.session.boards.trash_many(chosen)

    def copy_image(self) -> None:
        row = self._row()
        if row and row.path:

            async def go():
                image = await asyncio.to_thread(QImage, row.path)
                QGuiApplication.clipboard().setImage(image)
                self.statusBar().showMessage("Image copied to the clipboard", 4000)

            self.session.tasks.start(go(), "Copying the image")

    def reveal_file(self) -> None:
        row = self._row()
        if row and row.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(row.path).parent)))

    def save_image_as(self) -> None:
        row = self._row()
        if not (row and row.path):
            self.show_error("Select a panel to save its image.")
            return
        dialog = QFileDialog(self, "Save image as", str(Path.home() / Path(row.path).name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        source = row.path

        def chosen(target: str) -> None:
            self.session.tasks.start(asyncio.to_thread(shutil.copyfile, source, target), "Saving the image")

        dialog.fileSelected.connect(chosen)
        dialog.open()
        self.file_dialog = dialog
