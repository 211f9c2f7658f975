"""How long one image call may take in all before it is given up as outcome unknown.

A read timeout only catches a server that stops sending; one that trickles a byte every few seconds
never trips it. So every call also has an overall deadline, scaled by what it asks for: the base
(a setting, default 180 s) for one 1024x1024 medium image, times the megapixels, times the
quality's weight, times (1 + a quarter for each further image in the call); never under the base,
never over an hour. A 4K high call of one image: 180 s x 8.3 MP/1.05 x 2 = ~47 min (capped at 60).
"""

from __future__ import annotations

from studio.core.request import ImageRequest

SETTING = "calls.deadline_base_s"  # the library setting that holds the base (Settings ▸ Answer deadline)
DEFAULT_BASE_S = 180.0
MAX_S = 3600.0
QUALITY_WEIGHT = {"low": 0.5, "medium": 1.0, "high": 2.0, "xhigh": 3.0, "max": 4.0, "auto": 2.0}
REFERENCE_PIXELS = 1024 * 1024
AUTO_PIXELS = 1536 * 1024  # size "auto": the largest of the classic three


def call_deadline(request: ImageRequest, base_s: float = DEFAULT_BASE_S) -> float:
    """Seconds the call may take from sending to the last byte of its answer."""
    size = request.size
    try:
        w, h = (int(x) for x in size.lower().split("x")) if size and size != "auto" else (AUTO_PIXELS, 1)
    except ValueError:
        w, h = AUTO_PIXELS, 1
    scale = max(1.0, w * h / REFERENCE_PIXELS * QUALITY_WEIGHT.get(request.quality or "auto", 2.0))
    images = 1 + 0.25 * max(0, (request.n or 1) - 1)
    return min(MAX_S, max(base_s, base_s * scale * images))


def base_from_setting(text: str | None) -> float:
    """The stored base, or the default when it is missing or unusable (never a crash on a bad value);
    kept within 10 s .. 1 h."""
    try:
        value = float(text) if text else DEFAULT_BASE_S
    except ValueError:
        return DEFAULT_BASE_S
    return DEFAULT_BASE_S if value != value else min(MAX_S, max(10.0, value))
