"""The main window's Refine actions: the selected panel's conversation (Ctrl+Shift+F), the painter's mask
handed to it, a conversation from a file, and the Images API offered when the Responses tool refuses a
transparent background."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFileDialog

from studio.core.pricing import format_usd


class RefineActions:
    """Mixed into MainWindow (which provides session, panels, refine, _row, _ask_to_send, show_error)."""

    session: Any
    panels: Any
    refine: Any
    details: Any
    _row: Any
    _ask_to_send: Any
    show_error: Any

    def _current_changed(self) -> None:
        row = self._row()
        self.details.show_row(row)
        self.session.refine.show_panel(row.panel_id if row is not None else None)

    def show_refine(self) -> None:
        """Ctrl+Shift+F: the selected panel's conversation, with the focus in its instruction box."""
        self._current_changed()
        self.panels.refine.show()
        self.panels.refine.raise_()
        self.refine.instruction.setFocus()

    def refine_with_mask(self, panel_id: int | None, path: str | None, mask, instruction: str) -> None:
        """The painter's mask (and its prompt) into the Refine conversation of its panel or file."""
        chat = self.session.refine
        if panel_id is not None:
            chat.show_panel(panel_id)
        elif path:
            chat.start_from_file(path)
        chat.set_mask(mask)
        if instruction:
            chat.instruction = instruction
            chat.set_instruction(instruction)
        self.show_refine()

    def ask_refine_file(self) -> None:
        dialog = QFileDialog(self, "Start a conversation from an image")
        dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.webp)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.session.refine.start_from_file)
        dialog.open()

    def offer_images_api(self, why: str) -> None:
        """The Responses tool refused a transparent background: the same instruction through the Images
        API, quoted first, sent only on OK."""
        chat = self.session.refine
        board = self.session.boards.board_name if self.session.boards.board_id is not None else None

        def ask(plan) -> None:
            self.images_api_box = self._ask_to_send(
                "Transparency on the Images API",
                plan.request,
                lambda q: (
                    f"{why}\n\nSend it through the Images API? Quote: at most {format_usd(q.total_usd_max)}."
                ),
                lambda: chat.send_images_api(plan, board),
                ok_text="Send through the Images API",
            )

        self.session.tasks.start(
            chat.plan_images_api(), "Planning the Images API call", success=ask, failure=self.show_error
        )
