"""The one service API both front ends use: the window's state layer and the command line talk to a
`Studio` (images, boards, costs, settings, prompts, jobs, models, exports, batches), never to the SQL modules
under studio.service (an import-linter contract holds them to it).

    studio = await Studio.open(endpoint)            # the library, reconciled, and the image service
    await studio.images.submit(request, Placement.end("Shots"))
    totals = await studio.costs.totals()
    await studio.close()
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PIL import Image

from studio.core.images import ImageFile
from studio.core.request import EditRequest

from .. import edits as _edits
from ..db import Database, LibraryUnavailable
from ..paths import database_path
from ..restore import Restored, reconcile_and_restore
from ..runner import ImageService
from ..user_settings import UserSettings, read_library_settings
from .batches import SetQuote, VariantBatches, variants_of
from .boards import DEFAULT_BOARD, Boards, NewVersion
from .cast import Cast
from .catalog import ModelCatalog, ModelList
from .costs import BILL_FLAGS, Caps, Costs, OverBudget, Totals, parse_usd
from .exports import FORMATS, ExportCancelled, ExportOptions, ExportResult, Exports
from .stores import JobList, JobState, PromptStore, SettingsStore

__all__ = [
    "BILL_FLAGS",
    "VariantBatches",
    "variants_of",
    "DEFAULT_BOARD",
    "FORMATS",
    "Boards",
    "Caps",
    "Cast",
    "Costs",
    "EditOutcome",
    "ExportCancelled",
    "ExportOptions",
    "ExportResult",
    "Exports",
    "ImageService",
    "JobList",
    "JobState",
    "LibraryUnavailable",
    "ModelCatalog",
    "ModelList",
    "NewVersion",
    "OverBudget",
    "PromptStore",
    "Restored",
    "SetQuote",
    "SettingsStore",
    "Studio",
    "Totals",
    "UserSettings",
    "parse_usd",
    "read_library_settings",
]

EditOutcome = _edits.EditOutcome


class Studio:
    """The library and, when opened with an endpoint, the image service that sends and bills calls."""

    def __init__(self, db: Database, root: Path | None, images: ImageService | None = None):
        self.images = images
        self.boards = Boards(db, root)
        self.costs = Costs(db)
        self.settings = SettingsStore(db)
        self.prompts = PromptStore(db)
        self.jobs = JobList(db)
        self.models = ModelCatalog(db, images)
        self.exports = Exports(db)
        self.batches = VariantBatches(images)  # prompt variants, sent now or as Batch API batches
        self.cast = Cast(db, root)  # each board's cast and style sheet (reference images)
        self._db = db

    @classmethod
    def around(cls, images: ImageService) -> Studio:
        """The API over an image service that is already open."""
        return cls(images.db, images.root, images)

    @classmethod
    async def open(cls, endpoint: Any, *, root: Path | None = None, **kwargs: Any) -> Studio:
        """Open (create, migrate, reconcile) the library and the image service for `endpoint`."""
        return cls.around(await ImageService.open(endpoint, root=root, **kwargs))

    @classmethod
    async def open_library(
        cls, root: Path | None = None, *, reconcile: bool = True
    ) -> tuple[Studio, list[Restored]]:
        """The library alone (a command that sends nothing). With `reconcile`, jobs of processes that
        are gone are settled first: failed, unknown, or saved when their images reached the disk (those
        are returned)."""
        db = await asyncio.to_thread(Database, database_path(root))
        restored = (await db.run(reconcile_and_restore, root))[1] if reconcile else []
        return cls(db, root), restored

    async def close(self) -> None:
        if self.images is not None:
            await self.images.close()
        await asyncio.to_thread(self._db.close)

    # edits: planned by pure preflight code, sent by the image service, saved as versions
    def plan_edit(
        self, prompt: str, source: ImageFile, painted: Image.Image | None, **kwargs: Any
    ) -> tuple[EditRequest, tuple[str, ...]]:
        """The exact edit request and the preflight's notices (raises on bad input; CPU work: call it
        off the GUI thread)."""
        assert self.images is not None, "edits need an endpoint (Studio.open)"
        return _edits.build_request(self.images, prompt, source, painted, **kwargs)

    async def refine(self, instruction: str, settings: Any, params: dict[str, Any], **kwargs: Any) -> Any:
        """One turn of a refine conversation (service/refine.py): the panel's next version, billed in two
        parts. `settings`: studio.core.responses_body.TurnSettings."""
        assert self.images is not None, "refining needs an endpoint (Studio.open)"
        return await self.images.refiner.turn(instruction, settings, params, **kwargs)

    async def quote_turn(self, instruction: str, settings: Any, params: dict[str, Any], **where: Any) -> Any:
        """What a refine turn would cost (a TurnQuote: estimate, hard bound, both parts), reserving and
        sending nothing; raises RefusedError as the turn would. `where`: panel_id, source or
        conversation_id."""
        assert self.images is not None, "refining needs an endpoint (Studio.open)"
        return await self.images.refiner.quote(instruction, settings, params, **where)

    async def conversation(
        self, panel_id: int | None = None, *, conversation_id: str | None = None
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """A refine conversation (the panel's newest, or by id) and the turns it shows: a fork's inherited
        turns first (marked "inherited"), then its own (None, [] when there is none)."""
        from .. import conversations

        if conversation_id is not None:
            found = await self._db.run(conversations.get, conversation_id)
        elif panel_id is not None:
            found = await self._db.run(conversations.of_panel, panel_id)
        else:
            found = None
        return found, (await self._db.run(conversations.shown, found["id"]) if found else [])

    async def fork_conversation(self, conversation_id: str, seq: int) -> str:
        """A new conversation going on from turn `seq` (it becomes its panel's newest); its id."""
        from .. import conversations

        return await self._db.run(conversations.fork, conversation_id, seq)

    async def edit(self, request: EditRequest, **kwargs: Any) -> _edits.EditOutcome:
        """Send the edit; guard each saved result; for a panel, add it as a new version."""
        assert self.images is not None, "edits need an endpoint (Studio.open)"
        return await _edits.run_edit(self.images, request, **kwargs)


def library_settings(root: Path | None = None) -> UserSettings:
    """The saved settings, for a command that has not opened the library (blocking)."""
    return read_library_settings(root)
