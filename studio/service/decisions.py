"""The user's decisions about jobs the service cannot settle alone: re-send or dismiss an outcome-unknown
generation, resolve a job that never settles (sent from another host) or whose outcome the user knows.
Part of ImageService (a base class, so the service's API stays in one place)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from studio.core.errors import RefusedError
from studio.core.placement import Placement
from studio.core.request import ImageRequest

from . import journal, library
from .events import JobFailed, JobUnknown
from .journal import JobState

if TYPE_CHECKING:
    from .runner import GroupOutcome


class JobDecisions:
    db: Any
    events: Any

    async def submit(
        self,
        request: ImageRequest,
        placement: Placement | None = None,
        *,
        board: str | None = None,
        call_cap: Decimal | None = None,
    ) -> GroupOutcome:
        raise NotImplementedError

    async def publish_cost(self) -> None:
        raise NotImplementedError

    async def resend(self, job_id: str, *, call_cap: Decimal | None = None) -> GroupOutcome:
        """The user's choice for an outcome-unknown generation: send the same request again."""
        row = await self.db.run(journal.get_job, job_id)
        if row is None or row["state"] != JobState.UNKNOWN.value:
            raise RefusedError("only a job whose outcome is unknown can be re-sent")
        if row["kind"] != "generate":
            raise RefusedError("an edit is re-sent from the mask painter, which still has its images")
        snap = json.loads(row["request_json"])
        fields = {k: v for k, v in snap.items() if k in ImageRequest.__dataclass_fields__}
        board = None
        if row["board_id"] is not None:
            board = next(
                (b["name"] for b in await self.db.run(library.boards) if b["id"] == row["board_id"]), None
            )
        await self.db.run(journal.set_error_kind, job_id, "resent")
        return await self.submit(ImageRequest(**fields), board=board, call_cap=call_cap)

    async def resolve(self, job_id: str, as_state: str) -> None:
        """The user settles a job (journal.resolve); caps and the meter follow at once."""
        full = await self.db.run(journal.resolve, job_id, as_state)
        message = (await self.db.run(journal.get_job, full) or {}).get("error_message") or ""
        self.events.publish(
            JobFailed(full, "resolved", message, None) if as_state == "failed" else JobUnknown(full, message)
        )
        await self.publish_cost()

    async def dismiss(self, job_id: str) -> None:
        """Hide an outcome-unknown job from the to-do list; it still counts at its quote (it may be
        billed)."""
        await self.db.run(journal.set_error_kind, job_id, "dismissed")
