"""Routes: how a planned job is sent and its answer read, behind one small interface. The journal's state
machine, the ledger's reserve and settle, and the caps are the runner's and shared by every route; a route
only sends. Today: OpenAI's Images API. The Batch and Responses routes come next as siblings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from studio.core.validation import Checked

if TYPE_CHECKING:  # the SDK loads with the first call, off the GUI thread (see ImageService._ready_client)
    from .images_api import CallResult, PartialCallback


class Route(Protocol):
    name: str

    async def ready(self) -> None:
        """Make what sending needs (a client, a connection) before a rate slot is taken: the pacer stamps the
        send time when the slot is used, so nothing slow may happen between the two."""
        ...

    async def send(
        self,
        checked: Checked,
        *,
        on_partial: PartialCallback | None,
        deadline_s: float | None,
        on_bytes: Callable[[int], None] | None,
    ) -> CallResult:
        """Send one call and return what came back (images as received, usage, request id), or raise the
        SDK's exception / PartialAnswer, which the runner explains and journals."""
        ...


class ImagesRoute:
    """/v1/images/generations and /v1/images/edits, one call per job, read on a worker thread."""

    name = "images"

    def __init__(self, client: Callable[[], Awaitable[Any]]):
        self._client = client  # the service's SDK client, built once off the GUI thread

    async def ready(self) -> None:
        await self._client()

    async def send(
        self,
        checked: Checked,
        *,
        on_partial: PartialCallback | None,
        deadline_s: float | None,
        on_bytes: Callable[[int], None] | None,
    ) -> CallResult:
        from .images_api import call_images

        return await call_images(
            await self._client(), checked, on_partial=on_partial, deadline_s=deadline_s, on_bytes=on_bytes
        )
