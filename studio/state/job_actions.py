"""What the user decides about a job: cancel one not yet sent, re-send or dismiss an outcome-unknown one,
and resolve one that can never settle on its own (sent from another host) or that the user knows the
outcome of. The Jobs panel calls these; the service journals them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.service.api import ImageService, JobList

from .jobs_model import JobsModel
from .tasks import TaskRunner


async def jobs_needing_a_decision(journal: JobList) -> list[dict[str, Any]]:
    """Outcome-unknown jobs not yet re-sent or dismissed, and jobs another host sent and never settled."""
    unknown = await journal.rows(states=("unknown",))
    stuck = await journal.unsettled_elsewhere()
    return [j for j in unknown if j.get("error_kind") not in ("dismissed", "resent")] + stuck


async def recent_jobs(journal: JobList, limit: int = 20) -> list[dict[str, Any]]:
    """The latest settled jobs (saved, failed, cancelled), newest first, for the jobs panel after a restart;
    the ones the user dismissed stay hidden."""
    rows = await journal.rows(states=("saved", "failed"), limit=limit)
    return [j for j in rows if j.get("error_kind") != "dismissed"]


class JobActions(QObject):
    error = Signal(str)

    def __init__(
        self, service: ImageService, jobs: JobsModel, tasks: TaskRunner, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.service, self.jobs, self.tasks = service, jobs, tasks

    def cancel(self, job_id: str) -> None:
        if not self.service.cancel(job_id):
            self.error.emit("That job was already sent; it can no longer be cancelled.")

    def resend(self, job_id: str) -> None:
        async def go() -> None:
            self.jobs.remove(job_id)
            await self.service.resend(job_id)

        self.tasks.start(go(), "Re-send")

    def dismiss(self, job_id: str) -> None:
        async def go() -> None:
            await self.service.dismiss(job_id)
            self.jobs.remove(job_id)

        self.tasks.start(go(), "Dismiss")

    def resolve(self, job_id: str, as_state: str) -> Any:
        """ "failed": it was not billed (its reservation is released); "unknown": it may have been."""

        async def go() -> None:
            await self.service.resolve(job_id, as_state)
            if as_state == "failed":
                self.jobs.remove(job_id)

        return self.tasks.start(go(), "Resolve")
