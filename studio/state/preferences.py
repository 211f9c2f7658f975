"""The user's settings for the window: the one typed value the command line reads too
(studio.service.user_settings), with the caps and the current board's cap, read and written off the GUI
thread. Widgets use this and never the service."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.errors import RefusedError
from studio.service import ledger, library
from studio.service.endpoint import OPENAI_BASE
from studio.service.user_settings import UserSettings, load_settings, save_settings

__all__ = ["OPENAI_BASE", "Preferences", "UserSettings", "parse_amount", "refusal_text"]


def parse_amount(text: str) -> Decimal | None:
    """An amount typed into a field: None for empty; RefusedError naming what is wrong."""
    return ledger.parse_usd(text)


class Preferences(QObject):
    changed = Signal()

    def __init__(self, db: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db

    async def load(self) -> UserSettings:
        return await self.db.run(load_settings)

    async def update(self, **changes: Any) -> UserSettings:
        """Change some settings (checked together; nothing is stored when one is refused)."""
        saved = await self.db.run(lambda conn: save_settings(conn, replace(load_settings(conn), **changes)))
        self.changed.emit()
        return saved

    async def board_cap(self, board_id: int | None) -> Decimal | None:
        board = next((b for b in await self.db.run(library.boards) if b["id"] == board_id), None)
        return Decimal(board["budget_usd"]) if board and board["budget_usd"] is not None else None

    async def save_all(
        self, board_name: str | None, board_cap: Decimal | None, **changes: Any
    ) -> UserSettings:
        """The Settings dialog's Save: every setting, the caps and this board's cap, all checked first."""
        settings = replace(await self.load(), **changes).check()
        if board_cap is not None:
            ledger.parse_usd(str(board_cap))
        saved = await self.db.run(save_settings, settings)
        if board_name:
            await self.db.run(library.set_board_budget, board_name, board_cap)
        self.changed.emit()
        return saved


def refusal_text(exc: Exception) -> str:
    """A settings refusal in the window's words (the environment variable's name becomes the field's)."""
    return str(exc).replace("OPENAI_BASE_URL", "Base URL") if isinstance(exc, RefusedError) else str(exc)
