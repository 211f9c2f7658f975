"""The Batch API's limits per input file, as data (resources/models.toml [batch_api])."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BatchLimits:
    """The Batch API's limits per input file (resources/models.toml [batch_api])."""

    max_requests: int = 50_000
    max_file_bytes: int = 209_715_200
    completion_window: str = "24h"
    completion_hours: int = 24
    image_file_purpose: str = "user_data"

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> BatchLimits:
        return cls(
            int(raw["max_requests"]),
            int(raw["max_file_bytes"]),
            str(raw["completion_window"]),
            int(raw["completion_hours"]),
            str(raw["image_file_purpose"]),
        )
