"""Estimates that learn: what the user's own bills say one image of a kind of request costs.

For models without a published token formula (gpt-image-2.5 / 2.6) a quote starts from the data's
estimate; once bills are seen for the same (model, size, quality, complexity, format[, frames]),
the estimate is their median and the bound never falls below the largest of them times a margin
(studio.core.pricing.quote). Only calls to the same kind of endpoint teach: sandbox bills never
inform real quotes.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from studio.core.errors import StudioError
from studio.core.pricing import Learned, calibration_key
from studio.core.registry import Registry, load_registry


def _per_image_output(request: dict[str, Any], usage: dict[str, Any], registry: Registry) -> int | None:
    """Output image tokens of one image of this job, partial images taken out; None if unusable."""
    try:
        n = int(request.get("n") or 1)
        details = usage.get("output_tokens_details") or {}
        image_tokens = details.get("image_tokens")
        tokens = int(image_tokens if image_tokens is not None else usage["output_tokens"])
        spec = registry.get(str(request["model"]))
    except (KeyError, TypeError, ValueError, StudioError):  # an unreadable row teaches nothing
        return None
    partials = int(request.get("partial_images") or 0) if request.get("stream") else 0
    per_image = tokens // max(1, n) - partials * spec.partial_image_tokens
    return per_image if 0 < per_image < 10_000_000 else None


def learned_output(
    conn: sqlite3.Connection, *, sandbox: bool, limit: int = 2000, registry: Registry | None = None
) -> dict[str, Learned]:
    """{calibration key: Learned(median, largest, bills)} from the newest billed jobs."""
    registry = registry or load_registry()
    seen: dict[str, list[int]] = {}
    rows = conn.execute(
        "SELECT request_json, usage_json FROM jobs WHERE sandbox = ? AND usage_json IS NOT NULL "
        "ORDER BY created_at DESC LIMIT ?",
        (int(sandbox), limit),
    )
    for row in rows:
        try:
            request, usage = json.loads(row["request_json"]), json.loads(row["usage_json"])
        except (TypeError, ValueError):
            continue
        if (
            not isinstance(request, dict)
            or not isinstance(usage, dict)
            or request.get("size") in (None, "auto")
        ):
            continue
        if request.get("quality") in (None, "auto"):
            continue
        tokens = _per_image_output(request, usage, registry)
        if tokens is None:
            continue
        key = calibration_key(
            str(request["model"]),
            str(request["size"]),
            str(request["quality"]),
            request.get("complexity"),
            str(request.get("output_format") or "png"),
            _frames(request, registry),
        )
        seen.setdefault(key, []).append(tokens)
    return {key: Learned(sorted(v)[len(v) // 2], max(v), len(v)) for key, v in seen.items()}


def _frames(request: dict[str, Any], registry: Registry) -> int | None:
    """A GIF job's frame count as it was sent (the same resolution as the quote's calibration key)."""
    if request.get("output_format") != "gif":
        return None
    try:
        gif = registry.get(str(request["model"])).gif
    except StudioError:
        return None
    return gif.frames(request.get("frame_count")) if gif else None
