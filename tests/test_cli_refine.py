"""`asset-studio refine` as real processes against a separate sandbox process: turns that continue one
conversation across runs, the JSON contract, refusals with exit 2, and kill -9 mid-turn."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.test_cli import LOW, ROOT, cli


def _db() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "asset-studio" / "library.sqlite3"


def _responses_received(base: str) -> int:
    import httpx2

    log = httpx2.get(base.removesuffix("/v1") + "/_sandbox/requests").json()
    return sum(1 for r in log if r["path"] == "/v1/responses")


def _refine(env, *extra):
    return cli("refine", "--board", "R", "--panel", "1", *LOW, *extra, "--json", env=env)


def test_turns_continue_one_conversation_across_runs_with_the_bill_split(served):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    assert (
        cli("generate", "--prompt", "a woman in a grey hoodie", *LOW, "--board", "R", env=env).returncode == 0
    )
    first = _refine(env, "--prompt", "make the hoodie purple", "--reasoning", "medium")
    assert first.returncode == 0, first.stderr
    one = json.loads(first.stdout)
    assert {"response_id", "files", "usage", "tool_usage", "billed_usd", "quote"} <= one.keys()
    assert one["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    assert float(one["billed_usd"]) == float(one["bill"]["mainline_usd"]) + float(one["bill"]["image_usd"])
    assert float(one["billed_usd"]) <= float(one["quote"]["total_usd_max"])
    second = json.loads(_refine(env, "--prompt", "now move her left").stdout)
    import httpx2

    log = httpx2.get(base.removesuffix("/v1") + "/_sandbox/requests").json()
    sent = [r for r in log if r["path"] == "/v1/responses"]
    assert [r["params"].get("previous_response_id") for r in sent] == [None, one["response_id"]]
    assert second["conversation_id"] == one["conversation_id"]


def test_refusals_exit_2_before_sending(served):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    r = cli("refine", "--prompt", "cut out", *LOW, "--background", "transparent", env=env)
    assert r.returncode == 2 and "Images API" in r.stderr
    r = cli("refine", "--prompt", "x", *LOW, "--model", "gpt-9", env=env)
    assert r.returncode == 2 and "not a mainline model" in r.stderr
    r = cli("refine", "--prompt", "x", "--board", "R", env=env)
    assert r.returncode == 2 and "go together" in r.stderr


def test_kill_9_mid_turn_leaves_it_outcome_unknown_and_the_conversation_resumable(served):
    base = served("--faults", "ok,responses/hang")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    assert cli("generate", "--prompt", "a kite", *LOW, "--board", "R", env=env).returncode == 0
    command = ["refine", "--board", "R", "--panel", "1", "--prompt", "make it red", *LOW]
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", *command],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        assert time.monotonic() < deadline
        conn = sqlite3.connect(_db(), timeout=5)
        try:
            row = conn.execute("SELECT state FROM jobs WHERE kind = 'refine'").fetchone()
        except sqlite3.OperationalError:
            row = None
        finally:
            conn.close()
        if row and row[0] == "sent" and _responses_received(base):  # journaled as sent, and it arrived
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    jobs = json.loads(cli("jobs", "--json", env=env).stdout)["jobs"]
    [turn] = [j for j in jobs if j["kind"] == "refine"]
    assert turn["state"] == "unknown" and "may have been processed and billed" in turn["error_message"]
    again = _refine(env, "--prompt", "make it blue")
    assert again.returncode == 0, again.stderr  # the conversation goes on (from its panel)
