"""Reading an image request's body like the API: JSON (generations, the JSON edit form) or multipart
(edits)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from studio.core.images import ImageFile

from .protocol import APIError, data_url_to_image, upload_to_image


@dataclass(frozen=True)
class Body:
    params: dict[str, Any]
    images: tuple[ImageFile, ...]
    mask: ImageFile | None
    markup: ImageFile | None


async def json_object(request: Request) -> dict[str, Any]:
    """A JSON request body that must be an object, or the API's 400 for one that is not."""
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise APIError(
            400, "We could not parse the JSON body of your request.", code="invalid_json"
        ) from None
    if not isinstance(body, dict):
        raise APIError(400, "The request body must be a JSON object.", code="invalid_json")
    return body


async def read_body(request: Request, edit: bool, record: dict[str, Any]) -> Body:
    """The request's parameters and files, from JSON or multipart, refused as the API refuses them."""
    ctype = request.headers.get("content-type", "")
    images: list = []
    mask = markup = None
    if ctype.startswith("multipart/form-data"):
        if not edit:
            raise APIError(400, "The generations endpoint takes a JSON body.", code="invalid_request")
        form = await request.form(max_files=64, max_fields=64, max_part_size=4 * 1024 * 1024)
        params: dict[str, Any] = {}
        files = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                files.append(
                    {
                        "field": key,
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "bytes": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
                role = key if key in ("mask", "markup") else "image"
                if key not in ("image", "image[]", "mask", "markup"):
                    raise APIError(
                        400, f"Unknown file parameter: '{key}'.", param=key, code="unknown_parameter"
                    )
                img = upload_to_image(value.filename, value.content_type, data, role)
                if key == "mask":
                    mask = img
                elif key == "markup":
                    markup = img
                else:
                    images.append(img)
            else:
                params[key] = value
        record["files"] = files
        await form.close()  # the uploads were read whole: their spooled temporary files go now
    else:
        params = await json_object(request)
        if edit:
            refs = params.pop("images", None)
            mask_ref = params.pop("mask", None)
            markup_ref = params.pop("markup", None)
            if refs is not None:
                if not isinstance(refs, list):
                    raise APIError(
                        400,
                        "Invalid type for 'images': expected an array.",
                        param="images",
                        code="invalid_type",
                    )
                images = [data_url_to_image(r, "image") for r in refs]
            if mask_ref is not None:
                mask = data_url_to_image(mask_ref, "mask")
            if markup_ref is not None:
                markup = data_url_to_image(markup_ref, "markup")
    record["params"] = {k: v for k, v in params.items()}
    return Body(params, tuple(images), mask, markup)
