"""The model registry: models, snapshots, sizes, limits, prices and token rules, loaded from data."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Mapping

from . import clock
from .errors import ModelUnavailableError, RegistryError
from .resources import resource_path


class Lifecycle(Enum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"  # still callable, shuts down on a known day
    SHUTDOWN = "shutdown"  # the shutdown day has come: calls fail
    RETIRED = "retired"  # removed from the API


@dataclass(frozen=True)
class Prices:
    """USD per 1,000,000 tokens."""

    text_in: Decimal
    cached_text_in: Decimal
    image_in: Decimal
    cached_image_in: Decimal
    image_out: Decimal
    text_out: Decimal | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, str]) -> "Prices":
        def d(key: str) -> Decimal:
            return Decimal(str(data[key]))

        return cls(
            text_in=d("text_in"),
            cached_text_in=d("cached_text_in"),
            image_in=d("image_in"),
            cached_image_in=d("cached_image_in"),
            image_out=d("image_out"),
            text_out=Decimal(str(data["text_out"])) if "text_out" in data else None,
        )


@dataclass(frozen=True)
class SizeRules:
    kind: str  # "free" or "fixed"
    auto: bool
    sizes: tuple[str, ...] = ()
    auto_quote_sizes: tuple[str, ...] = ()
    presets: tuple[str, ...] = ()
    multiple: int = 1
    max_edge: int = 0
    max_ratio: int = 0
    min_pixels: int = 0
    max_pixels: int = 0
    experimental_above_pixels: int = 0


@dataclass(frozen=True)
class ModelSpec:
    id: str
    label: str
    status: str
    family: str
    endpoints: tuple[str, ...]
    size_rules: SizeRules
    qualities: tuple[str, ...]
    n_max: int
    prompt_max_chars: int
    shutdown: dt.date | None = None
    snapshots: tuple[str, ...] = ()
    output_tokens: Mapping[str, Any] = field(default_factory=dict)
    input_image_tokens: Mapping[str, Any] = field(default_factory=dict)
    prices: Prices | None = None
    batch_prices: Prices | None = None
    per_image_usd: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    max_input_images: int = 0
    max_input_image_bytes: int = 0
    input_image_formats: tuple[str, ...] = ()
    mask_max_bytes: int = 0
    output_formats: tuple[str, ...] = ()
    backgrounds: tuple[str, ...] = ()
    transparent_background: str = "no"
    moderations: tuple[str, ...] = ()
    partial_images_max: int = 0
    input_fidelity: tuple[str, ...] = ()
    partial_image_tokens: int = 0
    base_id: str = ""  # the alias a snapshot pins; equals id for aliases

    @property
    def is_gpt_image(self) -> bool:
        return self.family == "gpt-image"

    def lifecycle(self, today: dt.date | None = None) -> Lifecycle:
        today = today or clock.today()
        if self.status == "retired":
            return Lifecycle.RETIRED
        if self.shutdown is not None and today >= self.shutdown:
            return Lifecycle.SHUTDOWN
        if self.status == "shutdown":
            return Lifecycle.SHUTDOWN
        if self.status == "deprecated":
            return Lifecycle.DEPRECATED
        return Lifecycle.ACTIVE

    def is_usable(self, today: dt.date | None = None) -> bool:
        return self.lifecycle(today) in (Lifecycle.ACTIVE, Lifecycle.DEPRECATED)


@dataclass(frozen=True)
class RateTier:
    tier: int
    images_per_minute: int
    tokens_per_minute: int


class Registry:
    """Everything the app knows about OpenAI's image models, loaded from resources/models.toml."""

    def __init__(self, data: Mapping[str, Any]):
        try:
            self.default_model: str = data["default_model"]
            self.replacement: str = data["recommended_replacement"]
            self.tiers = {
                int(k): RateTier(int(k), int(v["ipm"]), int(v["tpm"])) for k, v in data["rate_tiers"].items()
            }
            self.text_upper_overhead: int = int(data["text_tokens"]["upper_bound_overhead"])
            self._models: dict[str, ModelSpec] = {}
            self._aliases: list[str] = []
            for raw in data["models"]:
                spec = _model_from_data(raw, data)
                self._aliases.append(spec.id)
                self._models[spec.id] = spec
                for snap in spec.snapshots:
                    self._models[snap] = _replace(spec, id=snap, snapshots=(), base_id=spec.id)
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryError(f"resources/models.toml is malformed: {exc!r}") from exc

    def model_ids(self, *, include_snapshots: bool = True) -> list[str]:
        return list(self._models) if include_snapshots else list(self._aliases)

    def usable_models(self, today: dt.date | None = None) -> list[ModelSpec]:
        return [m for m in self._models.values() if m.is_usable(today)]

    def get(self, model_id: str) -> ModelSpec:
        """The spec of a model id or snapshot, whatever its status."""
        try:
            return self._models[model_id]
        except KeyError:
            known = ", ".join(m.id for m in self.usable_models())
            raise ModelUnavailableError(
                model_id, "is not a known image model", suggestion=f"use one of: {known}"
            ) from None

    def require_usable(self, model_id: str, today: dt.date | None = None) -> ModelSpec:
        """The spec, or a refusal naming the date the model stopped working."""
        spec = self.get(model_id)
        state = spec.lifecycle(today)
        date = spec.shutdown.isoformat() if spec.shutdown else "an earlier date"
        if state is Lifecycle.RETIRED:
            raise ModelUnavailableError(
                model_id, f"was retired on {date} and removed from the API", suggestion=f"use {self.replacement}"
            )
        if state is Lifecycle.SHUTDOWN:
            raise ModelUnavailableError(model_id, f"was shut down on {date}", suggestion=f"use {self.replacement}")
        return spec

    def lifecycle_warning(self, model_id: str, today: dt.date | None = None) -> str | None:
        spec = self.get(model_id)
        if spec.lifecycle(today) is Lifecycle.DEPRECATED and spec.shutdown:
            days = (spec.shutdown - (today or clock.today())).days
            return (
                f"{model_id} is deprecated and shuts down on {spec.shutdown.isoformat()} "
                f"(in {days} day{'s' if days != 1 else ''}); switch to {self.replacement}"
            )
        return None

    def tier(self, tier: int) -> RateTier:
        try:
            return self.tiers[tier]
        except KeyError:
            raise ValueError(f"rate tier {tier}: must be one of {sorted(self.tiers)}") from None


