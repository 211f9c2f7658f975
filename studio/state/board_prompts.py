"""Each board keeps its own prompt and parameters: what the user typed on a board is there again after a
board switch or a restart. Changes are saved to the library a moment after the last edit (and at quit);
a board that never had one keeps what the prompt holds (the user's defaults)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

from studio.service.api import Boards

from .board_controller import BoardController
from .prompt_model import PromptModel
from .tasks import TaskRunner

SAVE_AFTER_MS = 400


class BoardPrompts(QObject):
    def __init__(
        self,
        boards: Boards,
        current: BoardController,
        prompt: PromptModel,
        tasks: TaskRunner,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._boards, self._current, self._prompt, self._tasks = boards, current, prompt, tasks
        self._board_id: int | None = None  # the board the prompt's values belong to
        self._dirty = False
        self._loading = False
        self._started = False
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self._save_soon)
        prompt.changed.connect(self._edited)
        current.board_changed.connect(self._switched)

    def _edited(self) -> None:
        if not self._loading and self._board_id is not None and not self._stopped:
            self._dirty = True
            self._timer.start()

    def stop(self) -> None:
        """At quit, after the last flush: a change from here on (a widget torn down) is not saved, and no
        timer fires once the loop is gone."""
        self._stopped = True
        self._timer.stop()

    def _save_soon(self) -> None:
        self._tasks.start(self.flush(), "Saving the board's prompt")

    async def flush(self) -> None:
        """Save the prompt to its board now if it changed since it was loaded or saved."""
        self._timer.stop()
        if self._dirty and self._board_id is not None:
            self._dirty = False
            await self._boards.set_prompt(self._board_id, _stored(self._prompt.values()))

    async def start(self) -> None:
        """Open the current board's prompt; from here on board switches load theirs."""
        await self._load_board()
        self._started = True

    def _switched(self) -> None:
        if self._started and self._current.board_id != self._board_id:
            self._tasks.start(self._load_board(), "Opening the board's prompt")

    async def _load_board(self) -> None:
        await self.flush()  # the values still belong to the board shown before
        board_id = self._current.board_id
        self._board_id = board_id
        stored = await self._boards.prompt(board_id) if board_id is not None else None
        if stored and self._board_id == board_id:
            self._loading = True
            try:
                self._prompt.load(stored)
            finally:
                self._loading = False


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """What JSON keeps of the values (every parameter is a string, a number, a bool or None)."""
    return {k: v for k, v in values.items() if v is None or isinstance(v, str | int | float | bool)}
