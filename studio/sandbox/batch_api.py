"""The sandbox's Batch API (/v1/batches): validating -> in_progress -> finalizing -> completed in
accelerated time (SandboxConfig.batch_seconds), every JSONL line checked by the same rules as a
synchronous request, per-line 4xx answers in an error file, and injectable failures of a whole batch
(`batch/failed`, `batch/expire`, `batch/token_limit`) or of its lines (`line/KIND`). See
shared/docs/batch-api.md §2 and its sandbox checklist."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from studio.core.errors import ModelUnavailableError

from .batch_lines import LineOutcome, check_line, line_error, run_line
from .bodies import json_object
from .protocol import APIError

if TYPE_CHECKING:
    from .app import Sandbox

ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
)
IMAGE_ENDPOINTS = ("/v1/images/generations", "/v1/images/edits")
TERMINAL = ("completed", "failed", "expired", "cancelled")


@dataclass
class SandboxBatch:
    id: str
    endpoint: str
    input_file_id: str
    metadata: dict[str, str] | None
    created_at: int
    status: str = "validating"
    counts: dict[str, int] = field(default_factory=lambda: {"total": 0, "completed": 0, "failed": 0})
    times: dict[str, int | None] = field(default_factory=dict)
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, Any]] | None = None
    model: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    cancel_asked: bool = False

    def to_json(self) -> dict[str, Any]:
        stamps = (
            "in_progress_at",
            "finalizing_at",
            "completed_at",
            "failed_at",
            "expired_at",
            "cancelling_at",
            "cancelled_at",
        )
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "model": self.model,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "expires_at": self.created_at + 86400,
            **{k: self.times.get(k) for k in stamps},
            "request_counts": dict(self.counts),
            "usage": self.usage or None,
            "metadata": self.metadata,
        }


class BatchDesk:
    """The batches of one sandbox, worked through on the server's event loop."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.batches: dict[str, SandboxBatch] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def create(self, request: Request) -> Response:
        try:
            batch = self._new(await json_object(request))
        except APIError as exc:
            return _err(exc)
        self.batches[batch.id] = batch
        task = asyncio.create_task(self._work(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return JSONResponse(batch.to_json())

    def _new(self, body: dict[str, Any]) -> SandboxBatch:
        for name in ("input_file_id", "endpoint", "completion_window"):
            if not body.get(name):
                raise APIError(400, f"Missing required parameter: '{name}'.", param=name)
        if body["completion_window"] != "24h":
            raise APIError(400, "completion_window must be '24h'.", param="completion_window")
        if body["endpoint"] not in ENDPOINTS:
            raise APIError(400, f"Invalid value for 'endpoint': {body['endpoint']!r}.", param="endpoint")
        if body["endpoint"] not in IMAGE_ENDPOINTS:
            raise APIError(400, "The sandbox emulates image batches only.", param="endpoint")
        meta = body.get("metadata")
        if meta is not None and (
            not isinstance(meta, dict)
            or len(meta) > 16
            or any(len(str(k)) > 64 or len(str(v)) > 512 for k, v in meta.items())
        ):
            raise APIError(400, "metadata: at most 16 pairs, keys <= 64 and values <= 512 characters.")
        stored = self.sandbox.files.get(str(body["input_file_id"]))
        if stored.purpose != "batch":
            raise APIError(
                400, f"File {stored.id} was not uploaded for purpose 'batch'.", param="input_file_id"
            )
        return SandboxBatch(
            "batch_" + uuid.uuid4().hex[:24],
            str(body["endpoint"]),
            stored.id,
            meta,
            int(time.time()),
        )

    async def retrieve(self, request: Request) -> Response:
        batch = self.batches.get(request.path_params["batch_id"])
        if batch is None:
            return _err(APIError(404, f"No batch found with id '{request.path_params['batch_id']}'."))
        return JSONResponse(batch.to_json())

    async def cancel(self, request: Request) -> Response:
        batch = self.batches.get(request.path_params["batch_id"])
        if batch is None:
            return _err(APIError(404, f"No batch found with id '{request.path_params['batch_id']}'."))
        if batch.status in TERMINAL:
            return _err(APIError(409, f"Cannot cancel a batch with status '{batch.status}'."))
        batch.cancel_asked = True
        batch.status = "cancelling"
        batch.times["cancelling_at"] = int(time.time())
        return JSONResponse(batch.to_json())

    async def listing(self, request: Request) -> Response:
        try:
            limit = int(request.query_params.get("limit", "20"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return _err(APIError(400, "limit must be between 1 and 100.", param="limit"))
        newest = list(reversed(self.batches.values()))  # created in this order (seconds tie)
        after = request.query_params.get("after")
        if after:
            ids = [b.id for b in newest]
            newest = newest[ids.index(after) + 1 :] if after in ids else []
        page = newest[:limit]
        return JSONResponse(
            {
                "object": "list",
                "data": [b.to_json() for b in page],
                "first_id": page[0].id if page else None,
                "last_id": page[-1].id if page else None,
                "has_more": len(newest) > limit,
            }
        )

    # -- the lifecycle ----------------------------------------------------------------------

    async def _pause(self, share: float) -> None:
        await asyncio.sleep(max(0.0, self.sandbox.config.batch_seconds * share))

    def _stamp(self, batch: SandboxBatch, status: str) -> None:
        batch.status = status
        batch.times[f"{status}_at"] = int(time.time())

    async def _work(self, batch: SandboxBatch) -> None:
        fault = self.sandbox.config.faults.take("batch")
        await self._pause(0.1)
        lines, errors = self._validate(batch)
        if fault == "token_limit":
            errors = [
                {
                    "code": "token_limit_exceeded",
                    "line": None,
                    "message": f"Enqueued token limit reached for {batch.model} in organization org-sandbox. "
                    "Limit: 90,000 enqueued tokens. Please try again once some in_progress batches have "
                    "been completed.",
                    "param": None,
                }
            ]
        if errors or fault == "failed":
            batch.errors = errors or [
                {"code": "invalid_request", "line": 1, "message": "Injected failure.", "param": None}
            ]
            self._stamp(batch, "failed")
            return
        batch.counts["total"] = len(lines)
        self._stamp(batch, "in_progress")
        out_id, out_path = self.sandbox.files.new_path()
        err_id, err_path = self.sandbox.files.new_path()
        stop_after = len(lines) // 2 if fault == "expire" else None
        per_line = 0.8 / max(1, len(lines))
        with out_path.open("w", encoding="utf-8") as out, err_path.open("w", encoding="utf-8") as err:
            for number, line in enumerate(lines):
                unfinished = "batch_cancelled" if batch.cancel_asked else None
                if stop_after is not None and number >= stop_after:
                    unfinished = "batch_expired"
                if unfinished:
                    err.write(json.dumps(line_error(line, unfinished)) + "\n")
                    continue
                outcome = await run_line(self.sandbox, batch.endpoint, line)
                self._count(batch, outcome)
                (out if outcome.ok else err).write(outcome.text + "\n")
                await self._pause(per_line)
        self._stamp(batch, "finalizing")
        await self._pause(0.1)
        batch.output_file_id = self._keep(out_id, out_path, batch, "output")
        batch.error_file_id = self._keep(err_id, err_path, batch, "error")
        if fault == "expire":
            self._stamp(batch, "expired")
        elif batch.cancel_asked:
            self._stamp(batch, "cancelled")
        else:
            self._stamp(batch, "completed")

    def _count(self, batch: SandboxBatch, outcome: LineOutcome) -> None:
        batch.counts["completed" if outcome.ok else "failed"] += 1
        for key, value in (outcome.usage or {}).items():
            if isinstance(value, int):
                batch.usage[key] = batch.usage.get(key, 0) + value

    def _keep(self, file_id: str, path: Any, batch: SandboxBatch, which: str) -> str | None:
        """A result file, or None when it is empty (as OpenAI returns no output file for a batch whose
        every line failed)."""
        if path.stat().st_size == 0:
            path.unlink()
            return None
        self.sandbox.files.add(file_id, path, f"{batch.id}_{which}.jsonl", "batch_output", None)
        return file_id

    def _validate(self, batch: SandboxBatch) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The input file's lines, or the errors that fail the batch (codes as reported:
        invalid_json_line, duplicate_custom_id, url_mismatch, model_mismatch, empty_file,
        too_many_tasks, model_not_supported)."""
        stored = self.sandbox.files.get(batch.input_file_id)
        lines: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        seen: set[str] = set()
        limits = self.sandbox.registry.batch_api
        with stored.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                line, problem = check_line(raw, number, batch.endpoint, seen)
                if line is None:
                    errors.append(problem or {})
                    continue
                model = str(line["body"].get("model") or "")
                if batch.model is None:
                    batch.model = model
                elif model != batch.model:
                    errors.append(
                        _line_problem("model_mismatch", number, "All requests must use the same model.")
                    )
                lines.append(line)
        if not lines and not errors:
            errors.append(_line_problem("empty_file", None, "The input file has no requests."))
        if len(lines) > limits.max_requests:
            errors.append(
                _line_problem("too_many_tasks", None, f"At most {limits.max_requests} requests per batch.")
            )
        try:
            spec = self.sandbox.registry.get(batch.model or "")
        except ModelUnavailableError:
            spec = None
        refused = spec is None or (
            spec.batch != "yes" and batch.model not in self.sandbox.config.batch_models
        )
        if not errors and refused:
            errors.append(
                _line_problem(
                    "model_not_supported",
                    None,
                    f"The model '{batch.model}' is not supported by the Batch API.",
                )
            )
        return lines, errors[:1000]


def _line_problem(code: str, line: int | None, message: str) -> dict[str, Any]:
    return {"code": code, "line": line, "message": message, "param": None}


def _err(exc: APIError) -> Response:
    return JSONResponse(
        exc.body(), status_code=exc.status, headers={"x-request-id": "req_" + uuid.uuid4().hex}
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
