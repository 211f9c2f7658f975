"""The CLI over the service: crash recovery, budgets, ledger, jobs, and a canary key that leaks nowhere."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from tests.test_cli import ROOT, cli

from .test_cli import LOW

CANARY = "sk-canary-" + "Lk3" * 14


def _db() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "asset-studio" / "library.sqlite3"


def _image_requests(base_url: str) -> int:
    log = httpx2.get(base_url.removesuffix("/v1") + "/_sandbox/requests").json()
    return sum(1 for r in log if r["path"].startswith("/v1/images/"))


def test_kill_9_mid_call_then_restart_shows_outcome_unknown_and_sends_nothing(tmp_path, served):
    base = served("--faults", "hang")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "studio",
            "generate",
            "--prompt",
            "a paid picture",
            *LOW,
            "--out",
            str(tmp_path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    state = None
    while time.monotonic() < deadline:  # the job is journaled as sent and the request has arrived
        if _db().exists():
            conn = sqlite3.connect(_db(), timeout=5)
            try:
                row = conn.execute("SELECT state FROM jobs").fetchone()
            except sqlite3.OperationalError:  # the library is still being created and migrated
                row = None
            finally:
                conn.close()
            state = row[0] if row else None
            if state == "sent" and _image_requests(base) == 1:
                break
        time.sleep(0.05)
    assert state == "sent" and _image_requests(base) == 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    r = cli("jobs", "--json", env={"OPENAI_BASE_URL": base})
    assert r.returncode == 0, r.stderr
    [job] = json.loads(r.stdout)["jobs"]
    assert job["state"] == "unknown" and "may have been processed and billed" in job["error_message"]
    assert "outcome unknown" in cli("jobs").stdout
    assert _image_requests(base) == 1  # nothing was re-sent


def test_over_budget_is_refused_with_exit_2_before_sending(tmp_path, served):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    assert cli("budget", "--day", "0.01").returncode == 0
    r = cli(
        "generate",
        "--prompt",
        "x",
        "--size",
        "1024x1024",
        "--quality",
        "high",
        "--out",
        str(tmp_path),
        env=env,
    )
    assert r.returncode == 2 and "the daily cap is $0.01" in r.stderr and "$0.0100 is left" in r.stderr
    r = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--budget",
        "0.001",
        "--out",
        str(tmp_path),
        env=env,
    )
    assert r.returncode == 2 and "per-call cap of $0.001" in r.stderr
    assert _image_requests(base) == 0
    assert cli("budget", "--day", "none").returncode == 0
    assert "per day    no cap" in cli("budget").stdout


def test_ledger_and_jobs_after_calls(tmp_path, served):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    r = cli(
        "generate",
        "--prompt",
        "a fox",
        *LOW,
        "--n",
        "2",
        "--board",
        "Shots",
        "--out",
        str(tmp_path),
        "--json",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert len(report["library_files"]) == 2 and report["states"] == ["saved"]
    csv_text = cli("ledger", "--csv").stdout
    assert (
        csv_text.splitlines()[0].startswith("created_at,job_id,board")
        and f",{report['billed_usd']}," in csv_text
    )
    ledger_json = json.loads(cli("ledger", "--json").stdout)
    assert ledger_json["totals"]["by_board"] == {"Shots": report["billed_usd"]}
    jobs = json.loads(cli("jobs", "--json").stdout)["jobs"]
    assert jobs[0]["state"] == "saved" and jobs[0]["files"] == report["library_files"]


def test_a_canary_key_appears_nowhere_under_home(tmp_path, served):
    base = served("--faults", "ok,bad_key")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": CANARY}
    outs = [
        cli(
            "generate",
            "--prompt",
            "x",
            *LOW,
            "--partial-images",
            "1",
            "--board",
            "B",
            "--out",
            str(tmp_path / "out"),
            "--json",
            env=env,
        )
    ]
    outs.append(
        cli(
            "generate",
            "--prompt",
            "y",
            *LOW,
            "--out",
            str(tmp_path / "out"),
            env=env,
        )
    )
    outs += [
        cli("ledger", "--csv", env=env),
        cli("ledger", env=env),
        cli("jobs", "--json", env=env),
        cli("budget", env=env),
    ]
    assert outs[0].returncode == 0 and outs[1].returncode == 1  # one saved, one refused key
    for out in outs:
        assert CANARY not in out.stdout + out.stderr
    home = Path(os.environ["HOME"])
    scanned = []
    for folder in (home, tmp_path / "out"):
        for path in folder.rglob("*"):
            if path.is_file():
                scanned.append(path.name)
                assert CANARY.encode() not in path.read_bytes(), path
    # the library database, a library image with its sidecar, and the --out copy were all read
    assert "library.sqlite3" in scanned and sum(n.endswith(".png.json") for n in scanned) == 1
    assert sum(n.endswith(".png") for n in scanned) == 2
