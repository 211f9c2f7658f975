"""Variants and batches, for the window and the command line alike: a prompt template expanded into
requests, quoted both ways (sent now, or as a batch at half price), sent now through the Images API
route or as Batch API batches, and the batches tracked, fetched and cancelled."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core.errors import RefusedError
from studio.core.placement import Placement
from studio.core.pricing import Quote
from studio.core.request import ImageRequest
from studio.core.set_quote import SetQuote, set_quote
from studio.core.variants import Variant, expand, read_rows

from ..batch_fetch import Fetched
from ..batch_submit import Submitted, plan_lines, refuse_over_caps
from ..batches import batch_failure, with_costs
from ..outcomes import GroupOutcome
from ..runner import ImageService

__all__ = ["SetQuote", "Fetched", "Submitted", "VariantBatches", "batch_failure", "with_costs"]


def variants_of(template: str, rows_file: Path | None = None, rows_text: str | None = None) -> list[Variant]:
    """The template's requests (TemplateError names the position); rows from a CSV file or its text."""
    if rows_file is not None:
        try:
            rows_text = rows_file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RefusedError(
                f"{rows_file.name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        except OSError as exc:
            raise RefusedError(f"{rows_file}: {exc.strerror or exc}") from None
    rows = read_rows(rows_text) if rows_text is not None else None
    return expand(template, rows)


class VariantBatches:
    def __init__(self, images: ImageService | None):
        self._images = images

    @property
    def _service(self) -> ImageService:
        assert self._images is not None, "batches need an endpoint (Studio.open)"
        return self._images

    def quote_both(self, requests: list[ImageRequest]) -> SetQuote:
        """What the set costs sent now and as a batch (validation refusals raise)."""
        now: list[Quote] = [self._service.check(r)[1] for r in requests]
        try:
            lines = plan_lines(self._service.batches, requests)
        except RefusedError as exc:
            return set_quote(now, None, str(exc))
        return set_quote(now, [line.quote for line in lines])

    async def send_now(
        self, requests: list[ImageRequest], placement: Placement, *, call_cap: Decimal | None = None
    ) -> list[GroupOutcome]:
        """Every variant through the Images API route, paced as any generation (one job group each, in
        the template's order on the board)."""
        service = self._service
        if len(requests) > 1:
            total = sum((service.check(r)[1].total_usd_max for r in requests), Decimal(0))
            await refuse_over_caps(service, total, placement, f"these {len(requests)} variants")
        outcomes = []
        for request in requests:  # in order: each group's panels land after the previous group's
            outcomes.append(await service.submit(request, placement, call_cap=call_cap))
        return outcomes

    async def submit(
        self, requests: list[ImageRequest], placement: Placement, *, budget: Decimal | None = None
    ) -> list[Submitted]:
        return await self._service.batches.submit(requests, placement, budget=budget)

    async def listing(self) -> list[dict[str, Any]]:
        return await self._service.batches.listing()

    async def status(self, batch_id: str) -> dict[str, Any]:
        """Poll it now (an ended batch waits for `fetch`, which saves its results)."""
        batches = self._service.batches
        row = await batches.poll(batch_id, fetch_ended=False)
        return next((r for r in await batches.listing() if r["id"] == row["id"]), with_costs(row))

    async def poll_due(self) -> list[dict[str, Any]]:
        return await self._service.batches.poll_due()

    async def open_count(self) -> int:
        return len(await self._service.batches.open_batches())

    async def fetch(self, batch_id: str, *, wait: bool = False, every_s: float | None = None) -> Any:
        """Fetch an ended batch (with `wait`, poll until it ends). Returns (its row, Fetched or None)."""
        batches = self._service.batches
        while True:
            row, got = await batches.fetch(batch_id)
            if got is not None or not wait or row["fetched_at"]:
                return row, got
            await asyncio.sleep(every_s if every_s is not None else batches.poll_interval(row))

    async def fetch_all(self) -> list[tuple[dict[str, Any], Fetched | None]]:
        return [await self.fetch(r["id"]) for r in await self._service.batches.open_batches()]

    async def cancel(self, batch_id: str) -> dict[str, Any]:
        return await self._service.batches.cancel(batch_id)
