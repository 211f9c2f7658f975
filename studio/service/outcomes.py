"""What a job and a group of jobs came to: the service's answer to submit()."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from studio.core.pricing import Quote
from studio.core.validation import Checked

from .failures import Failure
from .journal import JobState
from .library import SavedImage


@dataclass
class JobOutcome:
    job_id: str
    state: JobState
    first_index: int
    request_id: str | None = None
    images: list[SavedImage] = field(default_factory=list)
    received: list[bytes] = field(default_factory=list)  # exactly as the API sent them
    output_format: str = "png"
    usage: dict[str, Any] | None = None
    billed_usd: Decimal | None = None
    failure: Failure | None = None
    notice: str | None = None
    attempts: int = 0


@dataclass
class GroupOutcome:
    group_id: str
    quote: Quote
    checked: Checked
    jobs: list[JobOutcome]

    @property
    def ok(self) -> bool:
        return all(j.state is JobState.SAVED for j in self.jobs)

    @property
    def billed_usd(self) -> Decimal:
        return sum((j.billed_usd or Decimal(0) for j in self.jobs), Decimal(0))
