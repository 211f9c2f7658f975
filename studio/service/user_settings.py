"""Everything the user sets, as one typed value stored once, in the library: the window and the command
line read the same base URL, tier, caps, deadline and defaults, so they always bill the same endpoint
into one ledger under the same caps. (QSettings keeps only window geometry and layout.)

    settings = load_settings(conn)              # never raises on a bad stored value: it is reported
    save_settings(conn, replace(settings, tier=3))

A stored value that cannot be used (typed by hand, or by an older version) is reported in `problems`
and the default is used instead; it never crashes a command.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core import deadline
from studio.core.errors import RefusedError

from .db import transaction
from .endpoint import check_base_url, without_userinfo
from .ledger import parse_usd, stored_usd

KEYS = {
    "base_url": "endpoint.base_url",
    "tier": "rate.tier",
    "minute_seconds": "rate.minute_seconds",
    "deadline_base_s": deadline.SETTING,
    "svg_model_selection": "svg.model_selection",
    "defaults": "ui.defaults",
    "welcome": "ui.welcome_done",
    "board": "ui.board",
    "thumbnail_cache_mb": "ui.thumbnail_cache_mb",
    "theme": "ui.theme",
    "cap_call": "budget.call",
    "cap_day": "budget.day",
    "cap_month": "budget.month",
}
TIERS = range(1, 6)
THEMES = ("system", "dark", "light")  # "system": the OS colour scheme where Qt can read it, else dark


@dataclass(frozen=True)
class UserSettings:
    base_url: str = ""  # "" = OpenAI's own; OPENAI_BASE_URL overrides it for one process
    tier: int = 1  # OpenAI rate tier: pacing follows its images and tokens per minute
    minute_seconds: float = 60.0  # the rate window's length (shortened only in tests and benchmarks)
    deadline_base_s: float = deadline.DEFAULT_BASE_S  # studio/core/deadline.py
    svg_model_selection: bool = False  # the project can choose the SVG author model
    defaults: dict[str, Any] = field(default_factory=dict)  # request parameters a new prompt starts with
    welcome: str | None = None  # None: the first-run panel was never answered; "saved" | "skipped"
    board: str | None = None  # the board the window opens on
    thumbnail_cache_mb: int = 64  # memory for decoded thumbnails (least recently shown evicted first)
    theme: str = "system"  # THEMES
    cap_call: Decimal | None = None
    cap_day: Decimal | None = None
    cap_month: Decimal | None = None
    problems: tuple[str, ...] = ()  # stored values that could not be used (their defaults are in effect)

    def check(self) -> UserSettings:
        """Refuse what cannot be stored (RefusedError naming the setting); returns self."""
        if self.base_url:
            check_base_url(self.base_url)
        if self.tier not in TIERS:
            raise RefusedError(f"rate tier {self.tier}: choose 1 to 5")
        if not 0 < self.minute_seconds <= 3600:
            raise RefusedError(f"rate window {self.minute_seconds} s: must be more than 0 and at most 3600")
        if self.theme not in THEMES:
            raise RefusedError(f"theme {self.theme!r}: choose {', '.join(THEMES)}")
        if not 8 <= self.thumbnail_cache_mb <= 4096:
            raise RefusedError(f"thumbnail memory {self.thumbnail_cache_mb} MB: choose 8 to 4096")
        if not 10 <= self.deadline_base_s <= deadline.MAX_S:
            raise RefusedError(
                f"answer deadline {self.deadline_base_s:g} s: must be 10 to {deadline.MAX_S:g} seconds"
            )
        for name in ("cap_call", "cap_day", "cap_month"):
            value = getattr(self, name)
            if value is not None:
                parse_usd(str(value))
        return self


def _encode(name: str, value: Any) -> str | None:
    if value is None or value == "" or (name == "defaults" and not value):
        return None
    if name == "svg_model_selection":
        return "on" if value else "off"
    if name == "defaults":
        return json.dumps(value, sort_keys=True)
    if name == "base_url":
        return without_userinfo(str(value).strip())  # credentials in a URL are never stored
    return str(value)


def _decode(name: str, text: str, problems: list[str]) -> Any:
    default = getattr(UserSettings(), name)
    try:
        if name == "tier":
            value: Any = int(text)
            if value not in TIERS:
                raise ValueError(text)
            return value
        if name == "thumbnail_cache_mb":
            value = int(text)
            if not 8 <= value <= 4096:
                raise ValueError(text)
            return value
        if name == "minute_seconds":
            value = float(text)
            if not 0 < value <= 3600:
                raise ValueError(text)
            return value
        if name == "deadline_base_s":
            return deadline.base_from_setting(text)
        if name == "theme" and text not in THEMES:
            raise ValueError(text)
        if name == "svg_model_selection":
            return text == "on"
        if name == "defaults":
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError(text)
            return value
        if name.startswith("cap_"):
            return stored_usd(text, f"per-{name[4:]}", problems)
        if name == "base_url":
            return check_base_url(text)
    except (ValueError, RefusedError):
        problems.append(f"the stored {name.replace('_', ' ')} {text!r} is unusable and ignored; set it again")
        return default
    return text


def load_settings(conn: sqlite3.Connection) -> UserSettings:
    rows = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    problems: list[str] = []
    values = {name: _decode(name, rows[key], problems) for name, key in KEYS.items() if key in rows}
    return UserSettings(**values, problems=tuple(problems))


def save_settings(conn: sqlite3.Connection, settings: UserSettings) -> UserSettings:
    """Store every setting in one transaction, after checking them all (nothing is stored when one is bad)."""
    settings.check()
    with transaction(conn):
        for f in fields(UserSettings):
            if f.name == "problems":
                continue
            text = _encode(f.name, getattr(settings, f.name))
            if text is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (KEYS[f.name],))
            else:
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                    "value = excluded.value",
                    (KEYS[f.name], text),
                )
    return replace(settings, problems=())


def update_settings(conn: sqlite3.Connection, **changes: Any) -> UserSettings:
    """Change some settings, keep the rest (checked and stored together)."""
    return save_settings(conn, replace(load_settings(conn), **changes))


def read_library_settings(root: Path | None = None) -> UserSettings:
    """The settings from the library on disk, for a command that has not opened it yet (LibraryUnavailable
    when the data folder cannot be used, as for every command)."""
    from .db import Database
    from .paths import database_path

    db = Database(database_path(root))
    try:
        return db.run_sync(load_settings)
    finally:
        db.close()
