"""The prompt as a template: how many requests it makes, the first of them, what the set costs sent now
and as a batch, and the CSV rows that fill its {column}s. Previewed live, before anything is sent."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from studio.core.errors import RefusedError, StudioError
from studio.core.pricing import quote
from studio.core.request import ImageRequest
from studio.core.set_quote import batch_quote
from studio.core.validation import validate
from studio.core.variants import count, is_template, iterate, read_rows

from .prompt_model import PromptModel

PREVIEW_ROWS = 5
EXACT_UP_TO = 200  # larger sets are quoted from their longest prompt times the count: a bound that holds


@dataclass(frozen=True)
class SetPreview:
    count: int
    first: tuple[str, ...]
    now_estimate: Decimal
    now_max: Decimal
    batch_estimate: Decimal | None
    batch_max: Decimal | None
    batch_refusal: str | None
    exact: bool  # False: the bounds are the longest prompt's times the count (never less than the sum)


class VariantSet(QObject):
    changed = Signal()

    def __init__(self, prompt: PromptModel, parent: QObject | None = None):
        super().__init__(parent)
        self._prompt = prompt
        self.rows_path: Path | None = None
        self.rows: list[dict[str, str]] | None = None
        self.preview: SetPreview | None = None
        self.error: str | None = None
        prompt.changed.connect(self.refresh)

    @property
    def active(self) -> bool:
        """The prompt makes a set (choices, or rows): Generate sends every variant."""
        return self.preview is not None

    def set_rows_file(self, path: str | None) -> None:
        """Read a CSV file's rows (UTF-8, header row); None clears them. A bad file is said, not kept."""
        self.rows_path, self.rows = None, None
        if path:
            try:
                text = Path(path).read_text(encoding="utf-8")
                self.rows, self.rows_path = read_rows(text), Path(path)
            except UnicodeDecodeError:
                self.error = f"{Path(path).name}: not UTF-8 text; save it as UTF-8 CSV"
                self.changed.emit()
                return
            except OSError as exc:
                self.error = f"{Path(path).name}: {exc.strerror or exc}"
                self.changed.emit()
                return
            except RefusedError as exc:
                self.error = f"{Path(path).name}: {exc}"
                self.changed.emit()
                return
        self.refresh()

    def refresh(self) -> None:
        text = str(self._prompt.value("prompt"))
        self.preview, self.error = None, None
        try:
            if self.rows is None and not is_template(text):
                self.changed.emit()
                return
            self.preview = self._preview(text)
        except StudioError as exc:
            self.error = str(exc)
        self.changed.emit()

    def requests(self) -> list[ImageRequest]:
        """Every request of the set, each validated (call off the GUI thread for a large set); the one
        request of a prompt that is no template."""
        base = self._prompt.request()
        if not self.active:
            base = self._prompt.sent(base)  # with the board's cast, when it has one
            validate(base, self._prompt.registry)
            return [base]
        out = []
        for variant in iterate(str(self._prompt.value("prompt")), self.rows):
            request = self._prompt.sent(base.with_changes(prompt=variant.prompt))
            validate(request, self._prompt.registry)
            out.append(request)
        if not out:
            raise RefusedError("the CSV file has a header but no rows: nothing to make")
        return out

    def _preview(self, text: str) -> SetPreview:
        total = count(text, self.rows)
        if total == 0:
            raise RefusedError("the CSV file has a header but no rows: nothing to make")
        first = tuple(v.prompt for v in itertools.islice(iterate(text, self.rows), PREVIEW_ROWS))
        prompts = list(first) if total <= PREVIEW_ROWS else None
        exact = total <= EXACT_UP_TO
        if exact:
            prompts = [v.prompt for v in iterate(text, self.rows)]
        else:  # the longest prompt bounds every line's text tokens
            longest = max((v.prompt for v in iterate(text, self.rows)), key=len)
            prompts = [first[0], longest]
        base = self._prompt.request()
        registry = self._prompt.registry
        sent = self._prompt.sent
        checked = [
            validate(sent(base.with_changes(prompt=p)), registry, prompt_required=False) for p in prompts
        ]
        quoter = self._prompt.quoter or (lambda c: quote(c, registry))
        now = [quoter(c) for c in checked]
        try:
            batch = [batch_quote(c, registry) for c in checked]
            refusal = None
        except RefusedError as exc:
            batch, refusal = [], str(exc)
        if exact:
            zero = Decimal(0)
            now_est = sum((q.total_usd_estimate for q in now), zero)
            now_max = sum((q.total_usd_max for q in now), zero)
            b_est = sum((q.total_usd_estimate for q in batch), zero) if batch else None
            b_max = sum((q.total_usd_max for q in batch), zero) if batch else None
        else:
            now_est, now_max = now[0].total_usd_estimate * total, now[1].total_usd_max * total
            b_est = batch[0].total_usd_estimate * total if batch else None
            b_max = batch[1].total_usd_max * total if batch else None
        return SetPreview(total, first, Decimal(now_est), Decimal(now_max), b_est, b_max, refusal, exact)
