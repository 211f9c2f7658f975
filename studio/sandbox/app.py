"""The sandbox's ASGI app (Starlette): OpenAI's image endpoints, faithful enough to test against."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import math
import os
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from studio.core.registry import Registry, load_registry

from . import art, formats, imaging
from .answers import DroppedResponse, json_body, stream_events
from .batch_api import BatchDesk
from .bodies import read_body
from .faults import FAULTS, FaultPlan, FaultSpecError, fault_fields
from .files_api import FileStore
from .protocol import APIError, build_request, check
from .ratelimit import SlidingWindowLimiter, format_reset
from .responses_api import ResponsesDesk


@dataclass
class SandboxConfig:
    tier: int | None = None  # emulate this rate tier's images/tokens per minute; None = unlimited
    latency: float = 0.0  # seconds added to every image call
    minute_seconds: float = 60.0  # shorten the rate-limit minute for tests and benchmarks
    rate_clock: Callable[[], float] = time.monotonic  # the rate window's clock (tests move it by hand)
    faults: FaultPlan = field(default_factory=FaultPlan)
    hang_seconds: float = 900.0
    today: dt.date | None = None  # the model lifecycle date (tests pin it)
    detail: str = "flat"  # "photo": add grain so PNGs are as large as real photos (benchmarks)
    gif_access: bool = True  # the project has the GIF preview (off: the API's 400)
    svg_model_selection: bool = (
        False  # the project may choose the SVG author (svg.model required, else refused)
    )
    no_transparency: frozenset[str] = frozenset()  # models that answer a transparent background with a 400
    shutdowns: dict[str, dt.date] = field(
        default_factory=dict
    )  # served as shutdown_date; refused from that day
    extra_models: frozenset[str] = frozenset()  # listed and served beyond this version's data (a newer model)
    broken_svg: bool = False  # answer SVG requests with a truncated document (an author model's bad day)
    batch_seconds: float = 2.0  # how long a batch takes from validating to completed (OpenAI: up to 24 h)
    batch_models: frozenset[str] = frozenset()  # accepted by the Batch API beyond the data's "yes" flags


class Sandbox:
    """State shared by the handlers: registry, limiter, fault plan and a log of received requests."""

    def __init__(self, config: SandboxConfig, registry: Registry | None = None):
        self.config = config
        self.base_registry = registry or load_registry()
        self.requests: deque[dict[str, Any]] = deque(maxlen=500)
        self.limiter = None
        if config.tier is not None:
            tier = self.base_registry.tier(config.tier)
            self.limiter = SlidingWindowLimiter(
                tier.images_per_minute, tier.tokens_per_minute, config.minute_seconds, config.rate_clock
            )
        self.pool = ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="sandbox-paint"
        )
        self.files = FileStore()
        self.desk = BatchDesk(self)
        self.responses = ResponsesDesk(self)

    @property
    def registry(self) -> Registry:
        """The models as this server knows them today: shutdown dates set by --shutdown (or a test) merged
        in."""
        registry = self.base_registry
        if self.config.extra_models:
            registry = registry.with_listed_models(self.config.extra_models)
        if self.config.shutdowns:
            registry = registry.with_shutdown_dates(self.config.shutdowns, "sandbox --shutdown")
        return registry

    # -- handlers ---------------------------------------------------------------------------

    async def generations(self, request: Request) -> Response:
        return await self._images(request, edit=False)

    async def edits(self, request: Request) -> Response:
        return await self._images(request, edit=True)

    async def variations(self, request: Request) -> Response:
        return _error(
            APIError(
                404,
                "The model `dall-e-2` does not exist or you do not have access to it.",
                param="model",
                code="model_not_found",
            ),
            _rid(),
        )

    async def _gate(self, request: Request, rid: str) -> Response | None:
        """Auth and injected faults for the non-image endpoints."""
        try:
            _require_auth(request)
        except APIError as exc:
            return _error(exc, rid)
        fault = self.config.faults.take("models")
        return await self.fault(fault, rid) if fault else None

    async def models(self, request: Request) -> Response:
        rid = _rid()
        if (refusal := await self._gate(request, rid)) is not None:
            return refusal
        today = self.config.today
        data = [_model_json(m.id, m.shutdown) for m in self.registry.usable_models(today)]
        return JSONResponse({"object": "list", "data": data}, headers={"x-request-id": rid})

    async def model(self, request: Request) -> Response:
        rid = _rid()
        if (refusal := await self._gate(request, rid)) is not None:
            return refusal
        model_id = request.path_params["model"]
        usable = {m.id for m in self.registry.usable_models(self.config.today)}
        if model_id not in usable:
            err = APIError(
                404,
                f"The model `{model_id}` does not exist or you do not have access to it.",
                param="model",
                code="model_not_found",
            )
            return _error(err, rid)
        return JSONResponse(
            _model_json(model_id, self.registry.get(model_id).shutdown), headers={"x-request-id": rid}
        )

    async def set_faults(self, request: Request) -> Response:
        body = await request.json()
        if body.get("clear"):
            self.config.faults.clear()
        try:
            self.config.faults.push(str(body.get("spec", "")))
        except FaultSpecError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True, "kinds": sorted(FAULTS)})

    async def request_log(self, request: Request) -> Response:
        return JSONResponse(list(self.requests))

    # -- the image endpoints -----------------------------------------------------------------

    async def _images(self, request: Request, *, edit: bool) -> Response:
        rid = _rid()
        record: dict[str, Any] = {
            "path": request.url.path,
            "request_id": rid,
            "content_type": request.headers.get("content-type", ""),
        }
        self.requests.append(record)
        response = await self._images_inner(request, edit, rid, record)
        record["status"] = response.status_code
        return response

    async def _images_inner(self, request: Request, edit: bool, rid: str, record: dict[str, Any]) -> Response:
        started = time.perf_counter()
        try:
            _require_auth(request)
            fault = self.config.faults.take()
            body = await read_body(request, edit, record)
            if fault and fault not in ("moderation_output", "drop_after_image"):
                return await self.fault(fault, rid)
            request_value = build_request(
                body.params, edit=edit, images=body.images, mask=body.mask, markup=body.markup
            )
            checked = check(request_value, self.registry, self.config.today)
            self.project_rules(checked)
            p = imaging.plan(checked, detail=self.config.detail, variation=rid)
            partials = checked.request.partial_images if checked.request.stream else 0
            use = imaging.usage(checked, p, images=checked.request.n, partials_per_image=partials)
            headers = {"x-request-id": rid, **self._admit(checked.request.n, use["total_tokens"], rid)}
            if fault == "moderation_output" and not checked.request.stream:
                return await self.fault(fault, rid)
            if checked.request.stream:
                return StreamingResponse(
                    stream_events(self.pool, self.config.latency, checked, p, use, fault, edit),
                    media_type="text/event-stream",
                    headers=headers,
                )
            if self.config.latency:
                await asyncio.sleep(self.config.latency)
            tail = {
                "background": "transparent" if p.transparent else "opaque",
                "output_format": checked.request.output_format,
                "size": str(p.size),
                "quality": p.quality,
                "usage": use,
            }
            if checked.request.output_format == "svg":
                tail["svg_usage"] = formats.svg_usage(checked)
            headers["openai-processing-ms"] = str(int((time.perf_counter() - started) * 1000))
            cut = 1 if fault == "drop_after_image" else None
            return StreamingResponse(
                json_body(self._encode_all(checked, p, record), tail, cut_after=cut),
                media_type="application/json",
                headers=headers,
            )
        except APIError as exc:
            return _error(exc, rid)

    def project_rules(self, checked) -> None:
        """What depends on the project's access and the model's current state, not on the request's shape."""
        req, config = checked.request, self.config
        if req.output_format == "gif" and not config.gif_access:
            raise APIError(
                400,
                "GIF output is not enabled for this request.",
                param="output_format",
                code="invalid_value",
            )
        if req.output_format == "svg":
            if config.svg_model_selection and not req.svg_author:
                raise APIError(
                    400,
                    "SVG generation requires 'svg.model'.",
                    param="svg.model",
                    code="missing_required_parameter",
                )
            if not config.svg_model_selection and req.svg_author:
                raise APIError(
                    400,
                    "SVG model selection is not enabled for this project; omit 'svg'.",
                    param="svg",
                    code="invalid_value",
                )
        if req.background == "transparent" and {req.model, checked.spec.base_id} & config.no_transparency:
            raise APIError(
                400,
                "Transparent background is not supported for this model.",
                param="background",
                code="invalid_value",
            )

    def _admit(self, images: int, tokens: int, rid: str) -> dict[str, str]:
        if self.limiter is None:
            return {}
        d = self.limiter.check(images, tokens)
        headers = {
            "x-ratelimit-limit-images": str(d.limit_images),
            "x-ratelimit-remaining-images": str(d.remaining_images),
            "x-ratelimit-reset-images": format_reset(d.reset_seconds),
            "x-ratelimit-limit-tokens": str(d.limit_tokens),
            "x-ratelimit-remaining-tokens": str(d.remaining_tokens),
            "x-ratelimit-reset-tokens": format_reset(d.reset_seconds),
        }
        if d.allowed:
            return headers
        if d.too_large:
            msg = (
                "Request too large for images per min (IPM) or tokens per min (TPM): Limit "
                f"{d.limit_images} images / "
                f"{d.limit_tokens} tokens, Requested {images} images / {tokens} tokens. Send fewer images "
                "per request."
            )
            raise APIError(429, msg, type="requests", code="rate_limit_exceeded", headers=headers)
        wait = max(1, math.ceil(d.retry_after))
        headers["retry-after"] = str(wait)
        headers["retry-after-ms"] = str(max(1, int(d.retry_after * 1000)))
        msg = (
            f"Rate limit reached for images per min (IPM): Limit {d.limit_images}, Remaining "
            f"{d.remaining_images}, "
            f"Requested {images}. Please try again in {wait}s."
        )
        raise APIError(429, msg, type="requests", code="rate_limit_exceeded", headers=headers)

    def _encode_all(self, checked, p, record: dict[str, Any]) -> list[asyncio.Future[bytes]]:
        """Paint and encode every image in the worker pool (Pillow releases the GIL while encoding); the
        request log keeps each image's SHA-256, so a test can check what was saved is what was sent."""
        loop = asyncio.get_running_loop()
        req = checked.request
        sent = record.setdefault("images_sha256", [None] * req.n)

        def encoded(i: int) -> bytes:
            if req.output_format == "gif":
                return formats.gif(checked, p.size.width, p.size.height, i, p.variation)
            if req.output_format == "svg":
                svg = formats.svg(checked, p.size.width, p.size.height, i, p.variation)
                return svg[: len(svg) // 2] if self.config.broken_svg else svg
            return art.encode(imaging.paint(checked, p, i), req.output_format, req.output_compression)

        def one(i: int) -> bytes:
            data = encoded(i)
            sent[i] = hashlib.sha256(data).hexdigest()
            return data

        return [loop.run_in_executor(self.pool, one, i) for i in range(req.n)]

    async def fault(self, fault: str, rid: str) -> Response:
        if fault == "hang":
            await asyncio.sleep(self.config.hang_seconds)
            return Response(status_code=504)
        if fault == "drop":
            return DroppedResponse()
        status, body, headers = FAULTS[fault]
        return _error(APIError(status, **fault_fields(fault), headers=dict(headers)), rid)


def _authed(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """The Files and Batches handlers, behind the same key check as the image endpoints."""

    async def checked(request: Request) -> Response:
        try:
            _require_auth(request)
        except APIError as exc:
            return _error(exc, _rid())
        return await handler(request)

    return checked


def _require_auth(request: Request) -> None:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        raise APIError(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code=None,
        )


def _rid() -> str:
    return "req_" + uuid.uuid4().hex


def _model_json(model_id: str, shutdown: dt.date | None = None) -> dict[str, Any]:
    return {
        "id": model_id,
        "object": "model",
        "created": 1776729600,
        "owned_by": "system",
        "shutdown_date": shutdown.isoformat() if shutdown else None,
    }


def _error(exc: APIError, rid: str) -> Response:
    return JSONResponse(exc.body(), status_code=exc.status, headers={"x-request-id": rid, **exc.headers})


def create_app(config: SandboxConfig | None = None, registry: Registry | None = None) -> Starlette:
    sandbox = Sandbox(config or SandboxConfig(), registry)
    routes = [
        Route("/v1/images/generations", sandbox.generations, methods=["POST"]),
        Route("/v1/images/edits", sandbox.edits, methods=["POST"]),
        Route("/v1/images/variations", sandbox.variations, methods=["POST"]),
        Route("/v1/models", sandbox.models, methods=["GET"]),
        Route("/v1/models/{model}", sandbox.model, methods=["GET"]),
        Route("/v1/files", _authed(sandbox.files.create), methods=["POST"]),
        Route("/v1/files/{file_id}", _authed(sandbox.files.retrieve), methods=["GET"]),
        Route("/v1/files/{file_id}", _authed(sandbox.files.remove), methods=["DELETE"]),
        Route("/v1/files/{file_id}/content", _authed(sandbox.files.content), methods=["GET"]),
        Route("/v1/batches", _authed(sandbox.desk.create), methods=["POST"]),
        Route("/v1/batches", _authed(sandbox.desk.listing), methods=["GET"]),
        Route("/v1/batches/{batch_id}", _authed(sandbox.desk.retrieve), methods=["GET"]),
        Route("/v1/batches/{batch_id}/cancel", _authed(sandbox.desk.cancel), methods=["POST"]),
        Route("/v1/responses", _authed(sandbox.responses.create), methods=["POST"]),
        Route("/v1/responses/{response_id}", _authed(sandbox.responses.retrieve), methods=["GET"]),
        Route("/_sandbox/faults", sandbox.set_faults, methods=["POST"]),
        Route("/_sandbox/requests", sandbox.request_log, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = sandbox
    return app
