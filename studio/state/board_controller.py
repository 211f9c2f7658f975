"""The current board: which board, its panels as the library has them, and every undoable panel change
(caption, details, star, delete, move), imports and board switches. The grid's BoardModel follows it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.core import clock
from studio.service.api import DEFAULT_BOARD, Boards

from .board_model import BoardModel
from .preferences import Preferences
from .tasks import TaskRunner


class BoardController(QObject):
    board_changed = Signal()  # another board (or its name)
    boards_changed = Signal()  # the list of boards

    def __init__(
        self,
        boards: Boards,
        model: BoardModel,
        preferences: Preferences,
        tasks: TaskRunner,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._boards, self.model, self._preferences, self._tasks = boards, model, preferences, tasks
        self.board_id: int | None = None
        self.board_name = ""
        self.all: list[dict[str, Any]] = []  # every board: {id, name, panels, budget_usd, ...}
        self._rows: list[dict[str, Any]] = []  # the current board's panels from the library, in order
        self._landed = 0  # panels landed or changed by events (counted so a reload never drops one)
        self.undo = QUndoStack(self)
        model.caption_edited.connect(self.set_caption)
        model.move_requested.connect(self.move_panel)

    @property
    def panel_rows(self) -> list[dict[str, Any]]:
        """The current board's panels as the library has them (in order)."""
        return list(self._rows)

    def panel(self, panel_id: int) -> dict[str, Any] | None:
        return next((p for p in self._rows if p["id"] == panel_id), None)

    def shows(self, panel: dict[str, Any]) -> bool:
        """Whether a panel from an event belongs on the board shown."""
        return self.board_id is not None and panel.get("board_id") == self.board_id

    def remember(self, panel: dict[str, Any]) -> None:
        """A panel that landed or changed (an event): kept in order without asking the library again."""
        self._landed += 1  # a reload whose query ran before this must query again (reload)
        self._rows = [p for p in self._rows if p["id"] != panel["id"]]
        self._rows.insert(min(int(panel.get("position", len(self._rows))), len(self._rows)), panel)

    async def select(self, name: str | None = None) -> None:
        """Show a board (created when new); None: the one shown last time."""
        name = name or (await self._preferences.load()).board or DEFAULT_BOARD
        self.board_id = await self._boards.id_of(name)
        self.board_name = name
        await self._preferences.update(board=name)
        await self._refresh_list()
        await self.reload()
        self.board_changed.emit()

    async def rename(self, name: str) -> None:
        if self.board_id is None:
            return
        self.board_name = await self._boards.rename(self.board_id, name)
        await self._preferences.update(board=self.board_name)
        await self._refresh_list()
        self.board_changed.emit()

    async def _refresh_list(self) -> None:
        self.all = await self._boards.all()
        self.boards_changed.emit()

    async def reload(self) -> None:
        """The whole board from the library (a board switch, an import, an undo). A panel that lands while
        the query runs makes it run again, so no saved image is ever missing from the grid."""
        if self.board_id is None:
            return
        while True:
            landed = self._landed
            rows = await self._boards.panels(self.board_id)
            if landed == self._landed:
                break
        self._rows = rows
        self.model.set_panels(rows)

    async def import_files(self, paths: list[str]) -> list[str]:
        """Image files opened at once (file manager, drop): a new board with them as panels. Returns the
        problems of files that could not be imported (the others are)."""
        name = clock.now().astimezone().strftime("Imported %Y-%m-%d %H:%M")
        panel_ids, problems = await self._boards.import_files(name, paths)
        if panel_ids:
            await self.select(name)
        return problems

    # -- undoable changes: each saves, then reloads the board ---------------------------------------

    def _save(self, what: str, change: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        async def go() -> None:
            await change()
            await self.reload()

        self._tasks.start(go(), what)

    def _push(self, text: str, do: Callable[[], None], undo: Callable[[], None]) -> None:
        self.undo.push(_Command(text, do, undo))

    def set_caption(self, panel_id: int, caption: str) -> None:
        row = self.panel(panel_id)
        old = (row or {}).get("caption") or ""
        if row is not None and old == caption:
            return
        b = self._boards
        self._push(
            "Caption",
            lambda: self._save("Saving the caption", lambda: b.set_caption(panel_id, caption)),
            lambda: self._save("Saving the caption", lambda: b.set_caption(panel_id, old)),
        )

    def set_fields(self, panel_id: int, **fields: Any) -> None:
        """Shot type, duration and notes of a panel, as one undoable step."""
        row = self.panel(panel_id)
        if row is None:
            return
        old = {k: row.get(k) for k in fields}
        if all(old[k] == v for k, v in fields.items()):
            return
        b = self._boards
        self._push(
            "Panel details",
            lambda: self._save("Saving the panel", lambda: b.set_fields(panel_id, **fields)),
            lambda: self._save("Saving the panel", lambda: b.set_fields(panel_id, **old)),
        )

    async def versions(self, panel_id: int) -> list[dict[str, Any]]:
        """A panel's versions, oldest first (each with its path and whether it is current)."""
        return await self._boards.versions(panel_id)

    def set_starred_many(self, panel_ids: list[int], starred: bool) -> None:
        """Star (or unstar) several panels as one undoable step."""
        self.undo.beginMacro(("Star" if starred else "Unstar") + f" {len(panel_ids)} panels")
        for panel_id in panel_ids:
            self.set_starred(panel_id, starred)
        self.undo.endMacro()

    def trash_many(self, panel_ids: list[int]) -> None:
        """Delete several panels as one undoable step."""
        self.undo.beginMacro(f"Delete {len(panel_ids)} panels")
        for panel_id in panel_ids:
            self.trash(panel_id)
        self.undo.endMacro()

    def set_starred(self, panel_id: int, starred: bool) -> None:
        b = self._boards
        self._push(
            "Star" if starred else "Unstar",
            lambda: self._save("Starring", lambda: b.set_starred(panel_id, starred)),
            lambda: self._save("Starring", lambda: b.set_starred(panel_id, not starred)),
        )

    def trash(self, panel_id: int) -> None:
        b = self._boards
        self._push(
            "Delete panel",
            lambda: self._save("Deleting", lambda: b.trash(panel_id)),
            lambda: self._save("Restoring", lambda: b.restore(panel_id)),
        )

    def add_blank(self, after_panel_id: int | None = None) -> None:
        """A blank panel (a shot to fill later) after a panel, or at the end; undo removes it."""
        board_id = self.board_id
        if board_id is not None:
            self._add("New blank panel", lambda: self._boards.add_blank(board_id, after_panel_id))

    def duplicate(self, panel_id: int) -> None:
        """A copy of the panel right after it; undo removes it."""
        self._add("Duplicate panel", lambda: self._boards.duplicate(panel_id))

    def _add(self, text: str, make: Callable[[], Coroutine[Any, Any, int]]) -> None:
        """Create a panel once; undo trashes it, redo restores that same panel."""
        made: list[int] = []

        async def create() -> None:
            if made:
                await self._boards.restore(made[0])
            else:
                made.append(await make())
            await self.reload()

        def undo() -> None:
            if made:
                self._save("Removing the panel", lambda: self._boards.trash(made[0]))

        def do() -> None:
            self._tasks.start(create(), text)

        self._push(text, do, undo)

    def empty_trash(self) -> None:
        board_id = self.board_id
        if board_id is not None:
            self.undo.clear()  # emptied panels cannot come back
            self._save("Emptying the trash", lambda: self._boards.empty_trash(board_id))

    def move_panel(self, panel_id: int, new_index: int) -> None:
        old_index = self.model.row_of_panel(panel_id)
        if old_index is None or old_index == new_index or self.board_id is None:
            return
        board_id = self.board_id

        def go(index: int) -> None:
            self.model.move_local(panel_id, index)
            self._save("Reordering", lambda: self._boards.move(board_id, panel_id, index))

        self._push("Move panel", lambda: go(new_index), lambda: go(old_index))


class _Command(QUndoCommand):
    def __init__(self, text: str, do: Callable[[], None], undo: Callable[[], None]):
        super().__init__(text)
        self._do, self._undo = do, undo

    def redo(self) -> None:
        self._do()

    def undo(self) -> None:
        self._undo()
