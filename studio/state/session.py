"""The session: the composition of the window's state. It opens the one service API (a `Studio`) and
builds the controllers, each with explicit dependencies: the current board and its undoable changes
(BoardController), generating (Generator), the cost meter (CostModel kept current by CostWatch), the
Jobs list and its decisions, the prompt with its presets and history, and the event pump that turns
service events into model updates. Every action starts through TaskRunner, so failures become messages
in the window that started them."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.service.api import ImageService, Studio
from studio.service.endpoint import Endpoint

from .batch_watch import BatchWatch
from .board_controller import BoardController
from .board_model import BoardModel
from .board_prompts import BoardPrompts
from .cast_board import CastBoard
from .cost_model import CostModel
from .cost_watch import CostWatch
from .edit_controller import EditController
from .event_pump import EventPump
from .exporter import Exporter
from .generation import Generator
from .job_actions import JobActions, jobs_needing_a_decision, recent_jobs
from .jobs_model import JobsModel
from .key_setup import KeySetup
from .lifecycle import watch_lifecycle
from .preferences import Preferences
from .prompt_library import PromptLibrary
from .prompt_model import PromptModel
from .refine_chat import RefineChat
from .tasks import TaskRunner
from .thumbnails import ThumbnailCache
from .variant_set import VariantSet


class Session(QObject):
    endpoint_changed = Signal()
    error = Signal(str)  # a message for the main window (a failed job, a notice, an import problem)
    notice = Signal(str)

    def __init__(self, studio: Studio, *, sandbox: bool):
        super().__init__()
        assert studio.images is not None, "the window's session sends calls: Studio.open(endpoint)"
        self.studio = studio
        self.service: ImageService = studio.images
        self.registry = self.service.registry
        self.tasks = TaskRunner(self)
        self.preferences = Preferences(studio.settings, studio.boards, self)
        self.thumbnails = ThumbnailCache(self)
        self.prompt = PromptModel(self.registry, self)
        self.prompt.quoter = (
            self.service.quote
        )  # the quote shown is the one the service reserves, to the cent
        self.board = BoardModel(self.thumbnails, self)
        self.boards = BoardController(studio.boards, self.board, self.preferences, self.tasks, self)
        self.board_prompts = BoardPrompts(studio.boards, self.boards, self.prompt, self.tasks, self)
        self.prompts = PromptLibrary(studio.prompts, self.prompt, self.tasks, self)  # presets and history
        self.generator = Generator(self.service, self.prompt, self.prompts, self.boards, self.tasks, self)
        self.cast = CastBoard(studio.cast, self.boards, self.prompt, self.tasks, self)  # the cast sheet
        self.generator.cast = self.cast
        self.jobs = JobsModel(self)
        self.job_actions = JobActions(self.service, self.jobs, self.tasks, self)
        self.costs = CostModel(self)
        self.cost_watch = CostWatch(studio.costs, studio.boards, self.boards, self.costs)
        self.cost_watch.sandbox = sandbox
        self.pump = EventPump(
            self.service,
            self.boards,
            self.jobs,
            self.costs,
            self.cost_watch,
            self.generator,
            self.prompt,
            self.tasks,
            self.error.emit,
        )
        self.variants = VariantSet(self.prompt, self)  # the prompt as a template: {a|b}, CSV rows
        self.batch_watch = BatchWatch(
            studio.batches, self.variants, self.prompts, self.boards, self.tasks, sandbox=sandbox, parent=self
        )
        self.pump.batches = self.batch_watch
        self.refine = RefineChat(studio, self.tasks, self)  # the Refine panel's conversation
        self.pump.refine = self.refine
        self.refine.cast = self.cast
        self.variants.changed.connect(lambda: self.costs.update(set_preview=self.variants.preview))
        self._shut = False
        self.generator.error.connect(self.error)
        self.job_actions.error.connect(self.error)
        self.cast.error.connect(self.error)
        self.cast.hint.connect(self.notice)
        self.prompt.changed.connect(
            lambda: self.costs.update(quote=self.prompt.quote, references_usd=self.prompt.references_usd)
        )
        self.boards.board_changed.connect(
            lambda: self.tasks.start(self.cost_watch.refresh(), "Updating the cost meter")
        )

    @classmethod
    async def open(
        cls, endpoint: Endpoint, *, root: Path | None = None, board: str | None = None, **kwargs: Any
    ) -> Session:
        studio = await Studio.open(endpoint, root=root, **kwargs)
        session = cls(studio, sandbox=endpoint.is_sandbox)
        await session.start(board)
        return session

    @property
    def sandbox(self) -> bool:
        return self.cost_watch.sandbox

    async def start(self, board: str | None = None) -> None:
        self.pump.start()
        settings = await self.preferences.load()
        self.thumbnails.set_budget(settings.thumbnail_cache_mb << 20)
        self.prompt.svg_model_selection = settings.svg_model_selection
        if settings.defaults:
            self.prompt.load(settings.defaults)
        await self.boards.select(board)
        await self.board_prompts.start()
        await self.cost_watch.refresh()
        await self.prompts.reload_presets()
        await self.prompts.search_history("")
        self.jobs.load_unknown(await jobs_needing_a_decision(self.studio.jobs))
        self.jobs.load_recent(await recent_jobs(self.studio.jobs))
        if self.service.reconciled:
            again = (
                f"; {sum(r.images for r in self.service.restored)} image(s) they saved were restored"
                * bool(self.service.restored)
            )
            self.notice.emit(
                f"{len(self.service.reconciled)} job(s) were interrupted last time{again}: see Jobs "
                "(outcome unknown ones may have been billed)"
            )
        self.costs.update(sandbox=self.sandbox, quote=self.prompt.quote)
        watch_lifecycle(self)
        self.batch_watch.start()  # open batches are polled again after a restart

    async def shutdown(self) -> None:
        """Quit: cancel what is queued, journal what is in flight as outcome unknown, close the library.
        Safe to call twice."""
        if self._shut:
            return
        self._shut = True
        with contextlib.suppress(Exception):  # a prompt not saved never keeps the journal from closing
            await self.board_prompts.flush()  # what was typed a moment ago is on its board next time
        self.board_prompts.stop()
        self.batch_watch.stop()  # a batch runs on at OpenAI: the next start polls and fetches it
        await self.tasks.cancel_all()
        await self.thumbnails.stop()
        await self.service.shutdown()
        await self.pump.stop()

    def edit_controller(self, *, panel_id: int | None = None, path: str | None = None) -> EditController:
        """One painter's edit workflow, on a panel (of the current board) or an image file."""
        return EditController(
            self.studio, self.boards, self.prompt, self.cost_watch, self.tasks, panel_id=panel_id, path=path
        )

    def key_setup(self, parent: QObject | None = None) -> KeySetup:
        """Adding the API key (first-run welcome, Settings): checked, stored, then this session uses it."""
        return KeySetup(self.studio.settings, self.tasks, self.use_endpoint, parent)

    def exporter(self, parent: QObject | None = None) -> Exporter:
        """Exporting the current board off the GUI thread."""
        return Exporter(self.studio.exports, self.boards, self.tasks, parent)

    async def use_endpoint(self, endpoint: Endpoint) -> None:
        """Switch the live session to another endpoint (a key was just added)."""
        await self.service.switch_endpoint(endpoint)
        self.cost_watch.sandbox = endpoint.is_sandbox
        self.costs.update(sandbox=self.sandbox, quote=self.prompt.quote)
        await self.cost_watch.refresh()
        self.endpoint_changed.emit()

    async def import_files(self, paths: list[str]) -> None:
        """Image files opened at once (file manager, drop): a new board with them as panels."""
        for problem in await self.boards.import_files(paths):
            self.error.emit(problem)
