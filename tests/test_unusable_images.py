"""A received image that is not usable (does not decode, another size than asked, more images than asked)
is kept as received, flagged on the job and its panel, and never breaks a later export: the export
skips it, lists it in the manifest and on stderr, and exits 1 with everything else written."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.request import ImageRequest
from studio.service import library
from studio.service.endpoint import Endpoint
from studio.service.export.board import load_board
from studio.service.export.leftovers import PARTIAL_MARK, mark_partial, remember_folder
from studio.service.export.run import ExportOptions, export_board
from studio.service.runner import ImageService

from .scripted_server import ScriptedServer, png
from .test_cli import LOW

USAGE = {
    "input_tokens": 10,
    "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
    "output_tokens": 392,
    "output_tokens_details": {"image_tokens": 392, "text_tokens": 0},
    "total_tokens": 402,
}


def odd_answer() -> bytes:
    """Three images for n=2: a good one, bytes that are no image, and one of another size."""
    data = [png((200, 40, 40)), b"this is not an image at all", png((40, 200, 40), size=(512, 512))]
    return json.dumps(
        {
            "created": 1,
            "data": [{"b64_json": base64.b64encode(d).decode()} for d in data],
            "output_format": "png",
            "size": "1024x1024",
            "quality": "low",
            "usage": USAGE,
        }
    ).encode()


def test_unusable_images_are_kept_flagged_and_skipped_by_export(tmp_path, run):
    with ScriptedServer() as server:
        server.script(200, odd_answer())
        service = run(
            ImageService.open(Endpoint(server.base_url, "test-key-not-secret"), root=tmp_path / "lib", tier=5)
        )
        try:
            outcome = run(
                service.submit(
                    ImageRequest(prompt="three of two", n=2, size="1024x1024", quality="low"), board="Odd"
                )
            )
            job = outcome.jobs[0]
            assert job.state.value == "saved" and len(job.images) == 3  # everything received is kept
            assert [Path(i.path).read_bytes()[:4] for i in job.images][1] == b"this"  # as received
            assert "3 images arrived where 2 were asked for" in job.notice
            assert "image 2 is kept as received but is not a readable PNG image" in job.notice
            assert "image 3 is kept as received but is 512x512 where 1024x1024 was asked for" in job.notice
            sidecar = json.loads(Path(job.images[1].sidecar).read_text())
            assert sidecar["image_problem"].startswith("not a readable PNG image")
            board_id = run(service.db.run(library.board_id, "Odd"))
            problems = [p["problem"] for p in run(service.db.run(library.panels, board_id))]
            assert (
                problems[0] is None
                and problems[1].startswith("not a readable")
                and problems[2].startswith("512x512")
            )

            board = run(service.db.run(load_board, "Odd"))
            result = export_board(board, tmp_path / "out", ExportOptions())
        finally:
            run(service.close())
    assert [s["number"] for s in result.skipped] == [2] and "not a readable image" in result.skipped[0][
        "reason"
    ]
    names = sorted(p.name for p in result.folder.iterdir())
    assert "01-panel.png" in names and "03-panel.png" in names and "02-panel.png" not in names
    assert {"contact-sheet.png", "storyboard.pdf", "animatic.gif", "manifest.json"} <= set(names)
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert [p["number"] for p in manifest["panels"]] == [1, 3]
    assert (
        manifest["skipped_panels"][0]["number"] == 2
        and manifest["skipped_panels"][0]["request_id"] == "req_scripted"
    )


def test_the_cli_export_names_the_skipped_panel_and_exits_1(tmp_path):
    from .test_cli import cli

    with ScriptedServer() as server:
        server.script(200, b'{"object": "list", "data": []}')  # the CLI reads /v1/models first
        server.script(200, odd_answer())
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "test-key-not-secret"}
        made = cli(
            "generate",
            "--prompt",
            "three of two",
            "--n",
            "2",
            *LOW,
            "--board",
            "Odd",
            env=env,
        )
    assert made.returncode == 0, made.stderr
    assert "not a readable PNG image" in made.stderr and len(made.stdout.splitlines()) == 3
    r = cli("export", "Odd", "--out", str(tmp_path / "exp"), "--json")
    assert r.returncode == 1 and "panel 2 (" in r.stderr and "was skipped: not a readable image" in r.stderr
    report = json.loads(r.stdout)
    assert report["panels"] == 2 and [s["number"] for s in report["skipped"]] == [2]
    assert (Path(report["folder"]) / "storyboard.pdf").is_file()
    everything_bad = cli("export", "Nobody", "--out", str(tmp_path / "exp2"))
    assert everything_bad.returncode == 2


def test_the_panel_says_it_is_not_usable(qapp):
    from studio.state.board_model import BoardModel
    from studio.state.thumbnails import ThumbnailCache

    model = BoardModel(ThumbnailCache())
    model.set_panels(
        [
            {"id": 1, "path": "/lib/a.png", "problem": None},
            {"id": 2, "path": "/lib/b.png", "problem": "not a readable PNG image (x)"},
        ]
    )
    tips = [model.data(model.index(i), 3) for i in range(2)]  # Qt.ToolTipRole
    assert tips[0] == "/lib/a.png" and "not a readable PNG image" in tips[1] and "exports skip it" in tips[1]
    assert model.rows[1].problem and not model.rows[0].problem


def test_abandoned_partial_exports_are_removed_on_start_and_nothing_else(tmp_path, run):
    out = tmp_path / "exports"
    out.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    abandoned, alive, foreign, finished = (
        out / ".shots.partial-dead",
        out / ".shots.partial-live",
        out / ".mine.partial-1234",
        out / "shots-storyboard",
    )
    for folder in (abandoned, alive, foreign, finished):
        folder.mkdir()
        (folder / "01-panel.png").write_bytes(b"x")
    mark_partial(abandoned)
    mark_partial(alive)
    info = json.loads((abandoned / PARTIAL_MARK).read_text())
    (abandoned / PARTIAL_MARK).write_text(json.dumps({**info, "pid": dead_pid}))
    (alive / PARTIAL_MARK).write_text(json.dumps({**info, "pid": os.getppid()}))  # a process that is running

    service = run(
        ImageService.open(Endpoint("http://127.0.0.1:9/v1", "x", is_sandbox=True), root=tmp_path / "lib")
    )
    run(service.db.run(remember_folder, out))
    run(service.close())
    service = run(
        ImageService.open(Endpoint("http://127.0.0.1:9/v1", "x", is_sandbox=True), root=tmp_path / "lib")
    )
    run(service.close())
    assert not abandoned.exists()
    assert (
        alive.exists() and foreign.exists() and finished.exists()
    )  # unmarked or still being written: untouched


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_an_export_of_a_board_whose_only_image_is_broken_is_refused_with_the_reason(tmp_path, run, content):
    service = run(
        ImageService.open(Endpoint("http://127.0.0.1:9/v1", "x", is_sandbox=True), root=tmp_path / "lib")
    )
    try:
        from studio.service.imports import import_files

        good = tmp_path / "a.png"
        good.write_bytes(png())
        run(import_files(service.db, service.root, "Solo", [str(good)]))
        board = run(service.db.run(load_board, "Solo"))
    finally:
        run(service.close())
    Path(board.panels[0].path).write_bytes(content)  # damaged on disk after it was saved
    from studio.core.errors import RefusedError

    with pytest.raises(RefusedError, match="no panel's image can be read.*panel 1: not a readable image"):
        export_board(board, tmp_path / "out", ExportOptions())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


KILL_AFTER_FILES = """
import os, signal, sys
import studio.service.library as library
def killed(*args, **kwargs):  # the files and sidecars are on disk; the journal has not recorded them yet
    os.kill(os.getpid(), signal.SIGKILL)
