"""File names people can read and no file system chokes on."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def slugify(text: str, max_len: int = 40, default: str = "image") -> str:
    """ "A fox, at dusk!" -> "a-fox-at-dusk"; ASCII only, no path separators, never empty."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", norm).strip("-")[:max_len].rstrip("-")
    if not slug or slug in _RESERVED:
        return default
    return slug


def safe_filename(name: str, default: str = "image") -> str:
    """A plain file name: no directories, no control characters, nothing a header could choke on."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return base[:100] or default


EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "gif": "gif", "svg": "svg"}
