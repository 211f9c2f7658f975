"""Re-roll "with references": the panel's prompt and parameters, sent as an edit whose input images
are the board's first panel (or chosen panels) — character consistency across a series
(openstory #801, baoyu-skills #44: panel 1 as a reference fixed an eight-slide series)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.core.edit_prep import fit_source
from studio.core.errors import RefusedError
from studio.core.images import inspect_image
from studio.core.provenance import strip_provenance
from studio.core.request import EditRequest, ImageRequest


def _image(path: str):
    data = Path(path).read_bytes()
    try:
        data = strip_provenance(data)
    except Exception:
        pass
    return inspect_image(data, Path(path).name, role="reference")


def reroll_with_references(
    panels: list[dict[str, Any]], panel_id: int, reference_ids: list[int] | None, spec_for
) -> EditRequest:
    """The request: the panel's generation parameters, n=1, with the references as input images.
    `panels` are the board's rows in order; without `reference_ids`, the board's first panel is used."""
    row = next((p for p in panels if p["id"] == panel_id), None)
    if row is None or not row.get("request_json"):
        raise RefusedError("this panel has no generation to re-roll")
    snap = json.loads(row["request_json"])
    ids = [i for i in (reference_ids or []) if i != panel_id]
    if not ids:
        first = next((p for p in panels if p.get("path") and p["id"] != panel_id), None)
        if first is None:
            raise RefusedError(
                "re-roll with references needs another finished panel on the board (e.g. panel 1)"
            )
        ids = [first["id"]]
    by_id = {p["id"]: p for p in panels}
    fields = {
        k: v
        for k, v in snap.items()
        if k in ImageRequest.__dataclass_fields__ and k not in ("images", "mask")
    }
    fields.update(n=1, stream=False, partial_images=0)
    spec = spec_for(fields.get("model", "gpt-image-2"))
    images = []
    for i in ids[: max(1, spec.max_input_images)]:
        if by_id.get(i, {}).get("path"):
            image, _ = fit_source(_image(by_id[i]["path"]), spec)
            images.append(image)
    if not images:
        raise RefusedError("the chosen reference panels have no image yet")
    return EditRequest(images=tuple(images), **fields)
