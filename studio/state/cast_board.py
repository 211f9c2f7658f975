"""The current board's cast and style sheet for the window: its entries, whether new panels follow it, the
woven text, and the sheet loaded (reference images read off the GUI thread) so the prompt's quote and every
request it sends carry the references; after a generation, the continuity hint."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.continuity import Sheet, weave
from studio.core.errors import RefusedError
from studio.core.request import ImageRequest
from studio.service.api import Cast

from .board_controller import BoardController
from .prompt_model import PromptModel
from .tasks import TaskRunner


class CastBoard(QObject):
    changed = Signal()  # entries, options or the loaded sheet
    hint = Signal(str)  # the continuity hint after a generation that followed the sheet
    error = Signal(str)

    def __init__(
        self,
        cast: Cast,
        board: BoardController,
        prompt: PromptModel,
        tasks: TaskRunner,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._cast, self._board, self._prompt, self._tasks = cast, board, prompt, tasks
        self.entries: list[dict[str, Any]] = []
        self.options: dict[str, Any] = {"follow": True, "preamble": None, "continue_from": None}
        self.sheet = Sheet()
        self.last_hint = ""
        self.hint_details = ""  # the hint picture by picture
        board.board_changed.connect(self.reload)
        prompt.cast = self.apply

    # -- what the prompt sends ------------------------------------------------------------------

    def apply(self, request: ImageRequest) -> tuple[ImageRequest, list[str]]:
        return self.sheet.apply(request, self._prompt.registry.get(request.model))

    @property
    def active(self) -> bool:
        return self.sheet.active

    def preamble(self) -> str:
        """The woven text the next request gets (the user's edit, or the generated one)."""
        if not self.sheet.active:
            return ""
        return self.sheet.preamble(self._prompt.spec)

    def generated_preamble(self) -> str:
        return Sheet(self.sheet.images).preamble(self._prompt.spec) if self.sheet.active else ""

    def chained_number(self) -> int | None:
        """The number (1 = first) of the panel the next generation continues from, if any."""
        chained = self.options.get("continue_from")
        rows = self._board.panel_rows
        return next((k for k, r in enumerate(rows, 1) if chained is not None and r["id"] == chained), None)

    def final_prompt(self) -> str:
        return weave(self.preamble(), str(self._prompt.value("prompt")))

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> asyncio.Task[Any] | None:
        """Another board: its own sheet (none until it is read: the last board's never goes with it)."""
        if self.sheet.active or self.entries:
            self.entries, self.sheet, self.last_hint = [], Sheet(), ""
            self._prompt.revalidate()
            self.changed.emit()
        if self._board.board_id is None:
            return None
        return self._tasks.start(self._load(), "Loading the board's cast")

    async def _load(self) -> None:
        board = self._board.board_id
        if board is None:
            return
        entries = await self._cast.entries(board)
        options = await self._cast.options(board)
        sheet = await self._cast.sheet(board, spec=self._prompt.spec)  # fitted off the GUI thread
        if board != self._board.board_id:  # the user moved on to another board meanwhile
            return
        self.entries, self.options, self.sheet = entries, options, sheet
        self._prompt.revalidate()
        self.changed.emit()

    def _change(self, coro: Any, what: str) -> asyncio.Task[Any]:
        async def go() -> None:
            try:
                await coro
            except RefusedError as exc:
                self.error.emit(str(exc))
                raise
            finally:
                await self._load()

        return self._tasks.start(go(), what)

    # -- edits of the sheet ---------------------------------------------------------------------

    def add(
        self, name: str, *, files: tuple[str, ...] = (), panel_ids: tuple[int, ...] = (), **kw: Any
    ) -> asyncio.Task[Any]:
        """A new entry (or more images for one) from files and panels; `crop`, `description` as Cast.add."""
        added = self._cast.add(self._need_board(), name, files=list(files), panel_ids=list(panel_ids), **kw)
        return self._change(added, "Adding to the cast")

    def set_enabled(self, name: str, enabled: bool) -> asyncio.Task[Any]:
        return self._change(self._cast.enable(self._need_board(), name, enabled), "Switching a cast entry")

    def describe(self, name: str, text: str) -> asyncio.Task[Any]:
        return self._change(self._cast.describe(self._need_board(), name, text), "Describing a cast entry")

    def remove(self, name: str) -> asyncio.Task[Any]:
        return self._change(self._cast.remove(self._need_board(), name), "Removing a cast entry")

    def remove_image(self, image_id: int) -> asyncio.Task[Any]:
        return self._change(self._cast.remove_image(image_id), "Removing a reference image")

    def set_follow(self, follow: bool) -> asyncio.Task[Any]:
        return self._change(self._cast.set_options(self._need_board(), follow=follow), "Following the cast")

    def set_preamble(self, text: str | None) -> asyncio.Task[Any]:
        """The user's woven text (None, or the generated text itself: back to the generated one)."""
        if text is not None and text.strip() == self.generated_preamble().strip():
            text = None
        return self._change(
            self._cast.set_options(self._need_board(), preamble=text), "Editing the woven text"
        )

    def continue_from(self, panel_id: int | None) -> asyncio.Task[Any]:
        """The next generation takes this panel as its first reference; each one after takes the last."""
        task = self._cast.set_options(self._need_board(), continue_from=panel_id)
        return self._change(task, "Continuing from a panel")

    def _need_board(self) -> int:
        if self._board.board_id is None:
            raise RefusedError("no board is open")
        return self._board.board_id

    # -- after a generation ---------------------------------------------------------------------

    async def after(self, request: ImageRequest, outcome: Any, sheet: Sheet) -> None:
        """The hint for the new panels of a request that followed `sheet` (the one it was sent with), and
        the chain moved on."""
        board = self._board.board_id
        if board is None:
            return
        check = await self._cast.after(board, sheet, request, outcome)
        if sheet.chained_from is not None:
            await self._load()
        if check.summary():
            self.last_hint = "Continuity hint (colour and layout, not identity): " + check.summary()
            self.hint_details = "\n".join(check.lines())
            self.hint.emit(self.last_hint)
            self.changed.emit()
