"""The mainline models that call the Responses API's image tool, loaded from resources/mainline.toml
(data, not code: every price there is third-party and graded)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .errors import ModelUnavailableError, RegistryError
from .resources import resource_path


@dataclass(frozen=True)
class MainlinePrices:
    input: Decimal
    cached_input: Decimal
    output: Decimal  # reasoning tokens are output tokens


@dataclass(frozen=True)
class MainlineSpec:
    id: str
    label: str
    prices: MainlinePrices
    efforts: tuple[str, ...]
    default_effort: str
    grades: Mapping[str, str] = field(default_factory=dict)

    def grade(self, key: str) -> str:
        return self.grades.get(key, "P")


@dataclass(frozen=True)
class Mainline:
    models: Mapping[str, MainlineSpec]
    default: str
    tool_overhead_tokens: int
    image_models: tuple[str, ...]
    default_image_model: str
    no_transparency: frozenset[str]
    effort_seconds: Mapping[str, int] = field(default_factory=dict)  # a guess each (grade U)

    def get(self, model_id: str) -> MainlineSpec:
        try:
            return self.models[model_id]
        except KeyError:
            known = ", ".join(self.models)
            why = "is not a mainline model that calls the image tool"
            raise ModelUnavailableError(model_id, why, suggestion=f"use one of: {known}") from None


def mainline_from_data(data: Mapping[str, Any]) -> Mainline:
    try:
        models = {}
        for raw in data["models"]:
            p = raw["prices"]
            prices = MainlinePrices(Decimal(p["input"]), Decimal(p["cached_input"]), Decimal(p["output"]))
            spec = MainlineSpec(
                str(raw["id"]),
                str(raw.get("label", raw["id"])),
                prices,
                tuple(raw["efforts"]),
                str(raw["default_effort"]),
                dict(raw.get("grades", {})),
            )
            models[spec.id] = spec
        tool = data["tool"]
        return Mainline(
            models,
            str(data["default"]),
            int(data["tool_overhead_tokens"]),
            tuple(tool["image_models"]),
            str(tool["default_image_model"]),
            frozenset(tool.get("no_transparency", ())),
            {str(k): int(v) for k, v in data.get("efforts", {}).get("seconds", {}).items()},
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise RegistryError(f"resources/mainline.toml is malformed: {exc!r}") from exc


@lru_cache(maxsize=1)
def load_mainline() -> Mainline:
    with open(resource_path("mainline.toml"), "rb") as fh:
        return mainline_from_data(tomllib.load(fh))
