"""The library as the front ends see it: boards, panels, versions, imports, and what a job saved.

Every method runs its SQL on the library's own thread; callers never see a connection."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import library, panels, versions
from ..db import Database
from ..imports import import_files
from ..library import DEFAULT_BOARD

__all__ = ["DEFAULT_BOARD", "Boards", "NewVersion"]

NewVersion = versions.NewVersion


class Boards:
    def __init__(self, db: Database, root: Path | None):
        self._db, self._root = db, root

    # boards
    async def all(self) -> list[dict[str, Any]]:
        return await self._db.run(library.boards)

    async def id_of(self, name: str, *, create: bool = True) -> int:
        return await self._db.run(library.board_id, name, create=create)

    async def rename(self, board_id: int, name: str) -> str:
        return await self._db.run(panels.rename_board, board_id, name)

    async def budget(self, board_id: int | None) -> Decimal | None:
        board = next((b for b in await self.all() if b["id"] == board_id), None)
        return Decimal(board["budget_usd"]) if board and board["budget_usd"] is not None else None

    async def set_budget(self, name: str, usd: Decimal | None) -> None:
        await self._db.run(library.set_board_budget, name, usd)

    async def prompt(self, board_id: int) -> dict[str, Any] | None:
        """The prompt and parameters the board was left with (None: never set)."""
        return await self._db.run(library.board_prompt, board_id)

    async def set_prompt(self, board_id: int, params: dict[str, Any]) -> None:
        await self._db.run(library.set_board_prompt, board_id, params)

    # panels
    async def panels(self, board_id: int) -> list[dict[str, Any]]:
        return await self._db.run(library.panels, board_id)

    async def set_caption(self, panel_id: int, caption: str) -> None:
        await self._db.run(panels.set_caption, panel_id, caption)

    async def set_fields(self, panel_id: int, **fields: Any) -> None:
        await self._db.run(panels.set_fields, panel_id, **fields)

    async def set_starred(self, panel_id: int, starred: bool) -> None:
        await self._db.run(panels.set_starred, panel_id, starred)

    async def add_blank(self, board_id: int, after_panel_id: int | None = None) -> int:
        """A panel with no image yet, after a panel (or at the end); its id."""
        return await self._db.run(panels.add_blank, board_id, after_panel_id)

    async def duplicate(self, panel_id: int) -> int:
        """A copy of the panel right after it; its id."""
        return await self._db.run(panels.duplicate, panel_id)

    async def trash(self, panel_id: int) -> None:
        await self._db.run(panels.trash, panel_id)

    async def restore(self, panel_id: int) -> None:
        await self._db.run(panels.restore, panel_id)

    async def trashed(self, board_id: int) -> list[dict[str, Any]]:
        """The board's panels in its trash (restorable)."""
        return await self._db.run(panels.trashed, board_id)

    async def empty_trash(self, board_id: int) -> int:
        return await self._db.run(panels.empty_trash, board_id)

    async def move(self, board_id: int, panel_id: int, index: int) -> list[int]:
        return await self._db.run(panels.move, board_id, panel_id, index)

    async def import_files(self, board: str, paths: list[str]) -> tuple[list[int | None], list[str]]:
        """Readable images copied in as panels of `board`; their ids and the problems of the others."""
        return await import_files(self._db, self._root, board, paths)

    # versions of a panel
    async def current_version(self, panel_id: int) -> dict[str, Any]:
        return await self._db.run(versions.current, panel_id)

    async def versions(self, panel_id: int) -> list[dict[str, Any]]:
        return await self._db.run(versions.history, panel_id)

    async def set_current_version(self, panel_id: int, version_id: int) -> None:
        await self._db.run(versions.set_current, panel_id, version_id)

    async def add_version(self, panel_id: int, new: NewVersion) -> int:
        return await self._db.run(versions.add, panel_id, new)

    # what jobs saved
    async def images_of_job(self, job_id: str) -> list[dict[str, Any]]:
        return await self._db.run(library.images_of_job, job_id)

    async def previews(self, job_id: str) -> list[dict[str, Any]]:
        return await self._db.run(library.previews, job_id)
