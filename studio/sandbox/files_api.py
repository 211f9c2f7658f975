"""The sandbox's Files API (/v1/files): uploads kept on disk in a temporary folder, served back as raw
bytes, as OpenAI's is (shared/docs/batch-api.md §1, §3). Batch input is JSONL only."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from .protocol import APIError

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals", "batch_output")
MAX_FILE_BYTES = 512 * 1024 * 1024  # any one file (the API's rule)
DEFAULT_EXPIRY_S = 30 * 24 * 3600


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    expires_at: int | None
    path: Path

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": self.bytes,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


class FileStore:
    """Files on disk (a batch output of a thousand images is gigabytes: never held in memory)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="asset-studio-sandbox-files-"))
        self.files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_path(self) -> tuple[str, Path]:
        file_id = "file-" + uuid.uuid4().hex[:24]
        return file_id, self.folder / file_id

    def add(self, file_id: str, path: Path, filename: str, purpose: str, expiry_s: int | None) -> StoredFile:
        now = int(time.time())
        stored = StoredFile(
            file_id, filename, purpose, path.stat().st_size, now, now + (expiry_s or DEFAULT_EXPIRY_S), path
        )
        with self._lock:
            self.files[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile:
        with self._lock:
            stored = self.files.get(file_id)
        if stored is None or not stored.path.exists():
            raise APIError(404, f"No such File object: {file_id}", param="id", code=None)
        return stored

    def delete(self, file_id: str) -> None:
        stored = self.get(file_id)
        with self._lock:
            self.files.pop(file_id, None)
        stored.path.unlink(missing_ok=True)

    # -- handlers ---------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        form = await request.form(max_files=2, max_fields=16, max_part_size=MAX_FILE_BYTES)
        try:
            purpose = str(form.get("purpose") or "")
            upload = form.get("file")
            if purpose not in PURPOSES or purpose == "batch_output":
                raise APIError(
                    400,
                    f"Invalid value for 'purpose': {purpose!r}. Supported: "
                    + ", ".join(p for p in PURPOSES if p != "batch_output"),
                    param="purpose",
                    code="invalid_value",
                )
            if not isinstance(upload, UploadFile):
                raise APIError(400, "Missing required parameter: 'file'.", param="file", code=None)
            filename = upload.filename or "upload"
            if purpose == "batch" and not filename.endswith(".jsonl"):
                raise APIError(400, "Invalid file format for Batch API. Must be .jsonl", param="file")
            expiry = _expiry(form.get("expires_after[anchor]"), form.get("expires_after[seconds]"))
            file_id, path = self.new_path()
            with path.open("wb") as out:
                while chunk := await upload.read(1 << 20):
                    out.write(chunk)
            if path.stat().st_size > MAX_FILE_BYTES:
                path.unlink()
                raise APIError(400, "File is too large: the limit is 512 MB.", param="file")
            return JSONResponse(self.add(file_id, path, filename, purpose, expiry).to_json())
        except APIError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        finally:
            await form.close()

    async def retrieve(self, request: Request) -> Response:
        try:
            return JSONResponse(self.get(request.path_params["file_id"]).to_json())
        except APIError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)

    async def content(self, request: Request) -> Response:
        try:
            stored = self.get(request.path_params["file_id"])
        except APIError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        return FileResponse(stored.path, media_type="application/octet-stream")

    async def remove(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        try:
            self.delete(file_id)
        except APIError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        return JSONResponse({"id": file_id, "object": "file", "deleted": True})


def _expiry(anchor: Any, seconds: Any) -> int | None:
    if anchor is None and seconds is None:
        return None
    if anchor != "created_at":
        raise APIError(400, "expires_after[anchor] must be 'created_at'.", param="expires_after[anchor]")
    try:
        value = int(str(seconds))
    except ValueError:
        value = -1
    if not 3600 <= value <= 2_592_000:
        raise APIError(
            400,
            "expires_after[seconds] must be between 3600 and 2592000.",
            param="expires_after[seconds]",
            code="invalid_value",
        )
    return value
