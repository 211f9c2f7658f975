"""Presets (named parameter sets) and the prompt history (searched as you type, off the GUI thread), for
the prompt editor. Its dependencies are explicit: the prompt store, the prompt it fills, the task runner."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.service.api import PromptStore

from .prompt_model import PromptModel
from .tasks import TaskRunner


class PromptLibrary(QObject):
    presets_changed = Signal()
    history_changed = Signal()

    def __init__(
        self, store: PromptStore, prompt: PromptModel, tasks: TaskRunner, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.store, self.prompt, self.tasks = store, prompt, tasks
        self.presets: list[tuple[str, dict[str, Any]]] = []
        self.history: list[dict[str, Any]] = []

    async def reload_presets(self) -> None:
        self.presets = await self.store.presets()
        self.presets_changed.emit()

    def _then_reload(self, what: str, change: Coroutine[Any, Any, None]) -> None:
        async def go() -> None:
            await change
            await self.reload_presets()

        self.tasks.start(go(), what)

    def save_preset(self, name: str) -> None:
        self._then_reload("Saving the preset", self.store.save_preset(name, self.prompt.values()))

    def rename_preset(self, old: str, new: str) -> None:
        self._then_reload("Renaming the preset", self.store.rename_preset(old, new))

    def delete_preset(self, name: str) -> None:
        self._then_reload("Deleting the preset", self.store.delete_preset(name))

    def load_preset(self, name: str) -> None:
        for preset, params in self.presets:
            if preset == name:
                self.prompt.load(params)

    async def remember(self, request: dict[str, Any]) -> None:
        """A request was sent: it joins the history (and the list shows it)."""
        await self.store.remember(request)
        self.tasks.start(self.search_history(""), "Updating the history")

    async def search_history(self, text: str) -> None:
        self.history = await self.store.search_history(text)
        self.history_changed.emit()
