"""The PyInstaller bundle (packaging/build). CI builds it and runs these with ASSET_STUDIO_BUNDLE set;
elsewhere they are skipped (building takes minutes)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .test_cli import LOW

BUNDLE = os.environ.get("ASSET_STUDIO_BUNDLE")
pytestmark = pytest.mark.skipif(
    not BUNDLE, reason="set ASSET_STUDIO_BUNDLE=dist/asset-studio (made by packaging/build)"
)


def _files() -> list[str]:
    root = Path(BUNDLE)
    return [str(p.relative_to(root)) for p in root.rglob("*")]


def test_bundle_has_no_webengine_no_qml_no_tests():
    files = _files()
    assert files, "empty bundle"
    assert not [f for f in files if "WebEngine" in f or "webengine" in f]
    assert not [f for f in files if "/qml/" in f or f.endswith("/qml") or "Qt6Qml" in f or "Qt6Quick" in f]
    assert not [f for f in files if "/tests/" in f or f.startswith("tests") or "pytest" in f]
    assert any(f.endswith("studio/resources/models.toml") for f in files)
    assert any(f.endswith("studio/resources/fonts/Vera.ttf") for f in files)
    assert any("libpython3" in f for f in files)  # its own Python: none is needed beside it


def test_bundle_runs_without_python_on_path(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/nonexistent", "LANG": "C.UTF-8"}
    r = subprocess.run(
        [str(Path(BUNDLE) / "asset-studio"), "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0 and r.stdout.startswith("asset-studio ")
    r = subprocess.run(
        [str(Path(BUNDLE) / "asset-studio"), "quote", *LOW, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0 and '"output_tokens"' in r.stdout


def test_the_bundle_exports_an_mp4_animatic(tmp_path):
    """PyAV's FFmpeg travels in the bundle: a sandbox board exports as H.264 video."""
    env = {
        "HOME": str(tmp_path),
        "PATH": "/nonexistent",
        "LANG": "C.UTF-8",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    exe = str(Path(BUNDLE) / "asset-studio")
    r = subprocess.run(
        [exe, "generate", "--prompt", "a kite", "--n", "2", *LOW, "--board", "Kites"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [exe, "export", "Kites", "--out", str(tmp_path / "out"), "--formats", "mp4"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    (video,) = (tmp_path / "out").glob("*/animatic.mp4")
    assert video.read_bytes()[4:8] == b"ftyp" and video.stat().st_size > 1000
