"""The session: one service, the current board, and the observable models the window binds to.

Service events arrive through one long-lived task and are turned into model updates on the GUI
thread; every action starts its coroutine through TaskRunner, so failures become messages."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.core.placement import Placement
from studio.core.request import ImageRequest
from studio.service import events as ev
from studio.service import journal, ledger, library, panels
from studio.service.endpoint import Endpoint
from studio.service.failures import Kind
from studio.service.library import DEFAULT_BOARD
from studio.service.memory import release_off_loop
from studio.service.runner import ImageService

from .board_model import BoardModel
from .cost_model import CostModel
from .job_actions import JobActions, jobs_needing_a_decision
from .jobs_model import JobsModel
from .lifecycle import watch_lifecycle
from .preferences import Preferences
from .prompt_library import PromptLibrary
from .prompt_model import PromptModel
from .tasks import TaskRunner
from .thumbnails import ThumbnailCache


class Session(QObject):
    board_changed = Signal()
    endpoint_changed = Signal()
    boards_changed = Signal()
    error = Signal(str)
    notice = Signal(str)
    opaque_offered = Signal(
        object, str
    )  # the request again with an opaque background, and why (never sent on its own)

    def __init__(self, service: ImageService, *, sandbox: bool):
        super().__init__()
        self.service = service
        self.registry = service.registry
        self.sandbox = sandbox
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self.error)
        self.preferences = Preferences(service.db, self)
        self.thumbnails = ThumbnailCache(self)
        self.prompt = PromptModel(self.registry, self)
        self.prompt.quoter = service.quote  # the quote shown is the one the service reserves, to the cent
        self.board = BoardModel(self.thumbnails, self)
        self.jobs = JobsModel(self)
        self.job_actions = JobActions(service, self.jobs, self.tasks, self)
        self.job_actions.error.connect(self.error)
        self.costs = CostModel(self)
        self.board_id: int | None = None
        self.board_name = ""
        self.boards: list[dict[str, Any]] = []
        self.prompts = PromptLibrary(service.db, self.prompt, self.tasks, self)  # presets and history
        self._panels: list[dict[str, Any]] = []  # the current board's rows from the library
        self._pump: asyncio.Task[None] | None = None
        self._landed = 0  # panels landed or changed by events (counted so a reload never drops one)
        self._partials_next = 0
        self._shut = False
        self.undo = QUndoStack(self)  # panel edits: caption, star, delete, move
        self.prompt.changed.connect(lambda: self.costs.update(quote=self.prompt.quote))
        self.board.caption_edited.connect(self.set_caption)
        self.board.move_requested.connect(self.move_panel)

    @classmethod
    async def open(
        cls, endpoint: Endpoint, *, root: Path | None = None, board: str | None = None, **kwargs: Any
    ) -> Session:
        service = await ImageService.open(endpoint, root=root, **kwargs)
        session = cls(service, sandbox=endpoint.is_sandbox)
        await session.start(board)
        return session

    @property
    def panel_rows(self) -> list[dict[str, Any]]:
        """The current board's panels as the library has them (in order)."""
        return list(self._panels)

    @property
    def db(self):
        return self.service.db

    async def start(self, board: str | None = None) -> None:
        self._pump = asyncio.ensure_future(self._consume())
        settings = await self.preferences.load()
        self.thumbnails.set_budget(settings.thumbnail_cache_mb << 20)
        self.prompt.svg_model_selection = settings.svg_model_selection
        if settings.defaults:
            self.prompt.load(settings.defaults)
        name = board or settings.board or DEFAULT_BOARD
        await self.select_board(name)
        await self.prompts.reload_presets()
        await self.prompts.search_history("")
        self.jobs.load_unknown(await jobs_needing_a_decision(self.service))
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

    async def shutdown(self) -> None:
        """Quit: cancel what is queued, journal what is in flight as outcome unknown, close the library.
        Safe to call twice."""
        if self._shut:
            return
        self._shut = True
        await self.tasks.cancel_all()
        await self.thumbnails.stop()
        await self.service.shutdown()
        if self._pump:
            self._pump.cancel()
            await asyncio.gather(self._pump, return_exceptions=True)

    # -- events ---------------------------------------------------------------------------------

    async def _consume(self) -> None:
        async for event in self.service.events.subscribe():
            try:
                self._apply(event)
            except Exception as exc:  # a bad event must not stop the pump
                self.error.emit(f"internal error while updating the window: {exc!r}")

    def _apply(self, e: ev.Event) -> None:
        self.jobs.apply(e)
        self.costs.apply(e, sandbox=self.sandbox)
        panel = e.panel if isinstance(e, (ev.ImageSaved, ev.VersionAdded)) else None
        mine = panel is not None and self.board_id is not None and panel.get("board_id") == self.board_id
        if isinstance(e, ev.JobQueued) and e.board_id == self.board_id and e.board_id is not None:
            if e.placement.makes_panels:  # an edit (a new version) or a library-only job makes no tile
                self.board.add_pending(
                    e.job_id, e.first_index, e.n, self._partials_next, after_panel=e.placement.panel_id
                )
        elif isinstance(e, ev.JobSent):
            self.board.update_pending(e.job_id, state="generating")
        elif isinstance(e, ev.RateLimited):
            self.board.update_pending(e.job_id, state="queued")
        elif isinstance(e, ev.Receiving):
            self.board.update_pending(e.job_id, received=e.bytes_received)
        elif isinstance(e, ev.PartialImage):
            self.board.update_pending(e.job_id, e.index, state="partial", path=e.path, step=e.step + 1)
        elif isinstance(e, ev.ImageSaved) and mine and panel is not None:
            self._remember_panel(panel)
            self.board.land(e.job_id, e.index, panel)  # one row changes: no reload, no reset
        elif isinstance(e, ev.ImageSaved):
            self.board.drop_pending(e.job_id, e.index)
        elif isinstance(e, ev.VersionAdded) and mine:
            self._remember_panel(e.panel)
            self.board.update_panel(e.panel)
        elif isinstance(e, (ev.JobFailed, ev.JobUnknown)):
            self.board.drop_pending(e.job_id)
            self.notice.emit(e.message)
        elif isinstance(e, ev.JobSaved):
            self.board.drop_pending(e.job_id)  # placeholders of images that never arrived (k of n)
            self.prompt.requote()  # its bill may have taught the estimate
            if e.notice:  # "1 of 2 images arrived", a bill over the quote, an image kept but flagged
                self.notice.emit(f"Saved, but: {e.notice}")
        elif isinstance(e, ev.CostUpdated):
            self.tasks.start(self.refresh_costs(), "Updating the cost meter")

    def _remember_panel(self, panel: dict[str, Any]) -> None:
        self._landed += 1  # a reload whose query ran before this must query again (reload_board)
        self._panels = [p for p in self._panels if p["id"] != panel["id"]]
        self._panels.insert(min(int(panel.get("position", len(self._panels))), len(self._panels)), panel)

    # -- generating -----------------------------------------------------------------------------

    def send(self, request: ImageRequest) -> asyncio.Task[Any] | None:
        """Send a request the user accepted as it is (e.g. the opaque retry of a refused transparent one)."""
        return self.tasks.start(self._submit(request), "Generate")

    def generate(self) -> asyncio.Task[Any] | None:
        if not self.prompt.can_generate:
            self.error.emit(self.prompt.error or "Type a prompt first.")
            return None
        return self.tasks.start(self._submit(self.prompt.request()), "Generate")

    async def _submit(self, request: ImageRequest, after_panel: int | None = None):
        """New panels at the end of the current board, or right after `after_panel` (a re-roll)."""
        await self.prompts.remember(request.snapshot())
        self._partials_next = request.partial_images if request.stream else 0
        placement = (
            Placement.after(self.board_name, after_panel)
            if after_panel is not None
            else Placement.end(self.board_name)
        )
        outcome = await self.service.submit(request, placement)
        refused = next(
            (j.failure for j in outcome.jobs if j.failure and j.failure.kind is Kind.NO_TRANSPARENCY), None
        )
        if refused is not None:
            self.opaque_offered.emit(request.with_changes(background="opaque"), refused.message)
        # the received bytes are saved: only thumbnails stay in memory, and they are freed off the GUI thread
        await release_off_loop(job.received for job in outcome.jobs)

    def reroll_request(self, panel_id: int) -> ImageRequest | None:
        """The one-image request that re-rolls a panel (its generation's parameters), or None."""
        row = self._panel(panel_id)
        if row is None or not row.get("request_json"):
            self.error.emit("This panel has no generation to re-roll.")
            return None
        snap = json.loads(row["request_json"])
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
        return self.tasks.start(self._submit(request, after_panel=panel_id), "Re-roll")

    # -- boards and panels ----------------------------------------------------------------------

    async def select_board(self, name: str) -> None:
        self.board_id = await self.db.run(library.board_id, name)
        self.board_name = name
        await self.preferences.update(board=name)
        self.boards = await self.db.run(library.boards)
        self.boards_changed.emit()
        await self.reload_board()
        self.board_changed.emit()
        await self.refresh_costs()

    async def rename_board(self, name: str) -> None:
        if self.board_id is None:
            return
        self.board_name = await self.db.run(panels.rename_board, self.board_id, name)
        await self.preferences.update(board=self.board_name)
        self.boards = await self.db.run(library.boards)
        self.boards_changed.emit()
        self.board_changed.emit()

    async def reload_board(self) -> None:
        """The whole board from the library (a board switch, an import, an undo). A panel that lands while
        the query runs makes it run again, so no saved image is ever missing from the grid."""
        if self.board_id is None:
            return
        while True:
            landed = self._landed
            rows = await self.db.run(library.panels, self.board_id)
            if landed == self._landed:
                break
        self._panels = rows
        self.board.set_panels(rows)

    def _db_then_reload(self, what: str, fn, *args: Any, **kwargs: Any) -> None:
        async def go():
            await self.db.run(fn, *args, **kwargs)
            await self.reload_board()

        self.tasks.start(go(), what)

    def _panel(self, panel_id: int) -> dict[str, Any] | None:
        return next((p for p in self._panels if p["id"] == panel_id), None)

    def _push(self, text: str, do, undo) -> None:
        self.undo.push(_Command(text, do, undo))

    def set_caption(self, panel_id: int, caption: str) -> None:
        row = self._panel(panel_id)
        old = (row or {}).get("caption") or ""
        if row is not None and old == caption:
            return
        self._push(
            "Caption",
            lambda: self._db_then_reload("Saving the caption", panels.set_caption, panel_id, caption),
            lambda: self._db_then_reload("Saving the caption", panels.set_caption, panel_id, old),
        )

    async def use_endpoint(self, endpoint: Endpoint) -> None:
        """Switch the live session to another endpoint (a key was just added)."""
        await self.service.switch_endpoint(endpoint)
        self.sandbox = endpoint.is_sandbox
        self.costs.update(sandbox=self.sandbox, quote=self.prompt.quote)
        await self.refresh_costs()
        self.endpoint_changed.emit()

    async def import_files(self, paths: list[str]) -> None:
        """Several image files opened at once (file manager, drop): a new board with them as panels."""
        from studio.service.imports import import_files

        name = journal.utc_now().astimezone().strftime("Imported %Y-%m-%d %H:%M")
        panel_ids, problems = await import_files(self.db, self.service.root, name, paths)
        for problem in problems:
            self.error.emit(problem)
        if panel_ids:
            await self.select_board(name)

    def set_panel_fields(self, panel_id: int, **fields: Any) -> None:
        """Shot type, duration and notes of a panel, as one undoable step."""
        row = self._panel(panel_id)
        if row is None:
            return
        old = {k: row.get(k) for k in fields}
        if all(old[k] == v for k, v in fields.items()):
            return
        self._push(
            "Panel details",
            lambda: self._db_then_reload("Saving the panel", panels.set_fields, panel_id, **fields),
            lambda: self._db_then_reload("Saving the panel", panels.set_fields, panel_id, **old),
        )

    def set_starred(self, panel_id: int, starred: bool) -> None:
        self._push(
            "Star" if starred else "Unstar",
            lambda: self._db_then_reload("Starring", panels.set_starred, panel_id, starred),
            lambda: self._db_then_reload("Starring", panels.set_starred, panel_id, not starred),
        )

    def trash_panel(self, panel_id: int) -> None:
        self._push(
            "Delete panel",
            lambda: self._db_then_reload("Deleting", panels.trash, panel_id),
            lambda: self._db_then_reload("Restoring", panels.restore, panel_id),
        )

    def empty_trash(self) -> None:
        if self.board_id is not None:
            self.undo.clear()  # emptied panels cannot come back
            self._db_then_reload("Emptying the trash", panels.empty_trash, self.board_id)

    def move_panel(self, panel_id: int, new_index: int) -> None:
        old_index = self.board.row_of_panel(panel_id)
        if old_index is None or old_index == new_index or self.board_id is None:
            return
        board_id = self.board_id

        def go(index: int) -> None:
            self.board.move_local(panel_id, index)
            self._db_then_reload("Reordering", panels.move, board_id, panel_id, index)

        self._push("Move panel", lambda: go(new_index), lambda: go(old_index))

    # -- costs ----------------------------------------------------------------

    async def refresh_costs(self) -> None:
        totals = await self.db.run(ledger.totals)
        caps = await self.db.run(ledger.get_caps)
        board = next((b for b in await self.db.run(library.boards) if b["id"] == self.board_id), None)
        self.costs.update(
            today=totals.today,
            month=totals.month,
            board=totals.by_board.get(self.board_name, Decimal(0)),
            cap_call=caps.call,
            cap_day=caps.day,
            cap_month=caps.month,
            sandbox_calls=totals.sandbox_calls,
            cap_board=Decimal(board["budget_usd"]) if board and board["budget_usd"] is not None else None,
            board_name=self.board_name,
            sandbox=self.sandbox,
        )


class _Command(QUndoCommand):
    def __init__(self, text: str, do, undo):
        super().__init__(text)
        self._do, self._undo = do, undo

    def redo(self) -> None:
        self._do()

    def undo(self) -> None:
        self._undo()
