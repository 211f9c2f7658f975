"""Locate the data files in resources/, installed (studio/resources) or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve()


def resource_path(name: str) -> Path:
    """Path of a file shipped in resources/.

    Installed wheels carry the folder as ``studio/resources``; a source checkout keeps it at the
    top level beside ``studio/``.
    """
    for folder in (_HERE.parents[1] / "resources", _HERE.parents[2] / "resources"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"resource {name!r} is missing: reinstall Asset Studio")


def desktop_path(name: str) -> Path:
    """Path of a desktop-integration file (.desktop, metainfo, icons): installed as ``studio/desktop``,
    in a checkout ``packaging/desktop``."""
    for folder in (_HERE.parents[1] / "desktop", _HERE.parents[2] / "packaging" / "desktop"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"desktop file {name!r} is missing: reinstall Asset Studio")


FONT_REGULAR = (
    "fonts/Vera.ttf"  # Bitstream Vera (fonts/bitstream-vera-license.txt): exports never use system fonts
)
FONT_BOLD = "fonts/VeraBd.ttf"
