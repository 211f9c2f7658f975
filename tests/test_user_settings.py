"""One typed settings object in the library, read by the window and the command line alike."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from decimal import Decimal

import pytest

from studio.core.errors import RefusedError
from studio.service.db import connect
from studio.service.user_settings import UserSettings, load_settings, save_settings, update_settings

from .test_cli import LOW, cli


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "lib.sqlite3")
    yield c
    c.close()


def test_settings_round_trip_and_refuse_bad_values_storing_nothing(conn):
    assert load_settings(conn) == UserSettings()
    saved = update_settings(
        conn,
        base_url="https://user:pw@proxy.example/v1",
        tier=3,
        deadline_base_s=240.0,
        svg_model_selection=True,
        defaults={"quality": "low"},
        cap_day=Decimal("2.5"),
    )
    again = load_settings(conn)
    assert again.base_url == "https://proxy.example/v1"  # credentials in a URL are never stored
    assert (again.tier, again.deadline_base_s, again.svg_model_selection, again.defaults, again.cap_day) == (
        3,
        240.0,
        True,
        {"quality": "low"},
        Decimal("2.5"),
    )
    assert saved.tier == 3
    for bad in (
        {"tier": 9},
        {"base_url": "not a url"},
        {"deadline_base_s": 1.0},
        {"cap_call": Decimal("-1")},
    ):
        with pytest.raises(RefusedError):
            update_settings(conn, **{"tier": 1, **bad})
        assert load_settings(conn).tier == 3  # nothing stored when one value is refused


def test_a_bad_stored_value_is_reported_and_its_default_used(conn):
    for key, value in (
        ("rate.tier", "seven"),
        ("ui.defaults", "[1, 2]"),
        ("budget.day", "NaN"),
        ("endpoint.base_url", "http://[::1"),
    ):
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
    settings = load_settings(conn)
    assert (settings.tier, settings.defaults, settings.cap_day, settings.base_url) == (1, {}, None, "")
    assert len(settings.problems) == 4 and any("tier 'seven'" in p for p in settings.problems)


def test_the_command_line_uses_the_base_url_saved_in_the_library(tmp_path, served):
    """Saved once (as the window's Settings does), used by `generate` with no OPENAI_BASE_URL."""
    from studio.service.paths import database_path

    base = served()
    c = connect(database_path())
    update_settings(c, base_url=base)
    c.close()
    r = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--json",
        env={"OPENAI_API_KEY": "test-key-not-secret"},
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["sandbox"] is False and report["request_id"].startswith(
        "req_"
    )  # the served sandbox, not the embedded
    with sqlite3.connect(database_path()) as db:
        assert db.execute("SELECT endpoint FROM jobs").fetchone()[0] == base
    assert cli("tier", "4").returncode == 0
    c = connect(database_path())
    assert load_settings(c).tier == 4  # the CLI writes the same settings the window reads
    c.close()


def test_a_base_url_an_older_version_kept_in_qsettings_moves_into_the_library(qapp, tmp_path):
    from PySide6.QtCore import QSettings

    from studio.app import _library_settings
    from studio.service.paths import database_path
    from studio.state.key_setup import LEGACY_BASE_URL_KEY

    QSettings().setValue(LEGACY_BASE_URL_KEY, "https://gateway.example/v1")
    try:
        assert asyncio.run(_library_settings()).base_url == "https://gateway.example/v1"
        assert not QSettings().contains(LEGACY_BASE_URL_KEY)
        c = connect(database_path())
        assert load_settings(c).base_url == "https://gateway.example/v1"
        save_settings(c, UserSettings())
        c.close()
    finally:
        QSettings().remove(LEGACY_BASE_URL_KEY)


def test_each_test_has_its_own_qsettings(qapp, isolated_qsettings):
    from PySide6.QtCore import QSettings

    QSettings().setValue("window/probe", "this test")
    QSettings().sync()
    assert any(isolated_qsettings.rglob("*")) and QSettings().fileName().startswith(str(isolated_qsettings))
