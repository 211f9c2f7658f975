"""Prompt templates: one prompt, many requests (pure code).

`{a|b|c}` is a choice: the template expands into every combination of its choices, in reading order
(the dynamic-prompts / Midjourney-permutation convention). `{column}` is filled from a CSV row: with rows,
each row gives one set of combinations. `{{` and `}}` are literal braces. A template without braces is
one request. Errors name the position (0-based character offset) and say what is wrong.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .errors import RefusedError

MAX_VARIANTS = 200_000  # a typo like {a|b}x12 must not make a million requests; several batches hold this


class TemplateError(RefusedError):
    def __init__(self, message: str, position: int | None = None):
        self.position = position
        super().__init__(message if position is None else f"{message} (at character {position + 1})")


@dataclass(frozen=True)
class Variant:
    prompt: str
    choices: dict[str, str] = field(default_factory=dict)  # "{1}" -> the choice, "column" -> the cell


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Choice:
    options: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class _Column:
    name: str
    position: int


_Part = _Text | _Choice | _Column


def parse(template: str) -> list[_Part]:
    """The template's literal text, choices and columns; TemplateError on unbalanced braces."""
    parts: list[_Part] = []
    text: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if template.startswith("{{", i) or template.startswith("}}", i):
            text.append(ch)
            i += 2
            continue
        if ch == "}":
            raise TemplateError("'}' without a matching '{' (write }} for a literal brace)", i)
        if ch != "{":
            text.append(ch)
            i += 1
            continue
        end = template.find("}", i + 1)
        nested = template.find("{", i + 1)
        if end < 0:
            raise TemplateError("'{' is never closed (write {{ for a literal brace)", i)
        if 0 <= nested < end:
            raise TemplateError("'{' inside another '{ }': choices cannot be nested", nested)
        if text:
            parts.append(_Text("".join(text)))
            text = []
        inner = template[i + 1 : end]
        if "|" in inner:
            parts.append(_Choice(tuple(o.strip() for o in inner.split("|")), i))
        elif not inner.strip():
            raise TemplateError("'{}' is empty: give choices {a|b} or a CSV column {name}", i)
        else:
            parts.append(_Column(inner.strip(), i))
        i = end + 1
    if text:
        parts.append(_Text("".join(text)))
    return parts


def read_rows(text: str) -> list[dict[str, str]]:
    """CSV rows by their header's names (UTF-8 text, quoted fields allowed). Refused: no header, an empty
    or repeated column name, a row with more fields than the header."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise TemplateError("the CSV file is empty: its first row must name the columns")
    names = [h.strip() for h in header]
    for index, name in enumerate(names):
        if not name:
            raise TemplateError(f"CSV column {index + 1} has no name in the header row")
        if names.index(name) != index:
            raise TemplateError(f"CSV column name {name!r} appears twice in the header row")
    rows = []
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue  # blank lines
        if len(fields) > len(names):
            raise TemplateError(f"CSV row {line} has {len(fields)} fields; the header names {len(names)}")
        rows.append({name: (fields[k] if k < len(fields) else "") for k, name in enumerate(names)})
    return rows


def count(template: str, rows: Sequence[dict[str, str]] | None = None) -> int:
    """How many requests the template makes (without building them)."""
    parts = parse(template)
    _check_columns(parts, rows)
    combos = 1
    for part in parts:
        if isinstance(part, _Choice):
            combos *= len(part.options)
    return combos * (len(rows) if rows is not None else 1)


def expand(template: str, rows: Sequence[dict[str, str]] | None = None) -> list[Variant]:
    """Every request of the template, rows outermost, then choices left to right. Refused: over
    MAX_VARIANTS, a column not in the CSV, a column without a CSV, an empty result."""
    total = count(template, rows)
    if total > MAX_VARIANTS:
        raise TemplateError(f"the template makes {total:,} requests; the most at once is {MAX_VARIANTS:,}")
    if total == 0:
        raise TemplateError("the CSV file has a header but no rows: nothing to make")
    return list(_iterate(parse(template), rows))


def iterate(template: str, rows: Sequence[dict[str, str]] | None = None) -> Iterator[Variant]:
    """The template's requests one at a time, without building the list (a preview of a 50,000 set)."""
    parts = parse(template)
    _check_columns(parts, rows)
    return _iterate(parts, rows)


def is_template(template: str) -> bool:
    """Whether the prompt has choices or columns (literal {{ }} only is not a template)."""
    return any(not isinstance(p, _Text) for p in parse(template))


def _check_columns(parts: list[_Part], rows: Sequence[dict[str, str]] | None) -> None:
    known = set(rows[0]) if rows else set()
    for part in parts:
        if isinstance(part, _Column):
            if rows is None:
                raise TemplateError(
                    f"{{{part.name}}} names a CSV column but no CSV file was given (a choice needs a '|')",
                    part.position,
                )
            if rows and part.name not in known:
                raise TemplateError(
                    f"{{{part.name}}} is not a column of the CSV file (columns: {', '.join(sorted(known))})",
                    part.position,
                )


def _iterate(parts: list[_Part], rows: Sequence[dict[str, str]] | None) -> Iterator[Variant]:
    choices = [p for p in parts if isinstance(p, _Choice)]
    for row in rows if rows is not None else [{}]:
        for picked in itertools.product(*(c.options for c in choices)):
            chosen = dict(zip((id(c) for c in choices), picked))
            out: list[str] = []
            named: dict[str, str] = dict(row)
            for part in parts:
                if isinstance(part, _Text):
                    out.append(part.text)
                elif isinstance(part, _Choice):
                    out.append(chosen[id(part)])
                    named[f"{{{choices.index(part) + 1}}}"] = chosen[id(part)]
                else:
                    out.append(row[part.name])
            prompt = re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()  # an empty choice leaves no double space
            yield Variant(prompt, named)
