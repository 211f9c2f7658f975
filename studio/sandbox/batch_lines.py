"""One JSONL line of a sandbox batch: its shape checked while validating, then run through the same
rules and painting as a synchronous request. Output and error lines share OpenAI's shape
(`{"id","custom_id","response":{"status_code","request_id","body"},"error"}`)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.core.images import ImageFile

from . import art, formats, imaging
from .faults import FAULTS, fault_fields
from .protocol import APIError, build_request, check, upload_to_image

if TYPE_CHECKING:
    from .app import Sandbox


@dataclass(frozen=True)
class LineOutcome:
    ok: bool
    text: str  # the output or error file's line (JSON, no newline)
    usage: dict[str, Any] | None = None


Checked = tuple[dict[str, Any] | None, dict[str, Any] | None]


def check_line(raw: bytes, number: int, endpoint: str, seen: set[str]) -> Checked:
    """(the parsed line, None), or (None, a BatchError {code, line, message, param} that fails the
    whole batch)."""

    def problem(code: str, message: str, param: str | None = None) -> Checked:
        return None, {"code": code, "line": number, "message": message, "param": param}

    try:
        line = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return problem("invalid_json_line", f"Line {number} is not valid JSON.")
    if not isinstance(line, dict) or not isinstance(line.get("body"), dict):
        return problem("invalid_json_line", f"Line {number} needs custom_id, method, url and a body object.")
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return problem("invalid_json_line", f"Line {number} has no custom_id.", "custom_id")
    if custom_id in seen:
        return problem("duplicate_custom_id", f"The custom_id '{custom_id}' is used more than once.")
    seen.add(custom_id)
    if line.get("method") != "POST":
        return problem("invalid_json_line", f"Line {number}: only POST is supported.", "method")
    if line.get("url") != endpoint:
        return problem(
            "url_mismatch", f"Line {number}: url {line.get('url')!r} is not the batch's {endpoint}."
        )
    return line, None


def line_error(line: Mapping[str, Any], code: str) -> dict[str, Any]:
    """A line that never ran (the batch was cancelled or expired first)."""
    messages = {
        "batch_expired": "This request could not be executed before the completion window expired.",
        "batch_cancelled": "This request was not executed because the batch was cancelled.",
    }
    return {
        "id": "batch_req_" + uuid.uuid4().hex[:24],
        "custom_id": line.get("custom_id"),
        "response": None,
        "error": {"code": code, "message": messages[code]},
    }


def _answer(line: Mapping[str, Any], status: int, body: dict[str, Any]) -> str:
    return json.dumps(
        {
            "id": "batch_req_" + uuid.uuid4().hex[:24],
            "custom_id": line.get("custom_id"),
            "response": {"status_code": status, "request_id": "req_" + uuid.uuid4().hex, "body": body},
            "error": None,
        }
    )


def _image(sandbox: Sandbox, ref: Any, role: str) -> ImageFile:
    """An ImageRefParam of the JSON edit form: a file id from the Files API, or a data URL."""
    from .protocol import data_url_to_image

    if isinstance(ref, Mapping) and "file_id" in ref:
        stored = sandbox.files.get(str(ref["file_id"]))
        data = stored.path.read_bytes()
        kind = {"\x89PNG": "image/png", "\xff\xd8\xff": "image/jpeg"}
        head = data[:4].decode("latin-1")
        ctype = next((v for k, v in kind.items() if head.startswith(k)), "image/webp")
        return upload_to_image(stored.filename, ctype, data, role)
    return data_url_to_image(ref, role)


async def run_line(sandbox: Sandbox, endpoint: str, line: Mapping[str, Any]) -> LineOutcome:
    """Run one request: its answer, or its 4xx (validation, a moderation fault) for the error file."""
    edit = endpoint.endswith("/edits")
    params = dict(line["body"])
    try:
        fault = sandbox.config.faults.take("line")
        if fault and FAULTS[fault][1] is not None:
            raise APIError(FAULTS[fault][0], **fault_fields(fault))
        images: tuple[ImageFile, ...] = ()
        mask = markup = None
        if edit:
            refs = params.pop("images", None)
            if not isinstance(refs, list) or not refs:
                raise APIError(400, "Missing required parameter: 'images'.", param="images")
            images = tuple(_image(sandbox, r, "image") for r in refs)
            if params.get("mask") is not None:
                mask = _image(sandbox, params.pop("mask"), "mask")
            if params.get("markup") is not None:
                markup = _image(sandbox, params.pop("markup"), "markup")
            params.pop("mask", None)
            params.pop("markup", None)
        if params.get("stream"):
            raise APIError(400, "Streaming is not supported in the Batch API.", param="stream")
        request = build_request(params, edit=edit, images=images, mask=mask, markup=markup)
        checked = check(request, sandbox.registry, sandbox.config.today)
        sandbox.project_rules(checked)
    except APIError as exc:
        return LineOutcome(False, _answer(line, exc.status, exc.body()))
    rid = "req_" + uuid.uuid4().hex
    p = imaging.plan(checked, detail=sandbox.config.detail, variation=rid)
    use = imaging.usage(checked, p, images=checked.request.n, partials_per_image=0)
    loop = asyncio.get_running_loop()
    req = checked.request

    def encoded(i: int) -> str:
        if req.output_format == "gif":
            data = formats.gif(checked, p.size.width, p.size.height, i, p.variation)
        elif req.output_format == "svg":
            data = formats.svg(checked, p.size.width, p.size.height, i, p.variation)
        else:
            data = art.encode(imaging.paint(checked, p, i), req.output_format, req.output_compression)
        return base64.b64encode(data).decode("ascii")

    data = await asyncio.gather(*(loop.run_in_executor(sandbox.pool, encoded, i) for i in range(req.n)))
    body = {
        "created": int(time.time()),
        "data": [{"b64_json": d} for d in data],
        "background": "transparent" if p.transparent else "opaque",
        "output_format": req.output_format,
        "quality": p.quality,
        "size": str(p.size),
        "usage": use,
    }
    return LineOutcome(True, _answer(line, 200, body), use)
