"""A Batch API input line from a validated request (pure code). Generations carry the same body as a
synchronous call; edits use the JSON edit form, each input image referenced by the file id it was
uploaded as (once per batch, however many lines reuse it). Streaming does not exist in a batch."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .images import ImageFile
from .request import EditRequest, ImageRequest
from .validation import Checked

ENDPOINTS = {"generate": "/v1/images/generations", "edit": "/v1/images/edits"}


def image_key(image: ImageFile) -> str:
    """How an input image is recognised across lines (its bytes' SHA-256)."""
    return hashlib.sha256(image.data).hexdigest()


def input_images(request: ImageRequest) -> list[ImageFile]:
    """The files an edit line needs uploaded: its images, then its mask and markup."""
    if not isinstance(request, EditRequest):
        return []
    extra = [f for f in (request.mask, request.markup) if f is not None]
    return [*request.images, *extra]


def line_body(checked: Checked, file_ids: Mapping[str, str]) -> dict[str, Any]:
    """The `body` of the line: the synchronous call's parameters, minus streaming; for an edit the JSON
    form with `images: [{file_id}]`, `mask: {file_id}` (file_ids: image_key -> uploaded file id)."""
    req = checked.request
    params = ImageRequest.api_params(req, checked.spec)  # the generation fields (no multipart files)
    params.pop("stream", None)
    params.pop("partial_images", None)
    if not isinstance(req, EditRequest):
        return params
    params["images"] = [{"file_id": file_ids[image_key(i)]} for i in req.images]
    if req.mask is not None:
        params["mask"] = {"file_id": file_ids[image_key(req.mask)]}
    if req.markup is not None:
        params["markup"] = {"file_id": file_ids[image_key(req.markup)]}
    if req.input_fidelity and req.input_fidelity in checked.spec.input_fidelity:
        params["input_fidelity"] = req.input_fidelity
    return params


def line(custom_id: str, checked: Checked, file_ids: Mapping[str, str]) -> bytes:
    """One JSONL line (with its newline)."""
    record = {
        "custom_id": custom_id,
        "method": "POST",
        "url": ENDPOINTS[checked.request.endpoint],
        "body": line_body(checked, file_ids),
    }
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
