"""The service's typed events turned into model updates on the GUI thread: the Jobs list, the cost meter
and the board, which changes one row per event (an insert, an update), never a reset."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from studio.service import events as ev
from studio.service.api import ImageService

from .batch_watch import BatchWatch
from .board_controller import BoardController
from .cost_model import CostModel
from .cost_watch import CostWatch
from .generation import Generator
from .jobs_model import JobsModel
from .prompt_model import PromptModel
from .refine_chat import RefineChat
from .tasks import TaskRunner


class EventPump:
    def __init__(
        self,
        images: ImageService,
        board: BoardController,
        jobs: JobsModel,
        costs: CostModel,
        cost_watch: CostWatch,
        generator: Generator,
        prompt: PromptModel,
        tasks: TaskRunner,
        say: Callable[[str], None],
    ):
        self._images, self._board, self._jobs, self._costs = images, board, jobs, costs
        self._cost_watch, self._generator, self._prompt, self._tasks = cost_watch, generator, prompt, tasks
        self._say = say  # a message for the window (an error, a notice)
        self._task: asyncio.Task[None] | None = None
        self.batches: BatchWatch | None = None  # the batches' rows and notifications, once built
        self.refine: RefineChat | None = None  # the Refine panel's conversation, once built
        self._refining: dict[str, int] = {}  # a refine turn's job -> the panel whose tile shows it

    def start(self) -> None:
        self._task = self._tasks.start(self._consume(), "Updating the window")  # as long as the session

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _consume(self) -> None:
        async for event in self._images.events.subscribe():
            try:
                self.apply(event)
            except Exception as exc:  # a bad event must not stop the pump
                self._say(f"internal error while updating the window: {exc!r}")

    def apply(self, e: ev.Event) -> None:
        if self.refine is not None:
            self.refine.apply(e)
            self._turn_on_tile(e, self.refine)
        self._jobs.apply(e)
        self._costs.apply(e, sandbox=self._cost_watch.sandbox)
        board, tiles = self._board, self._board.model
        panel = e.panel if isinstance(e, (ev.ImageSaved, ev.VersionAdded)) else None
        mine = panel is not None and board.shows(panel)
        if isinstance(e, ev.JobQueued) and e.board_id == board.board_id and e.board_id is not None:
            if e.placement.makes_panels:  # an edit (a new version) or a library-only job makes no tile
                tiles.add_pending(
                    e.job_id,
                    e.first_index,
                    e.n,
                    self._generator.partials_next,
                    after_panel=e.placement.panel_id,
                )
        elif isinstance(e, ev.JobSent):
            tiles.update_pending(e.job_id, state="generating")
        elif isinstance(e, ev.RateLimited):
            tiles.update_pending(e.job_id, state="queued")
        elif isinstance(e, ev.Receiving):
            tiles.update_pending(e.job_id, received=e.bytes_received)
        elif isinstance(e, ev.PartialImage):
            tiles.update_pending(e.job_id, e.index, state="partial", path=e.path, step=e.step + 1)
        elif isinstance(e, ev.ImageSaved) and mine and panel is not None:
            board.remember(panel)
            tiles.land(e.job_id, e.index, panel)  # one row changes: no reload, no reset
        elif isinstance(e, ev.ImageSaved):
            tiles.drop_pending(e.job_id, e.index)
        elif isinstance(e, ev.VersionAdded) and mine:
            board.remember(e.panel)
            tiles.update_panel(e.panel)
        elif isinstance(e, ev.JobFailed) and e.batch_id is not None:
            pass  # a batch's line: the batch's notification says how many failed and why
        elif isinstance(e, (ev.JobFailed, ev.JobUnknown)):
            tiles.drop_pending(e.job_id)
            self._say(e.message)
        elif isinstance(e, ev.BatchChanged) and self.batches is not None:
            self.batches.apply(e)
        elif isinstance(e, ev.JobSaved) and e.batch_id is not None:
            if e.notice:
                self._say(f"Saved, but: {e.notice}")
        elif isinstance(e, ev.JobSaved):
            tiles.drop_pending(e.job_id)  # placeholders of images that never arrived (k of n)
            self._prompt.requote()  # its bill may have taught the estimate
            if e.notice:  # "1 of 2 images arrived", a bill over the quote, an image kept but flagged
                self._say(f"Saved, but: {e.notice}")
        elif isinstance(e, ev.CostUpdated):
            self._tasks.start(self._cost_watch.refresh(), "Updating the cost meter")

    def _turn_on_tile(self, e: ev.Event, chat: RefineChat) -> None:
        """A refine turn's stage and partial images on its panel's tile, until it ends."""
        tiles = self._board.model
        job_id = getattr(e, "job_id", None)
        if isinstance(e, (ev.TurnStage, ev.PartialImage)) and job_id == chat.job_id and chat.panel_id:
            self._refining.setdefault(e.job_id, chat.panel_id)
        panel_id = self._refining.get(job_id) if job_id else None
        if panel_id is None:
            return
        if isinstance(e, ev.TurnStage):
            tiles.show_progress(panel_id, state="refining")
        elif isinstance(e, ev.PartialImage):
            steps = max(chat.settings.partial_images, e.step + 1)
            tiles.show_progress(panel_id, state="partial", path=e.path, step=e.step + 1, steps=steps)
        elif isinstance(e, (ev.JobSaved, ev.JobFailed, ev.JobUnknown)):
            del self._refining[e.job_id]
            tiles.end_progress(panel_id)
