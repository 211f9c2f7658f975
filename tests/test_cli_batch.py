"""The command line's variants and batches, run as real processes against a separate sandbox process:
the JSON contract, refusals with exit 2, and kill -9 during a fetch, then a fetch that completes it."""

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


def _count(sql: str) -> int:
    conn = sqlite3.connect(_db(), timeout=5)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _status(batch_id: str, env: dict[str, str]) -> dict:
    r = cli("batch", "status", batch_id, "--json", env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_generate_with_a_template_sends_every_variant_now(tmp_path):
    rows = tmp_path / "cast.csv"
    rows.write_text('name,colour\n"Mara, 25",purple\nJo,green\n', encoding="utf-8")
    r = cli(
        "generate", "--prompt", "{name} in a {colour} hoodie, {day|night}", "--rows", str(rows), *LOW,
        "--board", "Cast", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["variants"] == 4 and out["states"] == ["saved"] * 4
    assert out["prompts"][1] == "Mara, 25 in a purple hoodie, night"
    assert out["quote"]["as_batch"]["total_usd_max"] < out["quote"]["now"]["total_usd_max"]
    assert len(out["library_files"]) == 4


def test_template_errors_and_caps_are_refused_with_exit_2_before_upload(tmp_path, served):
    base = served("--batch-seconds", "0.2")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    r = cli("batch", "submit", "--prompt", "a {red|blue kite", *LOW, env=env)
    assert r.returncode == 2 and "never closed" in r.stderr and "at character 3" in r.stderr
    r = cli("batch", "submit", "--prompt", "{size} kite", "--rows", str(tmp_path / "none.csv"), *LOW, env=env)
    assert r.returncode == 2 and "none.csv" in r.stderr
    r = cli("batch", "submit", "--prompt", "kite {1|2|3}", *LOW, "--budget", "0.001", env=env)
    assert r.returncode == 2 and "over --budget" in r.stderr
    assert cli("batch", "list", "--json").stdout.count('"id"') == 0  # nothing journaled, nothing uploaded


def test_batch_commands_keep_the_json_contract(tmp_path, served):
    base = served("--batch-seconds", "0.5")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    q = cli("quote", "--prompt", "a {red|blue} kite over {dunes|sea}", *LOW, "--batch", "--json")
    assert q.returncode == 0, q.stderr
    quoted = json.loads(q.stdout)
    assert quoted["requests"] == 4 and quoted["batch"] is True
    r = cli(
        "batch",
        "submit",
        "--prompt",
        "a {red|blue} kite over {dunes|sea}",
        *LOW,
        "--board",
        "K",
        "--json",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    sent = json.loads(r.stdout)
    assert sent["requests"] == 4 and sent["quote"]["batch"] is True
    assert sent["quote"]["total_usd_max"] == quoted["total_usd_max"]
    assert {"total_usd_estimate", "total_usd_max"} <= sent["quote"].keys()
    [batch] = sent["batches"]
    assert batch["requests"] == 4
    status = _status(batch["id"], env)
    assert status["id"] == batch["id"] and set(status["request_counts"]) == {"total", "completed", "failed"}
    r = cli("batch", "fetch", batch["id"], "--wait", "--json", env=env)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert (
        got["images"] == 4 and len(got["files"]) == 4 and got["failed"] == [] and float(got["billed_usd"]) > 0
    )
    listed = json.loads(cli("batch", "list", "--json", env=env).stdout)["batches"]
    assert [b["status"] for b in listed] == ["completed"]
    again = json.loads(cli("batch", "fetch", batch["id"], "--json", env=env).stdout)
    assert again["images"] == 0  # fetched already: nothing twice
    cancel = cli("batch", "cancel", batch["id"], env=env)
    assert cancel.returncode == 2 and "nothing to cancel" in cancel.stderr


def test_kill_9_during_a_fetch_then_fetch_again_adds_nothing_twice_and_loses_nothing(served):
    base = served("--batch-seconds", "0.2", "--detail", "photo")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    total = 24
    template = "kite {" + "|".join(str(i) for i in range(total)) + "}"
    r = cli("batch", "submit", "--prompt", template, *LOW, "--board", "Kill", "--json", env=env)
    assert r.returncode == 0, r.stderr
    batch_id = json.loads(r.stdout)["batches"][0]["id"]
    deadline = time.monotonic() + 60
    while _status(batch_id, env)["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "batch", "fetch", batch_id],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _count("SELECT COUNT(*) FROM images") < 3:  # some images are saved, not all
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    saved_before = _count("SELECT COUNT(*) FROM images")
    assert saved_before < total
    r = cli("batch", "fetch", batch_id, "--json", env=env)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert _count("SELECT COUNT(*) FROM images") == total  # every image, once
    assert _count("SELECT COUNT(DISTINCT sha256) FROM images") == total
    assert _count("SELECT COUNT(*) FROM panels WHERE deleted_at IS NULL") == total
    assert _count("SELECT COUNT(*) FROM panels WHERE image_id IS NULL") == 0
    assert _count("SELECT COUNT(*) FROM jobs WHERE state = 'saved'") == total
    assert got["images"] + saved_before >= total  # the second fetch saved the rest (and re-saved at most
    # the one the kill cut short)
    files = list((Path(os.environ["XDG_DATA_HOME"]) / "asset-studio" / "images").rglob("*.png"))
    assert len(files) == total
