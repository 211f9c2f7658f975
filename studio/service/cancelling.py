"""Stopping jobs: cancel one not yet sent (nothing is spent), stop everything at quit, and journal what a
cancel meant (unknown if it was out: it may be billed; failed if it was not). Part of ImageService (a base
class, so the service's API stays in one place)."""

from __future__ import annotations

import asyncio
from typing import Any

from . import journal
from .events import JobFailed, JobUnknown
from .failures import Failure, Kind
from .journal import JobState
from .outcomes import JobOutcome


class Cancelling:
    db: Any
    events: Any
    _tasks: dict[str, asyncio.Task[JobOutcome]]
    _sent: set[str]
    _cancel_requested: set[str]

    async def close(self) -> None:
        raise NotImplementedError

    def cancel(self, job_id: str) -> bool:
        """Cancel a job that has not been sent yet (nothing is spent); False if it is already out."""
        task = self._tasks.get(job_id)
        if task is None or job_id in self._sent or task.done():
            return False
        self._cancel_requested.add(job_id)
        task.cancel()
        return True

    async def shutdown(self) -> None:
        """Stop everything in flight: unsent jobs are cancelled, sent ones journaled as outcome unknown."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.close()

    async def _journal_cancel(self, job_id: str, first_index: int) -> JobOutcome:
        """Record a cancelled job: unknown if it was sent (it may be billed), failed if it was not."""
        if job_id in self._sent:
            message = (
                "Stopped while waiting for the answer: it may have been processed and billed; "
                "it was not re-sent."
            )
            await self.db.run(
                journal.mark, job_id, JobState.UNKNOWN, error_kind="cancelled", error_message=message
            )
            self.events.publish(JobUnknown(job_id, message))
            state = JobState.UNKNOWN
        else:
            message = "Cancelled before it was sent: nothing was spent."
            await self.db.run(
                journal.mark, job_id, JobState.FAILED, error_kind="cancelled", error_message=message
            )
            self.events.publish(JobFailed(job_id, "cancelled", message, None))
            state = JobState.FAILED
        return JobOutcome(job_id, state, first_index, failure=Failure(Kind.INVALID, message))
