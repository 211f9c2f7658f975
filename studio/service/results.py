"""Saving paid results: atomically, byte-for-byte, with a JSON sidecar, before a job counts as saved.

PNG files also carry the provenance in iTXt chunks inserted before IEND (no pixel is re-encoded;
`studio.core.provenance.strip_provenance` returns the exact bytes received, whose SHA-256 is in
the sidecar). If the library folder cannot be written (a full disk, permissions), the image goes
to the recovery folder, then to the temp folder, and the job says where.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from studio import APP_NAME, __version__
from studio.core.files import atomic_write
from studio.core.names import EXTENSIONS, slugify
from studio.core.provenance import NotAPng, provenance_parts
from studio.core.redact import redact
from studio.core.svg_safety import inspect_svg

from .library import SavedImage
from .paths import images_dir, recovered_dir


class SaveFailed(OSError):
    """No folder could take the image; the bytes are still in memory (CallResult.images)."""


@dataclass(frozen=True)
class SaveOutcome:
    images: list[SavedImage]
    notice: str | None  # set when the library folder failed and a fallback was used


def _dimensions(
    data: bytes, output_format: str, asked: str | None
) -> tuple[int | None, int | None, str | None]:
    """Width, height and what is wrong with a received raster image (None when it is usable). An image
    that does not decode or has another size than asked is still saved as received, and flagged."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            size, kind = im.size, (im.format or "").lower()
            im.verify()  # chunk CRCs and structure, without decoding the pixels
    except Exception as exc:  # noqa: BLE001 (Pillow raises many kinds) an undecodable answer is still kept
        return (
            None,
            None,
            f"not a readable {output_format.upper()} image ({type(exc).__name__}: {str(exc)[:80]})",
        )
    expected = {"jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "gif"}.get(output_format)
    if expected and kind and kind != expected:
        return *size, f"a {kind.upper()} image where {output_format.upper()} was asked for"
    if asked and "x" in asked and asked != f"{size[0]}x{size[1]}" and output_format != "gif":
        return *size, f"{size[0]}x{size[1]} where {asked} was asked for"
    return *size, None


def result_name(job_id: str, index: int, prompt: str, output_format: str) -> str:
    return f"{job_id[:8]}-{index + 1:02d}-{slugify(prompt)}.{EXTENSIONS.get(output_format, 'bin')}"


def _candidates(root: Path | None, month: str) -> list[Path]:
    return [
        images_dir(root) / month,
        recovered_dir(root),
        Path(tempfile.gettempdir()) / "asset-studio-rescue",
    ]


def save_result(
    root: Path | None,
    job_id: str,
    month: str,
    first_index: int,
    prompt: str,
    output_format: str,
    images: list[bytes],
    provenance: dict[str, Any],
    *,
    asked_size: str | None = None,
) -> SaveOutcome:
    """Save each image (PNG with provenance chunks) and its sidecar. `asked_size` ("1024x1536"): a raster
    image of another size is flagged, as is one that does not decode; both are kept as received."""
    saved: list[SavedImage] = []
    problems: list[str] = []
    flagged: list[str] = []  # images kept as received but not usable (a broken SVG, an undecodable raster)
    for offset, data in enumerate(images):
        index = first_index + offset
        sha = hashlib.sha256(data).hexdigest()
        record = {**provenance, "index": index, "sha256_received": sha, "bytes_received": len(data)}
        content: bytes | list = data
        if output_format == "svg":  # kept as received either way; a broken one is flagged, never lost
            svg = inspect_svg(data)
            w, h, image_problem = svg.width, svg.height, svg.problem
            record["svg_well_formed"] = svg.well_formed
            if image_problem:
                record["svg_problem"] = image_problem
                flagged.append(f"image {index + 1}: the SVG is kept as received but {image_problem}")
        else:
            w, h, image_problem = _dimensions(data, output_format, asked_size)
            if image_problem:
                record["image_problem"] = image_problem
                flagged.append(f"image {index + 1} is kept as received but is {image_problem}")
        if output_format == "png":
            try:
                content = provenance_parts(data, record, software=f"{APP_NAME} {__version__}")
                record["provenance_in_png"] = "iTXt chunks before IEND; strip them to get the received bytes"
            except NotAPng:
                content = data
        name = result_name(job_id, index, prompt, output_format)
        sidecar_text = redact(json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True))
        for folder in _candidates(root, month):
            try:
                path = folder / name
                atomic_write(path, content)
                sidecar = path.with_suffix(path.suffix + ".json")
                atomic_write(sidecar, sidecar_text.encode("utf-8"))
                break
            except OSError as exc:
                problems.append(f"{folder}: {exc.strerror or exc}")
        else:
            raise SaveFailed(
                f"could not save image {index + 1} anywhere ({'; '.join(problems)}); it is still in memory"
            )
        saved.append(
            SavedImage(
                job_id,
                index,
                str(path),
                str(sidecar),
                output_format,
                w,
                h,
                len(data),
                sha,
                problem=image_problem,
            )
        )
    notices = list(flagged)
    if problems:
        notices.append(
            f"the library folder could not be written ({problems[0]}); saved to "
            f"{Path(saved[-1].path).parent} instead"
        )
    return SaveOutcome(saved, "; ".join(notices) or None)


def save_preview(
    root: Path | None, job_id: str, index: int, step: int, output_format: str, data: bytes
) -> Path:
    from .paths import previews_dir

    path = (
        previews_dir(root)
        / f"{job_id[:8]}-{index + 1:02d}-p{step + 1}.{EXTENSIONS.get(output_format, 'bin')}"
    )
    atomic_write(path, data)
    return path
