"""The command-line contract, run as a real process against the embedded and a separate sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
LOW = ("--size", "1024x1024", "--quality", "low")  # the cheapest real request
SECRET = "sk-test-" + "Zq9" * 12  # shaped like a key: must never be printed


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )


def test_quote_json(tmp_path):
    r = cli("quote", "--size", "1536x1024", "--quality", "high", "--n", "2", "--prompt", "a fox", "--json")
    assert r.returncode == 0, r.stderr
    q = json.loads(r.stdout)
    assert q["output_tokens"] == 2 * 5488 and q["output_usd"] == "0.32928"
    assert {
        "text_tokens_estimate",
        "text_tokens_max",
        "image_input_tokens_estimate",
        "image_input_tokens_max",
        "total_usd_max",
    } <= q.keys()


def test_quote_of_an_edit_counts_the_input_image(tmp_path):
    src = tmp_path / "src.png"
    Image.new("RGB", (1024, 1024)).save(src)
    q = json.loads(cli("quote", "--image", str(src), *LOW, "--json").stdout)
    assert q["image_input_tokens_estimate"] == 1024 and q["image_input_tokens_max"] >= 1024


def test_a_child_process_takes_the_date_from_the_injected_clock():
    """ASSET_STUDIO_CLOCK pins the CLI's date: the same command is accepted the day before a shutdown
    (with a warning naming the date) and refused from that day on."""
    args = ("quote", "--model", "gpt-image-1.5", *LOW, "--json")
    before = cli(*args, env={"ASSET_STUDIO_CLOCK": "2026-11-30T23:59:00Z"})
    assert before.returncode == 0, before.stderr
    assert "shuts down on 2026-12-01 (in 1 day)" in " ".join(json.loads(before.stdout)["warnings"])
    on_the_day = cli(*args, env={"ASSET_STUDIO_CLOCK": "2026-12-01T00:00:00Z"})
    assert on_the_day.returncode == 2 and "shut down on 2026-12-01" in on_the_day.stderr
    bad = cli(*args, env={"ASSET_STUDIO_CLOCK": "yesterday"})
    assert bad.returncode != 0 and "ASSET_STUDIO_CLOCK='yesterday' is not an ISO date" in bad.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("quote", "--size", "1000x1000"),
            "size 1000x1000: both edges must be multiples of 16 (1008x1008 is the nearest valid size)",
        ),
        (("quote", "--model", "dall-e-3"), "retired on 2026-05-12"),
        (("quote", "--n", "11"), "n 11: must be a whole number from 1 to 10"),
        (("quote", "--n", "many"), "invalid int value"),
        (("generate", "--prompt", "  "), "prompt: must not be empty"),
        (
            ("generate", "--prompt", "x", "--format", "jpeg", "--background", "transparent"),
            "needs output_format png or webp",
        ),
        (("edit", "--image", "/nonexistent/a.png", "--prompt", "x"), "does not exist"),
        (("sandbox", "--host", "0.0.0.0"), "loopback only"),
        (("sandbox", "--faults", "explode"), "fault 'explode' is unknown"),
    ],
)
def test_refusals_exit_2_and_name_the_problem(args, message):
    r = cli(*args)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_corrupt_image_and_file_as_out_dir_are_refused(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    r = cli("edit", "--image", str(bad), "--prompt", "x")
    assert r.returncode == 2 and "not a readable image" in r.stderr
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = cli("generate", "--prompt", "x", "--out", str(afile))
    assert r.returncode == 2 and "is a file, not a folder" in r.stderr


def test_generate_with_no_key_uses_the_embedded_sandbox(tmp_path):
    r = cli(
        "generate",
        "--prompt",
        "A fox at dusk",
        "--n",
        "2",
        "--size",
        "1536x1024",
        "--quality",
        "low",
        "--out",
        str(tmp_path / "out"),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert "offline sandbox" in r.stderr
    report = json.loads(r.stdout)
    assert report["request_id"].startswith("req_") and report["sandbox"] is True
    assert (
        report["usage"]["output_tokens"] == 2 * 158
        and report["billed_usd"]
        and report["quote"]["output_tokens"] == 316
    )
    files = [Path(f) for f in report["files"]]
    assert [f.name[-6:] for f in files] == ["01.png", "02.png"] and "a-fox-at-dusk" in files[0].name
    for f in files:
        assert Image.open(f).size == (1536, 1024)


def test_without_out_the_images_stay_in_the_library_and_their_paths_are_printed(tmp_path):
    work = tmp_path / "cwd"
    work.mkdir()
    r = cli("generate", "--prompt", "a fox", "--n", "2", *LOW, cwd=work)
    assert r.returncode == 0, r.stderr
    printed = [Path(line) for line in r.stdout.splitlines()]
    assert len(printed) == 2 and all(p.is_file() and p.with_suffix(".png.json").is_file() for p in printed)
    assert all(Path(os.environ["XDG_DATA_HOME"]) in p.parents for p in printed)  # the library, not the cwd
    assert list(work.iterdir()) == []
    report = json.loads(cli("generate", "--prompt", "b", *LOW, "--json", cwd=work).stdout)
    assert report["files"] == [] and len(report["library_files"]) == 1 and list(work.iterdir()) == []


def test_generate_against_a_served_sandbox_writes_bytes_untouched(tmp_path, served):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": SECRET}
    r = cli(
        "generate",
        "--prompt",
        "a lighthouse",
        *LOW,
        "--format",
        "webp",
        "--compression",
        "60",
        "--out",
        str(tmp_path),
        "--json",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    path = Path(json.loads(r.stdout)["files"][0])
    assert path.suffix == ".webp"

    import hashlib

    import httpx2

    log = httpx2.get(base.removesuffix("/v1") + "/_sandbox/requests").json()
    (sent,) = [r["images_sha256"] for r in log if r["path"] == "/v1/images/generations"]
    assert [hashlib.sha256(path.read_bytes()).hexdigest()] == sent  # the bytes saved are the bytes sent
    assert SECRET not in r.stdout + r.stderr


def test_failed_calls_exit_1_with_a_specific_message_and_no_key(tmp_path, served):
    base = served("--faults", "insufficient_quota,bad_key,moderation_input")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": SECRET}
    outputs = [cli("generate", "--prompt", "x", "--out", str(tmp_path), env=env) for _ in range(3)]
    assert [o.returncode for o in outputs] == [1, 1, 1]
    assert "out of credit" in outputs[0].stderr
    assert "API key was refused" in outputs[1].stderr
    assert "safety system (input stage)" in outputs[2].stderr and "request id req_" in outputs[2].stderr
    for o in outputs:
        assert SECRET not in o.stdout + o.stderr
    assert not list(tmp_path.glob("*.png"))


def test_edit_with_a_mask_of_another_size(tmp_path):
    src, mask = tmp_path / "src.png", tmp_path / "mask.png"
    Image.new("RGB", (1024, 1536), (20, 90, 160)).save(src)
    m = Image.new("RGBA", (256, 384), (0, 0, 0, 255))
    m.paste((0, 0, 0, 0), (0, 0, 128, 192))
    m.save(mask)
    r = cli(
        "edit",
        "--image",
        str(src),
        "--image",
        str(src),
        "--mask",
        str(mask),
        "--prompt",
        "a red kite",
        "--size",
        "1024x1536",
        "--quality",
        "low",
        "--out",
        str(tmp_path / "out"),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert "resampled to the image's 1024x1536" in r.stderr
    report = json.loads(r.stdout)
    assert report["usage"]["input_tokens_details"]["image_tokens"] > 0
    assert Image.open(report["files"][0]).size == (1024, 1536)


def _photo_and_mask(tmp_path: Path) -> tuple[Path, Path]:
    from PIL import ImageDraw

    from studio.sandbox import art

    src, mask = tmp_path / "src.png", tmp_path / "mask.png"
    art.render("a harbour", 0, 1024, 1024, transparent=False, salt="cli").convert("RGB").save(src)
    m = Image.new("RGBA", (1024, 1024), (0, 0, 0, 255))
    ImageDraw.Draw(m).ellipse((300, 300, 600, 600), fill=(0, 0, 0, 0))
    m.save(mask)
    return src, mask


@pytest.mark.parametrize("guard", [True, False])
def test_edit_reports_drift_and_writes_the_guarded_image(tmp_path, guard):
    from PIL import ImageChops

    src, mask = _photo_and_mask(tmp_path)
    args = [
        "edit",
        "--image",
        str(src),
        "--mask",
        str(mask),
        "--prompt",
        "a lighthouse",
        "--quality",
        "low",
        "--out",
        str(tmp_path / "out"),
        "--json",
    ] + ([] if guard else ["--no-guard"])
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert (
        0 < report["drift_outside_mask"] < 1
        and report["drift"][0]["worst"] > 10
        and report["guarded"] is guard
    )
    written = Image.open(report["files"][0]).convert("RGB")
    diff = ImageChops.difference(written, Image.open(src).convert("RGB")).crop(
        (0, 0, 250, 250)
    )  # far outside the mask
    worst = max(hi for _, hi in diff.getextrema())
    assert (worst <= 2) if guard else (worst > 2)


def test_edit_with_an_empty_mask_sends_nothing(tmp_path):
    src, _ = _photo_and_mask(tmp_path)
    empty = tmp_path / "empty.png"
    Image.new("RGBA", (64, 64), (0, 0, 0, 255)).save(empty)
    r = cli(
        "edit", "--image", str(src), "--mask", str(empty), "--prompt", "x", "--out", str(tmp_path / "out")
    )
    assert r.returncode == 2 and "is empty: no pixel is marked to edit" in r.stderr
    assert not (tmp_path / "out").exists()


def test_streaming_partial_images_are_reported(tmp_path):
    r = cli(
        "generate",
        "--prompt",
        "x",
        *LOW,
        "--partial-images",
        "2",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert "image 1: partial 2/2" in r.stderr and len(list(tmp_path.glob("*.png"))) == 1


def test_help_and_version():
    r = cli("--help")
    assert r.returncode == 0 and all(c in r.stdout for c in ("quote", "generate", "edit", "sandbox"))
    assert cli("--version").stdout.strip().startswith("asset-studio ")
    sub = cli("generate", "--help")
    assert all(
        o in sub.stdout
        for o in (
            "--model",
            "--size",
            "--quality",
            "--n",
            "--background",
            "--format",
            "--compression",
            "--moderation",
            "--out",
            "--json",
        )
    )


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from studio.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('openai','PIL','PySide6','uvicorn','starlette') if m in sys.modules))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert r.stdout.strip() == "[]"


def test_boards_and_export(tmp_path):
    r = cli(
        "generate",
        "--prompt",
        "a fox in snow",
        "--n",
        "3",
        *LOW,
        "--board",
        "Fox / story",
        "--out",
        str(tmp_path / "o"),
    )
    assert r.returncode == 0, r.stderr
    r = cli("boards", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["boards"][0] == {
        **json.loads(r.stdout)["boards"][0],
        "name": "Fox / story",
        "panels": 3,
    }
    r = cli(
        "export", "Fox / story", "--out", str(tmp_path / "exp"), "--formats", "png,gif,manifest", "--json"
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    folder = Path(report["folder"])
    assert folder.parent == tmp_path / "exp" and report["files"][:3] == [
        "01-panel.png",
        "02-panel.png",
        "03-panel.png",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(report["files"])
    r = cli("export", "Nobody's board", "--out", str(tmp_path / "exp2"))
    assert r.returncode == 2 and "does not exist" in r.stderr and not (tmp_path / "exp2").exists()
    r = cli("export", "Fox / story", "--out", str(tmp_path / "exp3"), "--formats", "png,mov")
    assert r.returncode == 2 and "formats mov" in r.stderr


def test_install_and_uninstall_desktop_entry(tmp_path):
    tools = tmp_path / "bin"  # stand-ins for the cache tools that record what they were given
    tools.mkdir()
    for name in ("update-desktop-database", "gtk-update-icon-cache"):
        (tools / name).write_text(
            f'#!/bin/sh\nenv > {tmp_path}/{name}.env\necho "$@" >> {tmp_path}/{name}.env\n'
        )
        (tools / name).chmod(0o755)
    env = {
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "PATH": f"{tools}:{os.environ['PATH']}",
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": "https://user:pw-secret-1@proxy.example/v1",
    }
    r = cli("--install-desktop-entry", env=env)
    assert r.returncode == 0, r.stderr
    for name in ("update-desktop-database", "gtk-update-icon-cache"):
        seen = (tmp_path / f"{name}.env").read_text()
        assert "-q" in seen and SECRET not in seen and "pw-secret-1" not in seen
    share = tmp_path / "share"
    desktop = share / "applications" / "io.github.assetstudio.AssetStudio.desktop"
    text = desktop.read_text()
    assert "Exec=" in text and "%F" in text and "Exec=asset-studio %F" not in text  # an absolute launcher
    for size in ("48x48", "128x128", "256x256", "scalable"):
        assert list((share / "icons" / "hicolor" / size / "apps").glob("io.github.assetstudio.AssetStudio.*"))
    assert (share / "metainfo" / "io.github.assetstudio.AssetStudio.metainfo.xml").exists()
    r = cli("--uninstall-desktop-entry", env=env)
    assert r.returncode == 0 and not desktop.exists()