library.record_image = killed
from studio.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_kill_9_between_the_files_and_the_journal_restores_the_job_on_the_next_start(tmp_path, run):
    from .test_cli import ROOT, cli

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_AFTER_FILES,
            "generate",
            "--prompt",
            "a kept fox",
            "--n",
            "2",
            *LOW,
            "--board",
            "Kept",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr  # really killed, after the files were written
    library_root = Path(os.environ["XDG_DATA_HOME"]) / "asset-studio"
    saved = sorted(library_root.rglob("*-a-kept-fox.png"))
    assert len(saved) == 2 and all(p.with_suffix(".png.json").is_file() for p in saved)
    # a stray file with the job's prefix but other bytes is never taken for the result
    bogus = saved[0].with_name(saved[0].name.replace("-01-", "-03-"))
    bogus.write_bytes(b"not it")
    bogus.with_suffix(".png.json").write_text(saved[0].with_suffix(".png.json").read_text())

    jobs = cli("jobs", "--json")
    assert jobs.returncode == 0, jobs.stderr
    assert "restored 2 of 2 images saved before the app stopped" in jobs.stderr
    job = json.loads(jobs.stdout)["jobs"][0]
    assert job["state"] == "saved" and "Restored on start" in job["error_message"] and job["billed_usd"]
    service = run(
        ImageService.open(Endpoint("http://127.0.0.1:9/v1", "x", is_sandbox=True), root=library_root)
    )
    try:
        board_id = run(service.db.run(library.board_id, "Kept"))
        panels = run(service.db.run(library.panels, board_id))
        assert sorted(p["path"] for p in panels) == [str(p) for p in saved] and all(
            p["width"] == 1024 for p in panels
        )
        assert service.restored == []  # settled once, not again
    finally:
        run(service.close())
