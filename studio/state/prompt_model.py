"""The prompt and every parameter of the chosen model, validated and quoted live by studio.core."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.errors import StudioError, ValidationError
from studio.core.pricing import Quote, quote
from studio.core.registry import ModelSpec, Registry
from studio.core.request import ImageRequest
from studio.core.validation import Checked, validate

_SIZE_IN = re.compile(r"\b\d{2,5}x\d{2,5}\b")
PARAMS = (
    "prompt",
    "model",
    "size",
    "quality",
    "n",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "partial_images",
    "complexity",
    "frame_count",
    "frame_duration_ms",
    "svg_author",
    "svg_effort",
)


class PromptModel(QObject):
    """Observable request parameters. `changed` fires after every edit, once validation and the quote
    are up to date; `error` is the core's message (Generate is blocked while it is set)."""

    changed = Signal()
    models_changed = Signal()  # the registry was replaced (the endpoint's lifecycle was merged in)

    def __init__(self, registry: Registry, parent: QObject | None = None):
        super().__init__(parent)
        self.registry = registry
        self.notice: str | None = None  # e.g. a recalled preset named a shut-down model
        self.svg_model_selection = False  # the user's OpenAI project lets them choose the SVG author
        self._values: dict[str, Any] = {f.name: f.default for f in fields(ImageRequest) if f.name in PARAMS}
        self._values["prompt"] = ""
        self._values["model"] = registry.default_model
        self.checked: Checked | None = None
        self.quote: Quote | None = None
        self.quoter: Callable[[Checked], Quote] | None = (
            None  # the service's own quote (learned bills), once open
        )
        # the board's cast (state/cast_board.py): the request as sent, with its reference images
        self.cast: Callable[[ImageRequest], tuple[ImageRequest, list[str]]] | None = None
        self.cast_notes: tuple[str, ...] = ()  # what the cast left out or re-encoded
        self.references_usd: tuple[Decimal, Decimal] | None = None  # the references' part: estimate, bound
        self.error: str | None = None
        self.error_param: str | None = None
        self.suggestion: str | None = None  # e.g. the nearest valid size
        self.warnings: tuple[str, ...] = ()
        self._revalidate()

    # -- values ---------------------------------------------------------------------------------

    def value(self, name: str) -> Any:
        return self._values[name]

    def set(self, name: str, value: Any) -> None:
        if name not in PARAMS:
            raise KeyError(name)
        if self._values.get(name) == value:
            return
        self._values[name] = value
        if name == "output_format" and value == "png":
            self._values["output_compression"] = None
        self.notice = None
        self._fit_to_model()
        self._revalidate()

    def load(self, params: dict[str, Any]) -> None:
        """Recall a preset or a history entry (unknown keys are ignored). A shut-down model is replaced by
        OpenAI's named replacement, with a note saying so: nothing changes silently."""
        for name in PARAMS:
            if name in params:
                self._values[name] = params[name]
        self.notice = None
        named = str(self._values.get("model"))
        try:
            usable, known = self.registry.get(named).is_usable(), True
        except StudioError:
            usable = known = False
        if not usable:
            instead = self.registry.replacements(named)[0]
            self._values["model"] = instead
            why = (
                "which OpenAI shut down"
                if known
                else "which this version does not know (Settings ▸ Newer models, if your endpoint lists it)"
            )
            named_by = " (OpenAI's named replacement)" if known else ""
            self.notice = (
                f"This entry names {named}, {why}; {instead}{named_by} is selected instead. "
                "Check the parameters before generating."
            )
        self._fit_to_model()
        self._revalidate()

    def requote(self) -> None:
        """Quote again (the service learned from a bill): the shown quote is the one that will be reserved."""
        self._revalidate()

    def set_registry(self, registry: Registry) -> None:
        """Use a registry with the endpoint's lifecycle merged in; the picker refills and the quote is
        redone."""
        self.registry = registry
        self.models_changed.emit()
        self.load({})

    def _fit_to_model(self) -> None:
        """Drop what the chosen model or format cannot take, rather than leave a refusal the user did not
        cause."""
        v, spec = self._values, self.spec
        if not spec.complexities:
            v["complexity"] = None
        if v["quality"] not in spec.qualities:
            v["quality"] = "auto"
        if v["output_format"] not in spec.output_formats:
            v["output_format"] = "png"
        if v["output_format"] != "gif":
            v["frame_count"] = v["frame_duration_ms"] = None
        if v["output_format"] != "svg" or not self.svg_model_selection:
            v["svg_author"] = v["svg_effort"] = None
        if v["output_format"] in ("gif", "svg"):
            v["partial_images"] = 0
            v["output_compression"] = None
            if v["output_format"] == "svg":
                v["n"] = 1

    def values(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def spec(self) -> ModelSpec:
        try:
            return self.registry.get(self._values["model"])
        except StudioError:
            return self.registry.get(self.registry.replacements(self._values["model"])[0])

    @property
    def char_count(self) -> int:
        return len(self._values["prompt"])

    @property
    def char_limit(self) -> int:
        return self.spec.prompt_max_chars

    def request(self, **changes: Any) -> ImageRequest:
        v = dict(self._values)
        v.update(changes)
        v["stream"] = v.get("partial_images", 0) > 0
        return ImageRequest(**v)

    def sent(self, request: ImageRequest) -> ImageRequest:
        """A request of this prompt as it is sent: with the board's cast woven in, when it has one."""
        return self.cast(request)[0] if self.cast else request

    @property
    def can_generate(self) -> bool:
        return self.checked is not None and self.error is None and bool(self._values["prompt"].strip())

    # -- validation and quote -------------------------------------------------------------------

    def revalidate(self) -> None:
        """Validate and quote again (the board's cast changed)."""
        self._revalidate()

    def _revalidate(self) -> None:
        self.error = self.error_param = self.suggestion = None
        self.warnings = self.cast_notes = ()
        self.references_usd = None
        quoter = self.quoter or (lambda c: quote(c, self.registry))
        try:
            plain = self.request()
            sent, notes = self.cast(plain) if self.cast else (plain, [])
            self.checked = validate(sent, self.registry, prompt_required=False)
            self.quote = quoter(self.checked)
            self.warnings, self.cast_notes = self.checked.warnings, tuple(notes)
            if sent is not plain:  # what the references add: their image tokens and the woven text
                alone = quoter(validate(plain, self.registry, prompt_required=False))
                self.references_usd = (
                    self.quote.total_usd_estimate - alone.total_usd_estimate,
                    self.quote.total_usd_max - alone.total_usd_max,
                )
        except ValidationError as exc:
            self.checked, self.quote = None, None
            self.error, self.error_param = str(exc), exc.param
            found = _SIZE_IN.search(exc.suggestion or "") if exc.param == "size" else None
            if found:  # the nearest valid size, or the largest GIF frame that fits: one click away
                self.suggestion = found.group(0)
        except StudioError as exc:
            self.checked, self.quote, self.error = None, None, str(exc)
        self.changed.emit()
