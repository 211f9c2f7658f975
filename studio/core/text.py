"""Text for layouts: control characters removed, and word wrap with any width measure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(text: str) -> str:
    """One line of printable text: control characters become spaces, runs of space collapse."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text or ""))
    return " ".join(text.split())


def wrap_text(text: str, measure: Callable[[str], float], width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` (in the measure's units), at most `max_lines` lines; a word too
    long for a line is broken; when text is left over, the last line ends with an ellipsis."""
    words = clean_text(text).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        if not word:
            continue
        trial = f"{line} {word}".strip()
        if measure(trial) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word
        while len(line) > 1 and measure(line) > width:
            cut = len(line) - 1
            while cut > 1 and measure(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and measure(last + "…") > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def format_bytes(count: int) -> str:
    """`812 B`, `48 KB`, `1.2 MB`: for progress text (decimal units, as networks count)."""
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    return f"{count / 1_000_000:.1f} MB"


def format_duration(seconds: float) -> str:
    """`45 s`, `3 min`, `1 h`."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
