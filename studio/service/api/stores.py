"""The user's settings, prompt presets and history, and the journal's list, as the front ends see them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import journal, prompts
from ..db import Database
from ..journal import JobState
from ..user_settings import UserSettings, load_settings, save_settings

__all__ = ["JobList", "JobState", "PromptStore", "SettingsStore", "UserSettings"]


class SettingsStore:
    """The one typed settings value, stored in the library: the window and the CLI read the same."""

    def __init__(self, db: Database):
        self._db = db

    async def load(self) -> UserSettings:
        return await self._db.run(load_settings)

    async def save(self, settings: UserSettings) -> UserSettings:
        return await self._db.run(save_settings, settings)

    async def update(self, **changes: Any) -> UserSettings:
        """Change some settings (checked together; nothing is stored when one is refused)."""
        return await self._db.run(lambda conn: save_settings(conn, replace(load_settings(conn), **changes)))


class PromptStore:
    def __init__(self, db: Database):
        self._db = db

    async def presets(self) -> list[tuple[str, dict[str, Any]]]:
        return await self._db.run(prompts.presets)

    async def save_preset(self, name: str, request: dict[str, Any]) -> None:
        await self._db.run(prompts.save_preset, name, request)

    async def rename_preset(self, old: str, new: str) -> None:
        await self._db.run(prompts.rename_preset, old, new)

    async def delete_preset(self, name: str) -> None:
        await self._db.run(prompts.delete_preset, name)

    async def remember(self, request: dict[str, Any]) -> None:
        await self._db.run(prompts.remember, request)

    async def search_history(self, text: str = "", limit: int = 100) -> list[dict[str, Any]]:
        return await self._db.run(prompts.search_history, text, limit)


class JobList:
    """The journal, read: jobs by state, and the user's decisions on the ones whose outcome is open."""

    def __init__(self, db: Database):
        self._db = db

    async def rows(self, *, limit: int | None = None, states: tuple[str, ...] | None = None) -> list[dict]:
        kwargs: dict[str, Any] = {}
        if limit is not None:
            kwargs["limit"] = limit
        if states is not None:
            kwargs["states"] = states
        return await self._db.run(journal.list_jobs, **kwargs)

    async def resolve(self, job_id: str, as_state: str) -> str:
        """A job left open elsewhere resolved by the user as failed or unknown; its full id."""
        return await self._db.run(journal.resolve, job_id, as_state)

    async def unsettled_elsewhere(self) -> list[dict[str, Any]]:
        return await self._db.run(journal.unsettled_elsewhere)
