"""Bad numbers get a message and exit 2, never a traceback; a stored cap that cannot be used is reported and
ignored."""

from __future__ import annotations

import json
import sqlite3

import pytest

from studio.service.paths import database_path

from .test_cli import LOW, cli


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
    r = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--budget",
        budget,
        "--out",
        str(out),
    )
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert (
        not out.exists() and '"jobs": []' in cli("jobs", "--json").stdout
    )  # nothing journaled, nothing sent


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
    made = cli("generate", "--prompt", "x", *LOW, "--out", str(tmp_path))
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
    assert {
        "dev-zero": "is not a regular file",
        "fifo": "is not a regular file",
        "directory": "is a directory",
        "huge": "too large to be an image to send",
    }[kind] in r.stderr


def test_a_word_that_is_neither_a_command_nor_a_file_is_refused():
    r = cli("batches", "status", "X", timeout=30)
    assert r.returncode == 2 and "'batches' is neither a command nor an existing file" in r.stderr


@pytest.mark.parametrize("url", ["not a url", "http://[::1", "ftp://example.com/v1", "http://host:port/v1"])
def test_a_base_url_that_is_not_a_url_is_refused_before_anything_is_journaled(url, tmp_path):
    out = tmp_path / "out"
    r = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--out",
        str(out),
        env={"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "k-not-secret"},
    )
    assert r.returncode == 2 and "OPENAI_BASE_URL" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert '"jobs": []' in cli("jobs", "--json").stdout  # nothing journaled, no quote reserved


def test_credentials_in_the_base_url_are_never_stored(served, tmp_path):
    from studio.service.paths import data_dir

    base = served()
    secret = "hunter2-" + "x" * 12
    with_userinfo = base.replace("http://", f"http://user:{secret}@")
    r = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--out",
        str(tmp_path / "o"),
        "--json",
        env={"OPENAI_BASE_URL": with_userinfo, "OPENAI_API_KEY": "k-not-secret"},
    )
    assert r.returncode in (0, 1), (
        r.stderr
    )  # the sandbox wants a bearer key; a proxy might take these credentials
    jobs = json.loads(cli("jobs", "--json").stdout)["jobs"]
    assert jobs and jobs[0]["endpoint"] == base  # journaled without the user:password part
    stored = [p for p in data_dir().rglob("*") if p.is_file()]
    assert stored and not any(secret.encode() in p.read_bytes() for p in stored)
    assert secret not in r.stdout + r.stderr


def test_settings_refuse_a_base_url_that_is_not_a_url_and_save_nothing(studio, qloop):

    from .window_helpers import until

    window = studio()
    window.open_settings()
    dialog = window.settings_dialog
    qloop.run_until_complete(dialog.loaded)
    dialog.base_url.setText("http://[::1")
    dialog.caps["day"].setText("3")
    dialog.save()
    until(qloop, lambda: "is not a URL" in dialog.message.text())
    assert "Base URL 'http://[::1'" in dialog.message.text()
    studio_api = window.session.studio
    assert qloop.run_until_complete(studio_api.settings.load()).base_url == ""
    assert qloop.run_until_complete(studio_api.costs.caps()).day is None  # nothing saved


@pytest.mark.parametrize("command", ["generate", "quote"])
def test_a_prompt_that_is_not_utf8_is_refused(command, tmp_path):
    import os
    import subprocess
    import sys

    from .test_cli import ROOT

    args = [
        sys.executable,
        "-m",
        "studio",
        command,
        "--prompt",
        b"bad \xff prompt",
        "--size",
        "1024x1024",
        "--out",
        str(tmp_path / "o"),
    ]
    if command == "quote":
        args = args[:-2]
    r = subprocess.run(args, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    err = r.stderr.decode("utf-8", "replace")
    assert (
        r.returncode == 2
        and "prompt: is not valid UTF-8 text (byte 0xff at character 5)" in err
        and "Traceback" not in err
    )


def test_out_copies_get_ordinary_modes_and_the_library_stays_private(tmp_path):
    import json
    import os
    import stat

    out = tmp_path / "out"
    r = cli("generate", "--prompt", "x", *LOW, "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(report["files"][0]).st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(os.stat(report["library_files"][0]).st_mode) == 0o600


def test_a_job_from_another_host_can_be_resolved_by_the_user(tmp_path):
    import json

    assert cli("budget", "--day", "1").returncode == 0
    made = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--out",
        str(tmp_path / "o"),
        "--json",
    )
    job_id = json.loads(made.stdout)["job_ids"][0]
    with sqlite3.connect(database_path()) as conn:  # as if sent from another machine that never came back
        conn.execute(
            "UPDATE jobs SET state = 'sent', billed_usd = NULL, sandbox = 0, owner_host = 'elsewhere' WHERE "
            "id = ?",
            (job_id,),
        )
    reserved = json.loads(cli("budget", "--json").stdout)["spent"]["today"]
    assert float(reserved) > 0  # stuck: counted at its quote's bound
    assert cli("jobs", "resolve", job_id[:6], "--as", "maybe").returncode == 2
    r = cli("jobs", "resolve", job_id[:6], "--as", "failed")
    assert r.returncode == 0 and "resolved as failed" in r.stdout
    assert (
        float(json.loads(cli("budget", "--json").stdout)["spent"]["today"]) == 0
    )  # its reservation is released
    again = cli("jobs", "resolve", job_id[:6], "--as", "unknown")
    assert again.returncode == 2 and "only queued, sent or received jobs can be resolved" in again.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("jobs",),
        ("budget",),
        ("ledger",),
        ("models", "--offline"),
        ("generate", "--prompt", "x", *LOW),
    ],
)
def test_an_unusable_data_folder_gives_one_clear_line(tmp_path, args):
    plain = tmp_path / "plain"
    plain.write_text("not a folder")
    r = cli(*args, env={"XDG_DATA_HOME": str(plain / "sub")}, cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"the data folder {plain / 'sub' / 'asset-studio'} cannot be used: Not a directory" in r.stderr


def test_the_window_says_so_before_it_opens_instead_of_crashing(tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("not a folder")
    r = cli(
        env={
            "XDG_DATA_HOME": str(plain / "sub"),
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_RUNTIME_DIR": str(tmp_path),
        },
        timeout=60,
    )
    assert (
        r.returncode == 1 and "cannot be used: Not a directory" in r.stderr and "Traceback" not in r.stderr
    ), r.stderr
