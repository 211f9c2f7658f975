"""The image service: quote, reserve against caps, journal, pace, call, retry by code, save, settle.

service = await ImageService.open(endpoint)
outcome = await service.submit(ImageRequest(prompt="..."), board="Shots")
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core import deadline
from studio.core.errors import RefusedError
from studio.core.placement import Placement
from studio.core.plan import PlannedJob, plan_jobs
from studio.core.pricing import Learned, Quote, quote
from studio.core.registry import Registry, load_registry
from studio.core.request import ImageRequest
from studio.core.validation import Checked, validate

from . import journal, ledger, library
from .batches import Batches
from .calibration import learned_output
from .cancelling import Cancelling
from .client import make_client
from .db import Database
from .decisions import JobDecisions
from .endpoint import Endpoint
from .events import (
    CostUpdated,
    EventBus,
    JobFailed,
    JobQueued,
    JobSent,
    JobUnknown,
    RateLimited,
    Receiving,
)
from .export import leftovers as export_leftovers
from .failures import Kind, explain
from .journal import JobState, NewJob
from .model_list import ModelList
from .outcomes import GroupOutcome, JobOutcome
from .pacing import Pacer, unlimited
from .paths import data_dir, database_path
from .previews import preview_saver
from .refine import Refiner
from .restore import Restored, reconcile_and_restore
from .retry import RetryPolicy
from .routes import ImagesRoute, Route
from .settlement import settle
from .storage import clean_leftovers
from .user_settings import load_settings


async def _pacer_for(
    db: Database,
    registry: Registry,
    endpoint: Endpoint,
    tier: int | None = None,
    minute_seconds: float | None = None,
) -> Pacer:
    """Pacing for this endpoint: none for the sandbox, else the tier's images and tokens per minute."""
    if endpoint.is_sandbox:
        return unlimited()
    saved = await db.run(load_settings)
    t = registry.tier(tier or saved.tier)
    return Pacer(
        t.images_per_minute, t.tokens_per_minute, minute_seconds=minute_seconds or saved.minute_seconds
    )


