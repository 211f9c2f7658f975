"""Bad numbers get a message and exit 2, never a traceback; a stored cap that cannot be used is reported and ignored."""

from __future__ import annotations

import sqlite3

import pytest

from studio.service.paths import database_path

from .test_cli import cli


@pytest.mark.parametrize(
    "budget, message",
    [
        ("NaN", "must be a finite number"),
        ("sNaN", "must be a finite number"),
        ("inf", "must be a finite number"),
        ("1e309", "not a plausible amount"),
        ("-0.01", "must be zero or more"),
        ("$5", "without the dollar sign"),
        ("", "--budget is empty"),
        ("five", "not a number of US dollars"),
    ],
)
def test_bad_budgets_are_refused(budget, message, tmp_path):
    out = tmp_path / "out"
    r = cli("generate", "--prompt", "x", "--size", "1024x1024", "--quality", "low", "--budget", budget, "--out", str(out))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not out.exists() and '"jobs": []' in cli("jobs", "--json").stdout  # nothing journaled, nothing sent


@pytest.mark.parametrize("value", ["NaN", "inf", "-3", "1e309"])
def test_bad_caps_are_refused_by_budget(value):
    r = cli("budget", "--day", value)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "amount" in r.stderr


def test_a_stored_cap_that_cannot_be_used_is_reported_and_ignored(tmp_path):
    assert cli("budget", "--day", "2.50").returncode == 0
    with sqlite3.connect(database_path()) as conn:  # a value stored before amounts were checked
        conn.execute("UPDATE settings SET value = 'NaN' WHERE key = 'budget.day'")
    r = cli("budget")
    assert r.returncode == 0 and "the stored per-day cap is unusable and ignored" in r.stderr
    assert "per day    no cap" in r.stdout and "Traceback" not in r.stderr
    made = cli("generate", "--prompt", "x", "--size", "1024x1024", "--quality", "low", "--out", str(tmp_path))
    assert made.returncode == 0, made.stderr  # every later call still works
    assert cli("budget", "--day", "none").returncode == 0 and "unusable" not in cli("budget").stderr


def test_caps_are_shown_exactly_never_rounded_up():
    assert cli("budget", "--day", "2.005", "--month", "40").returncode == 0
    out = cli("budget").stdout
    assert "per day    $2.005" in out and "per month  $40.00" in out


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "huge"])
def test_only_regular_files_of_a_sane_size_are_read_as_images(tmp_path, kind):
    import os

    if kind == "dev-zero":
        path = "/dev/zero"
    elif kind == "fifo":
        path = str(tmp_path / "pipe.png")
        os.mkfifo(path)  # reading it would block forever
    elif kind == "directory":
        path = str(tmp_path)
    else:
        path = str(tmp_path / "huge.png")
        with open(path, "wb") as fh:
            fh.truncate(300 * 1024 * 1024)  # sparse: large on paper, nothing read
    r = cli("edit", "--image", path, "--prompt", "x", timeout=30)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert {"dev-zero": "is not a regular file", "fifo": "is not a regular file", "directory": "is a directory",
            "huge": "too large to be an image to send"}[kind] in r.stderr


def test_a_word_that_is_neither_a_command_nor_a_file_is_refused():
    r = cli("batch", "status", "X", timeout=30)
    assert r.returncode == 2 and "'batch' is neither a command nor an existing file" in r.stderr
