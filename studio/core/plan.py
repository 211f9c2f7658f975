"""Planning a request into jobs before anything is sent: pure code. A request of n images is split into
calls that each fit the rate tier (the sizes come from the pacer); each call is validated and quoted on
its own and carries where its results go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .placement import Placement
from .pricing import Quote
from .request import ImageRequest
from .validation import Checked


@dataclass(frozen=True)
class PlannedJob:
    group_id: str
    seq: int  # its place in the group
    checked: Checked  # this call's request (n = its share)
    quote: Quote  # this call's own quote
    first_index: int  # panel index of its first image within the group
    placement: Placement
    job_id: str = ""  # given when the journal reserves it
    board_id: int | None = None  # the board's row, when the placement names one
    batch_id: str | None = None  # a Batch API line's batch: billed at the model's Batch prices when
    batch_priced: bool = False  # the model has them
    panel_ids: tuple[int, ...] = ()  # placeholder panels its images fill, in order (a batch's lines)
    snapshot: dict[str, Any] | None = None  # the journaled request, when `checked` was rebuilt from it

    @property
    def request(self) -> ImageRequest:
        return self.checked.request


def plan_jobs(
    request: ImageRequest,
    sizes: list[int],
    check: Callable[[ImageRequest], tuple[Checked, Quote]],
    placement: Placement,
    group_id: str,
) -> list[PlannedJob]:
    """One PlannedJob per call: `sizes` are the images per call (they add up to request.n)."""
    if sum(sizes) != request.n:
        raise ValueError(f"calls of {sizes} images do not make {request.n}")
    jobs, first = [], 0
    for seq, size in enumerate(sizes):
        checked, q = check(request.with_changes(n=size))
        jobs.append(PlannedJob(group_id, seq, checked, q, first, placement))
        first += size
    return jobs
