"""Registries built for tests: lifecycle states relative to the pinned clock, not to today's real data.

A test that needs an active, deprecated, shut-down or retired model builds it here, so the suite
keeps passing whatever OpenAI announces and whatever the real date is.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from typing import Any

from studio.core import clock
from studio.core.registry import Registry
from studio.core.resources import resource_path


def shipped_data() -> dict[str, Any]:
    return tomllib.loads(resource_path("models.toml").read_text())


def _model(data: dict[str, Any], model_id: str) -> dict[str, Any]:
    return next(m for m in data["models"] if m["id"] == model_id)


def lifecycle_registry(today: dt.date | None = None) -> Registry:
    """The shipped registry plus four copies of gpt-image-2 in every lifecycle state, dated from `today`:
    test-active, test-deprecated (shuts down in 10 days), test-shutdown (shut down yesterday),
    test-retired."""
    today = today or clock.today()
    data = shipped_data()
    base = _model(data, "gpt-image-2")
    states = {
        "test-active": {"status": "active"},
        "test-deprecated": {"status": "deprecated", "shutdown": today + dt.timedelta(days=10)},
        "test-shutdown": {"status": "deprecated", "shutdown": today - dt.timedelta(days=1)},
        "test-retired": {"status": "retired", "shutdown": today - dt.timedelta(days=200)},
    }
    for model_id, changes in states.items():
        model = copy.deepcopy(base)
        model.pop("shutdown", None)
        model.update(id=model_id, label=model_id, snapshots=[], **changes)
        data["models"].append(model)
    return Registry(data)


def revived(*model_ids: str) -> Registry:
    """The shipped registry with these (shut-down) models active again: for tests of their price tables
    and parameters, which stay in the data after the shutdown."""
    data = shipped_data()
    for model_id in model_ids:
        model = _model(data, model_id)
        model["status"] = "active"
        model.pop("shutdown", None)
    return Registry(data)
