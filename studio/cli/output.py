"""Printing for people (stderr/stdout text) and for scripts (--json)."""

from __future__ import annotations

import json
import sys
from typing import Any

from studio.core.pricing import Quote, format_usd
from studio.core.redact import redact, redact_arguments


def emit_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def warn(text: str) -> None:
    print(f"asset-studio: {redact(text)}", file=sys.stderr)


def refuse(text: str) -> int:
    """A refusal names the user's own input: a key pasted into the wrong argument is never echoed."""
    print(f"asset-studio: error: {redact_arguments(text)}", file=sys.stderr)
    return 2


def quote_lines(q: Quote) -> list[str]:
    kind = (
        "exact (OpenAI's published formula)"
        if q.kind == "exact"
        else "estimate (no published formula; bound holds)"
    )
    lines = [
        f"model            {q.model}{'  (Batch prices)' if q.batch else ''}",
        f"quote            {kind}",
        f"images           {q.n} x {q.output_tokens_per_image:,} output tokens"
        + ("" if q.output_exact or q.kind == "estimate" else "  (auto: dearest option)"),
        f"output           {q.output_tokens:,} tokens  {format_usd(q.output_usd)}"
        + (
            f"  (at most {q.output_tokens_max:,} tokens, {format_usd(q.output_usd_max)})"
            if q.kind == "estimate"
            else ""
        ),
        f"text input       ~{q.text_tokens_estimate:,} tokens (at most {q.text_tokens_max:,})",
    ]
    if q.image_input_tokens_max:
        lines.append(
            f"image input      ~{q.image_input_tokens_estimate:,} tokens (at most "
            f"{q.image_input_tokens_max:,})"
        )
    if q.svg is not None:
        lines.append(
            f"SVG author       {q.svg.author}: ~{format_usd(q.svg.usd_estimate)}, at most "
            f"{format_usd(q.svg.usd_max)}"
        )
    lines.append(
        f"total            ~{format_usd(q.total_usd_estimate)}, at most {format_usd(q.total_usd_max)}"
    )
    lines.extend(f"note             {n}" for n in q.notes)
    return lines
