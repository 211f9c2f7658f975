"""The model registry: models, snapshots, sizes, limits, prices and token rules, loaded from data."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any

from . import clock
from .batch_limits import BatchLimits
from .errors import ModelUnavailableError, RegistryError
from .media_rules import AuthorPrices, GifRules, SvgRules, author_prices, gif_rules, svg_rules
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
    def from_data(cls, data: Mapping[str, str]) -> Prices:
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
    pick_rank: int = 99  # the model picker's order: what users should pick first
    pick_why: str = ""
    batch: str = "no"  # "yes", "no" or "unknown" (the Batch API)
    complexities: tuple[str, ...] = ()  # never sent to a model without them
    complexity_default: str | None = None
    markup: bool = False
    gif: GifRules | None = None
    svg: SvgRules | None = None
    replacements: tuple[str, ...] = ()  # what OpenAI names instead, once this model shuts down
    grades: Mapping[str, str] = field(default_factory=dict)
    listed: bool = True  # False: learned from the endpoint's /v1/models, not in this version's list
    lifecycle_source: str = (
        "bundled"  # where status and shutdown come from: this release's data or the endpoint
    )

    @property
    def is_gpt_image(self) -> bool:
        return self.family == "gpt-image"

    @property
    def exact_quotes(self) -> bool:
        """True when OpenAI publishes how its output tokens are counted; otherwise quotes are estimates."""
        return self.output_tokens.get("kind") in ("formula-gpt-image-2", "table") or bool(self.per_image_usd)

    def grade(self, key: str) -> str:
        """ "P" documented by OpenAI, "T" reported by third parties, "U" unknown (a safe assumption),
        for a field ("batch"), one of its values ("qualities.xhigh") or a price ("prices.text_out")."""
        if not self.listed:
            return "U"
        while key:
            if key in self.grades:
                return self.grades[key]
            key = key.rpartition(".")[0]
        return "P"

    def lifecycle(self, today: dt.date | None = None) -> Lifecycle:
        today = today or clock.today()
        if self.status == "retired":
            return Lifecycle.RETIRED
        if self.shutdown is not None:
            if today >= self.shutdown:
                return Lifecycle.SHUTDOWN
            if self.status in ("deprecated", "shutdown"):  # announced: works until its day
                return Lifecycle.DEPRECATED
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
            self.svg_authors: dict[str, AuthorPrices] = author_prices(data.get("svg_authors", {}))
            batch = data.get("batch_api")
            self.batch_api = BatchLimits.from_data(batch) if batch else BatchLimits()
            self._models: dict[str, ModelSpec] = {}
            self._aliases: list[str] = []
            for raw in data["models"]:
                spec = _model_from_data(raw, data)
                self._aliases.append(spec.id)
                self._models[spec.id] = spec
                for snap in spec.snapshots:
                    why = "pinned snapshot: reproducible results" + (
                        f"; {spec.pick_why}" if spec.pick_why else ""
                    )
                    self._models[snap] = _replace(spec, id=snap, snapshots=(), base_id=spec.id, pick_why=why)
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryError(f"resources/models.toml is malformed: {exc!r}") from exc

    def model_ids(self, *, include_snapshots: bool = True) -> list[str]:
        return list(self._models) if include_snapshots else list(self._aliases)

    def usable_models(self, today: dt.date | None = None) -> list[ModelSpec]:
        return [m for m in self._models.values() if m.is_usable(today)]

    def picker_models(self, today: dt.date | None = None) -> list[ModelSpec]:
        """Usable models in the order users should pick them (rank, then aliases before snapshots)."""
        order = {model_id: i for i, model_id in enumerate(self._aliases)}
        usable = self.usable_models(today)
        return sorted(usable, key=lambda m: (m.pick_rank, order.get(m.base_id, 999), m.id == m.base_id, m.id))

    def replacements(self, model_id: str) -> tuple[str, ...]:
        """What OpenAI names instead of a model (its own list, else the registry's recommendation)."""
        spec = self._models.get(model_id)
        return (spec.replacements if spec and spec.replacements else ()) or (self.replacement,)

    def with_listed_models(self, model_ids: Iterable[str]) -> Registry:
        """A copy that also knows models the endpoint lists but this version does not, opted in by the user:
        the common GPT-image rules of the recommended model, every fact graded unknown, quoted as
        estimates."""
        copy = self._copy()
        template = self._models[self.replacement]
        for model_id in model_ids:
            if model_id in copy._models:
                continue
            copy._models[model_id] = _replace(
                template,
                id=model_id,
                label=model_id,
                snapshots=(),
                base_id=model_id,
                listed=False,
                pick_rank=90,
                pick_why="not in this version's model list",
                replacements=(),
                gif=None,
                svg=None,
                markup=False,
                batch="unknown",
                complexities=(),
                complexity_default=None,
                lifecycle_source="endpoint",
                output_tokens=_unlisted_output_rule(template.output_tokens),
                output_formats=tuple(f for f in template.output_formats if f not in ("gif", "svg")),
            )
            copy._aliases.append(model_id)
        return copy

    def with_shutdown_dates(self, dates: Mapping[str, dt.date | None], source: str) -> Registry:
        """A copy with the shutdown dates the live API reported merged in: a date replaces the bundled one
        (a future one makes the model deprecated: it warns, then is refused from that day); no date keeps
        what this version knows. `source` says where the dates came from (shown by `models`)."""
        copy = self._copy()
        for model_id, date in dates.items():
            spec = copy._models.get(model_id)
            if spec is None or date is None:
                continue
            status = "deprecated" if spec.status == "active" else spec.status
            copy._models[model_id] = _replace(spec, shutdown=date, status=status, lifecycle_source=source)
        return copy

    def _copy(self) -> Registry:
        import copy as _copy_module

        twin = _copy_module.copy(self)
        twin._models = dict(self._models)
        twin._aliases = list(self._aliases)
        return twin

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
        instead = " or ".join(self.replacements(model_id))
        if state is Lifecycle.RETIRED:
            raise ModelUnavailableError(
                model_id, f"was retired on {date} and removed from the API", suggestion=f"use {instead}"
            )
        if state is Lifecycle.SHUTDOWN:
            raise ModelUnavailableError(model_id, f"was shut down on {date}", suggestion=f"use {instead}")
        return spec

    def lifecycle_warning(self, model_id: str, today: dt.date | None = None) -> str | None:
        spec = self.get(model_id)
        if spec.lifecycle(today) is Lifecycle.DEPRECATED and spec.shutdown:
            days = (spec.shutdown - (today or clock.today())).days
            return (
                f"{model_id} is deprecated and shuts down on {spec.shutdown.isoformat()} "
                f"(in {days} day{'s' if days != 1 else ''}); switch to "
                f"{' or '.join(self.replacements(model_id))}"
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
        q: {size: Decimal(str(p)) for size, p in table.items()}
        for q, table in raw.get("per_image_usd", {}).items()
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
        input_image_tokens=data["input_image_tokens"][raw["input_image_tokens"]]
        if "input_image_tokens" in raw
        else {},
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
        pick_rank=int(raw.get("pick_rank", 99)),
        pick_why=str(raw.get("pick_why", "")),
        batch=str(raw.get("batch", "yes" if "batch" in raw["endpoints"] else "no")),
        complexities=tuple(raw.get("complexities", ())),
        complexity_default=raw.get("complexity_default"),
        markup=bool(raw.get("markup", False)),
        gif=gif_rules(data["gif"][raw["gif"]]) if "gif" in raw else None,
        svg=svg_rules(data["svg"][raw["svg"]]) if "svg" in raw else None,
        replacements=tuple(raw.get("replacements", ())),
        grades=dict(raw.get("grades", {})),
    )


def _unlisted_output_rule(rule: Mapping[str, Any]) -> Mapping[str, Any]:
    """An unknown model's output tokens: the template's estimate, with every tier's bound doubled."""
    if rule.get("kind") != "estimate":
        return rule
    bound = {q: str(Decimal(str(v)) * 2) for q, v in rule["bound"].items()}
    return {
        **rule,
        "bound": bound,
        "source": "unknown model: the recommended model's estimate, bound doubled",
    }


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    """The registry shipped with the app (cached)."""
    path = resource_path("models.toml")
    with path.open("rb") as fh:
        return Registry(tomllib.load(fh))