def _replace(spec: ModelSpec, **changes: Any) -> ModelSpec:
    from dataclasses import replace

    return replace(spec, **changes)


def _model_from_data(raw: Mapping[str, Any], data: Mapping[str, Any]) -> ModelSpec:
    rules_raw = data["size_rules"][raw["size_rules"]]
    rules = SizeRules(
        kind=rules_raw["kind"],
        auto=bool(rules_raw.get("auto", False)),
        sizes=tuple(rules_raw.get("sizes", ())),
        auto_quote_sizes=tuple(rules_raw.get("auto_quote_sizes", ())),
        presets=tuple(rules_raw.get("presets", rules_raw.get("sizes", ()))),
        multiple=int(rules_raw.get("multiple", 1)),
        max_edge=int(rules_raw.get("max_edge", 0)),
        max_ratio=int(rules_raw.get("max_ratio", 0)),
        min_pixels=int(rules_raw.get("min_pixels", 0)),
        max_pixels=int(rules_raw.get("max_pixels", 0)),
        experimental_above_pixels=int(rules_raw.get("experimental_above_pixels", 0)),
    )
    per_image = {
        q: {size: Decimal(str(p)) for size, p in table.items()} for q, table in raw.get("per_image_usd", {}).items()
    }
    return ModelSpec(
        id=raw["id"],
        label=raw["label"],
        status=raw["status"],
        family=raw["family"],
        endpoints=tuple(raw["endpoints"]),
        size_rules=rules,
        qualities=tuple(raw["qualities"]),
        n_max=int(raw["n_max"]),
        prompt_max_chars=int(raw["prompt_max_chars"]),
        shutdown=raw.get("shutdown"),
        snapshots=tuple(raw.get("snapshots", ())),
        output_tokens=data["output_tokens"][raw["output_tokens"]] if "output_tokens" in raw else {},
        input_image_tokens=data["input_image_tokens"][raw["input_image_tokens"]] if "input_image_tokens" in raw else {},
        prices=Prices.from_data(raw["prices"]) if "prices" in raw else None,
        batch_prices=Prices.from_data(raw["batch_prices"]) if "batch_prices" in raw else None,
        per_image_usd=per_image,
        max_input_images=int(raw.get("max_input_images", 0)),
        max_input_image_bytes=int(raw.get("max_input_image_bytes", 0)),
        input_image_formats=tuple(raw.get("input_image_formats", ())),
        mask_max_bytes=int(raw.get("mask_max_bytes", 0)),
        output_formats=tuple(raw.get("output_formats", ())),
        backgrounds=tuple(raw.get("backgrounds", ())),
        transparent_background=str(raw.get("transparent_background", "no")),
        moderations=tuple(raw.get("moderations", ())),
        partial_images_max=int(raw.get("partial_images_max", 0)),
        input_fidelity=tuple(raw.get("input_fidelity", ())),
        partial_image_tokens=int(raw.get("partial_image_tokens", 0)),
        base_id=raw["id"],
    )


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    """The registry shipped with the app (cached)."""
    path = resource_path("models.toml")
    with path.open("rb") as fh:
        return Registry(tomllib.load(fh))
