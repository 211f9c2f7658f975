"""The user's settings for the window: the one typed value the command line reads too
(studio.service.user_settings), with the caps and the current board's cap, read and written off the GUI
thread. Widgets use this and never the service."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.errors import RefusedError
from studio.service.api import Boards, SettingsStore, UserSettings, parse_usd
from studio.service.endpoint import OPENAI_BASE

__all__ = ["OPENAI_BASE", "Preferences", "UserSettings", "parse_amount", "refusal_text"]


def parse_amount(text: str) -> Decimal | None:
    """An amount typed into a field: None for empty; RefusedError naming what is wrong."""
    return parse_usd(text)


class Preferences(QObject):
    changed = Signal()

    def __init__(self, settings: SettingsStore, boards: Boards, parent: QObject | None = None):
        super().__init__(parent)
        self._settings, self._boards = settings, boards

    async def load(self) -> UserSettings:
        return await self._settings.load()

    async def update(self, **changes: Any) -> UserSettings:
        """Change some settings (checked together; nothing is stored when one is refused)."""
        saved = await self._settings.update(**changes)
        self.changed.emit()
        return saved

    async def board_cap(self, board_id: int | None) -> Decimal | None:
        return await self._boards.budget(board_id)

    async def save_all(
        self, board_name: str | None, board_cap: Decimal | None, **changes: Any
    ) -> UserSettings:
        """The Settings dialog's Save: every setting, the caps and this board's cap, all checked first."""
        settings = replace(await self.load(), **changes).check()
        if board_cap is not None:
            parse_usd(str(board_cap))
        saved = await self._settings.save(settings)
        if board_name:
            await self._boards.set_budget(board_name, board_cap)
        self.changed.emit()
        return saved


def refusal_text(exc: Exception) -> str:
    """A settings refusal in the window's words (the environment variable's name becomes the field's)."""
    return str(exc).replace("OPENAI_BASE_URL", "Base URL") if isinstance(exc, RefusedError) else str(exc)
