"""Where Asset Studio keeps its data: $XDG_DATA_HOME/asset-studio on Linux (platformdirs elsewhere)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_DIR_NAME = "asset-studio"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def database_path(root: Path | None = None) -> Path:
    return (root or data_dir()) / "library.sqlite3"


def images_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "images"


def previews_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "previews"


def recovered_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "recovered"


def edits_dir(root: Path | None = None) -> Path:
    """Guarded composites, drift heatmaps and the masks of edits (the raw results are in images/)."""
    return (root or data_dir()) / "edits"


def cast_dir(root: Path | None = None) -> Path:
    """Copies of the boards' cast reference images (service/cast.py)."""
    return (root or data_dir()) / "cast"