class ImageService(JobDecisions, Cancelling):
    def __init__(
        self,
        db: Database,
        endpoint: Endpoint,
        *,
        root: Path | None = None,
        registry: Registry | None = None,
        pacer: Pacer | None = None,
        policy: RetryPolicy | None = None,
        events: EventBus | None = None,
        timeout: float | None = None,
        deadline_s: float | None = None,
    ):
        self.db, self.endpoint, self.root = db, endpoint, root
        self.registry = registry or load_registry()
        self.pacer = pacer or unlimited()
        self.policy = policy or RetryPolicy()
        self.events = events or EventBus()
        self._sync_client: Any = None  # every call runs on a worker thread with the SDK's sync client
        self._client_lock = asyncio.Lock()
        self.timeout = timeout
        self.deadline_s = (
            deadline_s  # overrides every call's deadline (tests); else scaled per call from the setting
        )
        self.reconciled: list[str] = []
        self.restored: list[Restored] = []  # interrupted jobs whose saved images were found on start
        self._tasks: dict[str, asyncio.Task[JobOutcome]] = {}
        self._sent: set[str] = set()
        self._cancel_requested: set[str] = set()
        self._closed = False
        self.learned_tokens: dict[str, dict[str, int]] = {}  # model -> input size -> image tokens
        self.learned_output: dict[
            str, Learned
        ] = {}  # calibration key -> output tokens the user's bills showed
        self.base_registry = (
            self.registry
        )  # before the endpoint's model list is merged in (model_list.refresh)
        self.model_list: ModelList | None = None
        self.route: Route = ImagesRoute(self._ready_client)  # how calls are sent (routes.py)
        self.batches = Batches(self)  # the Batch route (batches.py): submit, poll, fetch, cancel
        self.refiner = Refiner(self)  # the Responses route (refine.py): a conversation's turns

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        *,
        root: Path | None = None,
        tier: int | None = None,
        minute_seconds: float | None = None,
        **kwargs: Any,
    ) -> ImageService:
        """Open the library (creating or migrating it), reconcile jobs of dead processes, set up pacing."""
        root = root or data_dir()
        db = await asyncio.to_thread(Database, database_path(root))
        registry = kwargs.pop("registry", None) or load_registry()
        if "pacer" not in kwargs:
            kwargs["pacer"] = await _pacer_for(db, registry, endpoint, tier, minute_seconds)
        service = cls(db, endpoint, root=root, registry=registry, **kwargs)
        service.reconciled, service.restored = await db.run(reconcile_and_restore, root)
        await asyncio.to_thread(clean_leftovers, root)  # temp files of writes a killed process never finished
        await db.run(export_leftovers.sweep)  # and export folders a killed export never finished
        await service.relearn()
        return service

    async def switch_endpoint(self, endpoint: Endpoint) -> None:
        """Use another endpoint from now on (a key was added: sandbox -> OpenAI). Refused while calls run."""
        if self._tasks:
            raise RefusedError("wait for the running jobs to finish before switching to the new key")
        async with self._client_lock:
            old, self._sync_client = self._sync_client, None
            self.endpoint = endpoint
            if old is not None:
                await asyncio.to_thread(old.close)
        self.pacer = await _pacer_for(self.db, self.registry, endpoint)
        await self.relearn()

    async def relearn(self) -> None:
        """Reload what the user's own bills say: input images per model and size, output per kind of
        request."""
        self.learned_tokens = await self.db.run(ledger.learned_image_tokens, sandbox=self.endpoint.is_sandbox)
        self.learned_output = await self.db.run(learned_output, sandbox=self.endpoint.is_sandbox)

    async def _ready_client(self) -> Any:
        """Import the SDK and build its (sync) client, which loads CA certificates (~50 ms), in a worker
        thread, not on the GUI thread. Calls run on worker threads with it (threaded_call.py)."""
        async with self._client_lock:  # concurrent jobs build one client, not one each
            if self._sync_client is None:

                def build() -> Any:
                    from . import images_api  # noqa: F401  (the SDK and the call code load here, off the GUI thread)

                    client = make_client(self.endpoint, timeout=self.timeout, sync=True)
                    # the Files and Batches resources import their modules on first use (~6 ms holding
                    # the GIL): here, not while a batch's results land (bench/batch.py saw the stall)
                    _ = client.files.with_streaming_response, client.batches, client.responses
                    return client

                self._sync_client = await asyncio.to_thread(build)
        return self._sync_client

    async def ready_client(self) -> Any:
        """The SDK's sync client (built once, off the GUI thread): for routes other than the runner's."""
        return await self._ready_client()

    async def warm_up(self) -> None:
        """Build the SDK client now (loading CA certificates holds the GIL for tens of ms), so the first
        Generate does not pay for it while results arrive. The window calls this once it is shown."""
        await self._ready_client()

    async def close(self) -> None:
        """Close the HTTP client and the library (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._sync_client is not None:
            await asyncio.to_thread(self._sync_client.close)
        await asyncio.to_thread(self.db.close)

    # -- quoting and submitting ---------------------------------------------------------------

    def check(self, request: ImageRequest) -> tuple[Checked, Quote]:
        checked = validate(request, self.registry)
        return checked, self.quote(checked)

    def quote(self, checked: Checked) -> Quote:
        """The quote the service will reserve for this request (with what the user's bills taught)."""
        learned = self.learned_tokens.get(checked.request.model)
        return quote(checked, self.registry, learned_image_tokens=learned, learned_output=self.learned_output)

    async def submit(
        self,
        request: ImageRequest,
        placement: Placement | None = None,
        *,
        board: str | None = None,
        call_cap: Decimal | None = None,
    ) -> GroupOutcome:
        """Run a request to the end. Refusals (bad input, over budget) raise before anything is sent.
        `placement` says where the results go (studio.core.placement); `board=` alone means new panels at
        the end of that board, neither means the library only."""
        placement = placement or (Placement.end(board) if board else Placement.library())
        checked, whole_quote = self.check(request)
        tokens_per_image = whole_quote.output_tokens // request.n
        fixed = (
            whole_quote.text_tokens_max + whole_quote.image_input_tokens_max
        )  # every call carries its inputs
        sizes = self.pacer.chunks(
            request.n, tokens_per_image, fixed
        )  # raises NeverFits: refused, never stuck
        board_id = await self.db.run(library.board_id, placement.board) if placement.board else None
        planned = [
            replace(job, board_id=board_id)
            for job in plan_jobs(request, sizes, lambda part: self.check(part), placement, uuid.uuid4().hex)
        ]
        new_jobs = [
            NewJob(
                group_id=job.group_id,
                seq=job.seq,
                first_index=job.first_index,
                board_id=board_id,
                endpoint=self.endpoint.public_url,
                sandbox=self.endpoint.is_sandbox,
                kind=request.endpoint,
                model=request.model,
                prompt=request.prompt,
                n=job.request.n,
                request=job.request.snapshot(),
                quote=job.quote.to_json(),
                quote_max_usd=job.quote.total_usd_max,
            )
            for job in planned
        ]
        ids = await self.db.run(ledger.reserve, new_jobs, call_cap=call_cap)  # raises OverBudget
        planned = [replace(job, job_id=job_id) for job, job_id in zip(planned, ids)]
        for job in planned:
            self.events.publish(
                JobQueued(
                    job.job_id,
                    job.group_id,
                    job.request.n,
                    job.quote.total_usd_max,
                    board_id,
                    job.first_index,
                    placement,
                )
            )
        tasks = []
        for job in planned:
            task = asyncio.create_task(self._run_job(job))
            self._tasks[job.job_id] = task
            tasks.append(task)
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for job_id in ids:
                self._tasks.pop(job_id, None)
        outcomes: list[JobOutcome] = []
        for job, result in zip(planned, results):
            if isinstance(result, asyncio.CancelledError) and job.job_id in self._cancel_requested:
                # cancelled before its task first ran: _run_job's handler never saw it
                self._cancel_requested.discard(job.job_id)
                result = await self._journal_cancel(job.job_id, job.first_index)
            elif isinstance(result, BaseException):
                raise result
            outcomes.append(result)
        return GroupOutcome(planned[0].group_id, whole_quote, checked, outcomes)

    # -- one job: one API call, with retries by code --------------------------------------------

    async def _run_job(self, job: PlannedJob) -> JobOutcome:
        job_id = job.job_id
        try:
            return await self._attempts(job)
        except asyncio.CancelledError:
            outcome = await self._journal_cancel(job_id, job.first_index)
            if job_id not in self._cancel_requested:
                raise
            self._cancel_requested.discard(job_id)
            return outcome
        finally:
            self._sent.discard(job_id)

    async def _attempts(self, job: PlannedJob) -> JobOutcome:
        job_id, checked, q, first_index, req = (
            job.job_id,
            job.checked,
            job.quote,
            job.first_index,
            job.request,
        )
        await self.route.ready()  # before the rate slot: its send time is stamped when it is used
        limit_s = self.deadline_s or deadline.call_deadline(
            req, (await self.db.run(load_settings)).deadline_base_s
        )
        tokens = q.output_tokens + q.text_tokens_max + q.image_input_tokens_max
        retries = 0
        while True:
            slot = await self.pacer.acquire(
                req.n,
                tokens,
                on_wait=lambda s: self.events.publish(
                    RateLimited(job_id, s, "pacing for the rate limit: next call")
                ),
            )
            attempt = await self.db.run(journal.bump_attempts, job_id)
            await self.db.run(journal.mark, job_id, JobState.SENT)
            self._sent.add(job_id)
            self.events.publish(JobSent(job_id, attempt))
            sent_at = slot.sending()
            try:
                result = await self.route.send(
                    checked,
                    on_partial=preview_saver(self, job_id, first_index, req.output_format),
                    deadline_s=limit_s,
                    on_bytes=lambda count: self.events.publish(Receiving(job_id, count, limit_s)),
                )
            except Exception as exc:  # every failure is explained and journaled
                failure = explain(exc)
                headers = getattr(getattr(exc, "response", None), "headers", None)
                if headers is not None:
                    self.pacer.observe(headers, since=sent_at)
                if failure.kind is Kind.OUTCOME_UNKNOWN:
                    await self.db.run(
                        journal.mark,
                        job_id,
                        JobState.UNKNOWN,
                        error_kind=failure.kind.value,
                        error_message=failure.message,
                        request_id=failure.request_id,
                    )
                    self.events.publish(JobUnknown(job_id, failure.message))
                    return JobOutcome(
                        job_id, JobState.UNKNOWN, first_index, failure=failure, attempts=attempt
                    )
                wait = self.policy.next_wait(failure, retries)
                if wait is not None:
                    retries += 1
                    if failure.kind is Kind.RATE_LIMITED:
                        self.pacer.hold(wait)
                    await self.db.run(
                        journal.mark,
                        job_id,
                        JobState.QUEUED,
                        error_kind=failure.kind.value,
                        error_message=failure.message,
                    )
                    self._sent.discard(job_id)
                    what = "rate-limited" if failure.kind is Kind.RATE_LIMITED else "server error"
                    self.events.publish(RateLimited(job_id, wait, f"{what}, retrying"))
                    if failure.kind is not Kind.RATE_LIMITED:
                        await asyncio.sleep(wait)
                    continue
                await self.db.run(
                    journal.mark,
                    job_id,
                    JobState.FAILED,
                    error_kind=failure.kind.value,
                    error_message=failure.message,
                    request_id=failure.request_id,
                )
                self.events.publish(
                    JobFailed(job_id, failure.kind.value, failure.message, failure.request_id)
                )
                await self.publish_cost()
                return JobOutcome(job_id, JobState.FAILED, first_index, failure=failure, attempts=attempt)
            self.pacer.observe(result.headers, since=sent_at)
            return await self._settle(job, result, attempt)

    async def _settle(self, job: PlannedJob, result: Any, attempt: int) -> JobOutcome:
        return await settle(self, job, result, attempt)

    # -- previews and cost ----------------------------------------------------------------------

    async def publish_cost(self) -> None:
        """Tell the totals (the meter and the caps follow)."""
        t = await self.db.run(ledger.totals)
        self.events.publish(CostUpdated(t.today, t.month))
