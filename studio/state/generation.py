"""Generating: the prompt's request sent to the image service, placed at the end of the current board or
right after a panel (a re-roll); a refused transparent background offered again as opaque."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.placement import Placement
from studio.core.request import ImageRequest
from studio.service.api import ImageService
from studio.service.failures import Kind
from studio.service.memory import release_off_loop

from .board_controller import BoardController
from .prompt_library import PromptLibrary
from .prompt_model import PromptModel
from .tasks import TaskRunner


class Generator(QObject):
    error = Signal(str)
    opaque_offered = Signal(object, str)  # the request again with an opaque background, and why

    def __init__(
        self,
        images: ImageService,
        prompt: PromptModel,
        history: PromptLibrary,
        board: BoardController,
        tasks: TaskRunner,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._images, self._prompt, self._history, self._board = images, prompt, history, board
        self._tasks = tasks
        self.cast: Any = None  # the board's cast (state/cast_board.CastBoard): its hint after a generation
        self.partials_next = 0  # partial images the next queued job will show on its tiles

    def generate(self) -> asyncio.Task[Any] | None:
        """The prompt as it stands, sent: new panels at the end of the current board."""
        if not self._prompt.can_generate:
            self.error.emit(self._prompt.error or "Type a prompt first.")
            return None
        return self._tasks.start(self._submit(self._prompt.request()), "Generate")

    def send(self, request: ImageRequest) -> asyncio.Task[Any] | None:
        """Send a request the user accepted as it is (e.g. the opaque retry of a refused transparent one)."""
        return self._tasks.start(self._submit(request), "Generate")

    def reroll_request(self, panel_id: int) -> ImageRequest | None:
        """The one-image request that re-rolls a panel (its generation's parameters), or None."""
        row = self._board.panel(panel_id)
        if row is None or not row.get("request_json"):
            self.error.emit("This panel has no generation to re-roll.")
            return None
        snap = json.loads(row["request_json"])
        if snap.get("woven_from") is not None:  # made with the board's cast: re-rolled with it as it is now
            snap = {**snap, "endpoint": "generate", "prompt": snap["woven_from"]}
        if snap.get("endpoint") != "generate":
            self.error.emit("Edited panels are re-rolled from the mask painter.")
            return None
        fields = {k: v for k, v in snap.items() if k in ImageRequest.__dataclass_fields__}
        fields["n"] = 1
        return ImageRequest(**fields)

    def reroll(self, panel_id: int, request: ImageRequest | None = None) -> asyncio.Task[Any] | None:
        """Re-roll next to the panel: its own request, or a given one (e.g. with reference images)."""
        request = request or self.reroll_request(panel_id)
        if request is None:
            return None
        return self._tasks.start(self._submit(request, after_panel=panel_id), "Re-roll")

    async def _submit(self, request: ImageRequest, after_panel: int | None = None) -> None:
        await self._history.remember(request.snapshot())
        request = self._prompt.sent(request)  # with the board's cast, when it has one
        sheet = self.cast.sheet if self.cast is not None else None  # the one it was sent with
        self.partials_next = request.partial_images if request.stream else 0
        name = self._board.board_name
        placement = Placement.after(name, after_panel) if after_panel is not None else Placement.end(name)
        outcome = await self._images.submit(request, placement)
        refused = next(
            (j.failure for j in outcome.jobs if j.failure and j.failure.kind is Kind.NO_TRANSPARENCY), None
        )
        if refused is not None:
            self.opaque_offered.emit(request.with_changes(background="opaque"), refused.message)
        if self.cast is not None:
            await self.cast.after(request, outcome, sheet)
        # the received bytes are saved: only thumbnails stay in memory, and they are freed off the GUI thread
        await release_off_loop(job.received for job in outcome.jobs)
