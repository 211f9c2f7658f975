"""What an SVG's author model costs: quoted before the call, billed from `svg_usage` after it.

An SVG is made in two steps: the image model renders a reference (billed in `usage` at image rates),
then an author text model writes the vector (`svg_usage`, billed at the author's text rates). Author
rates are data (resources/models.toml, [svg_authors]); an author that is not listed, or an omitted
one (the project's default author), is priced at the dearest listed rate and flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .media_rules import AuthorPrices
from .registry import ModelSpec

MILLION = Decimal(1_000_000)


def _usd(tokens: int, per_million: Decimal) -> Decimal:
    return Decimal(tokens) * per_million / MILLION


@dataclass(frozen=True)
class SvgCost:
    author: str  # the model named, or "default author"
    priced_as: str  # the rates used
    usd_estimate: Decimal
    usd_max: Decimal
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "priced_as": self.priced_as,
            "usd_estimate": str(self.usd_estimate),
            "usd_max": str(self.usd_max),
            "notes": list(self.notes),
        }


def dearest(authors: Mapping[str, AuthorPrices]) -> AuthorPrices:
    if not authors:
        raise ValueError("resources/models.toml lists no SVG author prices")
    return max(authors.values(), key=lambda a: (a.output, a.input))


def rates_for(author: str | None, authors: Mapping[str, AuthorPrices]) -> tuple[AuthorPrices, bool]:
    """The author's rates, and whether they are the dearest listed instead (unknown or default author)."""
    if author and author in authors:
        return authors[author], False
    return dearest(authors), True


def svg_quote(spec: ModelSpec, author: str | None, authors: Mapping[str, AuthorPrices]) -> SvgCost | None:
    rules = spec.svg
    if rules is None:
        return None
    rates, fallback = rates_for(author, authors)
    estimate = _usd(rules.estimate_input_tokens, rates.input) + _usd(
        rules.estimate_output_tokens, rates.output
    )
    bound = _usd(rules.bound_input_tokens, rates.input) + _usd(rules.bound_output_tokens, rates.output)
    notes = [
        f"SVG author tokens are an estimate (up to {rules.bound_output_tokens:,} output tokens in the bound)"
    ]
    if fallback:
        who = f"author {author}" if author else "your project's default SVG author"
        notes.append(f"{who} has no listed price: priced at the dearest listed author rate ({rates.model})")
    return SvgCost(author or "default author", rates.model, estimate, bound, tuple(notes))


def svg_bill(
    svg_usage: Mapping[str, Any], authors: Mapping[str, AuthorPrices], *, unreadable_usd: Decimal = Decimal(0)
) -> tuple[Decimal, list[str]]:
    """The author's part of a bill from `svg_usage` ({model, input_tokens, output_tokens, ...}).
    Reasoning tokens are part of output_tokens (OpenAI's convention for reasoning models).
    Unreadable counts are billed as `unreadable_usd` (the quote's bound at the dearest rate), never 0."""
    if not authors:
        return unreadable_usd, [
            "no SVG author prices are known: the author's part is billed at the quote's bound"
        ]
    model = str(svg_usage.get("model") or "")
    rates, fallback = rates_for(model, authors)
    try:
        tokens_in = max(0, int(svg_usage.get("input_tokens") or 0))
        tokens_out = max(0, int(svg_usage.get("output_tokens") or 0))
    except (TypeError, ValueError, OverflowError):
        return unreadable_usd, [
            "svg_usage is unreadable: the SVG author's part is billed at the quote's bound"
        ]
    flags = []
    if fallback:
        flags.append(
            f"SVG author {model or '(not named)'} has no listed price: "
            f"billed at {rates.model}'s rates, the dearest listed"
        )
    return _usd(tokens_in, rates.input) + _usd(tokens_out, rates.output), flags
