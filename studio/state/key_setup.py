"""Adding the API key from the window (first-run welcome or Settings): check it against /v1/models,
store it where the user chose, and switch the running session from the sandbox to that endpoint."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.redact import redact
from studio.service import keys
from studio.service.api import SettingsStore
from studio.service.endpoint import OPENAI_BASE, Endpoint
from studio.service.keycheck import check_key

from .tasks import TaskRunner

STORAGES = ("keyring", "session", "file")
LEGACY_BASE_URL_KEY = (
    "endpoint/base_url"  # where versions before 0.6 kept the base URL (QSettings); moved to the library
)


class KeySetup(QObject):
    result = Signal(bool, str)  # ok, message in plain words (never the key)
    keyring_checked = Signal(bool, str)  # usable, backend name

    def __init__(
        self,
        settings: SettingsStore,
        tasks: TaskRunner,
        use_endpoint: Callable[[Endpoint], Awaitable[None]],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._settings, self._tasks, self._use_endpoint = settings, tasks, use_endpoint
        self.keyring_usable: bool | None = None
        self.backend = ""

    def refresh(self) -> asyncio.Task[Any]:
        """Find out (off the GUI thread: D-Bus may block) whether the OS keyring can hold the key."""

        async def go() -> None:
            usable, name = await asyncio.to_thread(lambda: (keys.keyring_usable(), keys.backend_name()))
            self.keyring_usable, self.backend = usable, name
            self.keyring_checked.emit(usable, name)

        return self._tasks.start(go(), "Checking the keyring", parent=self.parent())

    def add_key(
        self, key: str, storage: str = "keyring", base_url: str | None = None
    ) -> asyncio.Task[Any] | None:
        key = (key or "").strip()
        if not key:
            self.result.emit(False, "Paste your OpenAI API key first (it starts with sk-).")
            return None
        if storage not in STORAGES:
            raise ValueError(storage)
        return self._tasks.start(self._add(key, storage, base_url), "Adding the key", parent=self.parent())

    async def _add(self, key: str, storage: str, base_url: str | None) -> None:
        saved = (await self._settings.load()).base_url
        base = (base_url or os.environ.get("OPENAI_BASE_URL") or saved or "").strip() or OPENAI_BASE
        check = await check_key(Endpoint(base, key))
        if not check.ok and not check.message.startswith("Could not check"):
            self.result.emit(False, redact(check.message) + " The key was not stored.")
            return
        try:
            if storage == "keyring":
                await keys.aset_stored_key(key)
            elif storage == "file":
                await asyncio.to_thread(keys.store_plaintext, key)
            else:
                keys.set_session_key(key)
        except (ValueError, keys.KeyringUnavailable, OSError) as exc:
            self.result.emit(False, redact(str(exc)))
            return
        where = keys.KeySource(key, storage).describe()
        try:
            await self._use_endpoint(Endpoint(base, key, key_source=storage))
        except Exception as exc:  # e.g. jobs still running: the key is stored, used from the next start
            self.result.emit(
                True,
                f"{redact(check.message)} Stored in {where}. {redact(str(exc))}; it is used from the next "
                "start.",
            )
            return
        self.result.emit(
            True, f"{redact(check.message)} Stored in {where}. Generate now uses your OpenAI account."
        )


async def key_status(endpoint: Endpoint) -> tuple[bool, str]:
    """(whether an OS keyring can hold the key, a sentence on the key in use (`endpoint`'s) and the one
    stored)."""
    usable, backend = await asyncio.to_thread(lambda: (keys.keyring_usable(), keys.backend_name()))
    in_use = (
        "none (the offline sandbox)"
        if endpoint.is_sandbox
        else keys.KeySource(None, endpoint.key_source).describe()
    )
    stored = await keys.aresolve_key(None)
    lines = [f"Key in use: {in_use}.", f"Stored: {stored.describe()}." if stored.key else "No key is stored."]
    if stored.problem:
        lines.append(f"Refused: {stored.problem}.")
    if not usable:
        lines.append(
            f"No usable OS keyring ({backend}): choose to keep a key for this session only, set "
            "OPENAI_API_KEY, or opt in to a plain-text file (mode 0600) anyone with your account can read."
        )
    return usable, " ".join(lines)


async def delete_stored_key() -> bool:
    """Remove the key from the keyring and the plain-text file (and this session); True if one was stored."""
    removed = await keys.adelete_stored_key()
    removed = await asyncio.to_thread(keys.delete_plaintext) or removed
    keys.set_session_key(None)
    return removed
