"""A storyboard panel's own fields: shot type (free text; SHOT_TYPES are offered), duration, notes."""

from __future__ import annotations

from typing import Any

from .errors import RefusedError

SHOT_TYPES = (
    "",
    "Extreme wide",
    "Wide",
    "Full",
    "Medium",
    "Medium close-up",
    "Close-up",
    "Extreme close-up",
    "Over the shoulder",
    "POV",
    "Insert",
    "Two-shot",
    "Aerial",
)
MAX_DURATION_S = 600.0


def checked_fields(
    *, shot: str | None = None, duration: float | None = None, notes: str | None = None
) -> dict[str, Any]:
    """The fields given, normalised as stored (RefusedError for a duration out of range)."""
    changes: dict[str, Any] = {}
    if shot is not None:
        changes["shot"] = " ".join(shot.split())[:80]
    if duration is not None:
        if not 0.05 <= float(duration) <= MAX_DURATION_S:
            raise RefusedError(f"duration {duration}: must be between 0.05 and {MAX_DURATION_S:g} seconds")
        changes["duration"] = round(float(duration), 3)
    if notes is not None:
        changes["notes"] = notes[:4000]
    return changes
