"""`asset-studio --install-desktop-entry` / `--uninstall-desktop-entry`: the menu entry, icons and
AppStream metainfo for the current user (what a pip/pipx install lacks), under $XDG_DATA_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from studio import APP_ID
from studio.core.files import atomic_write
from studio.core.resources import desktop_path


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _launcher() -> str:
    """The absolute command that starts this installation (the bundle's binary, or pip's script)."""
    if getattr(sys, "frozen", False):
        return sys.executable
    found = shutil.which("asset-studio")
    if found:
        return str(Path(found).resolve())
    return f"{sys.executable} -m studio"


def _targets(share: Path) -> list[tuple[Path, Path]]:
    pairs = [
        (desktop_path(f"{APP_ID}.desktop"), share / "applications" / f"{APP_ID}.desktop"),
        (desktop_path(f"{APP_ID}.metainfo.xml"), share / "metainfo" / f"{APP_ID}.metainfo.xml"),
        (
            desktop_path(f"icons/{APP_ID}.svg"),
            share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        ),
    ]
    icons = desktop_path(f"icons/{APP_ID}.svg").parent
    for png in sorted(icons.glob(f"*/{APP_ID}.png")):  # one folder per size, e.g. 48x48/
        pairs.append((png, share / "icons" / "hicolor" / png.parent.name / "apps" / png.name))
    return pairs


def _refresh_caches(share: Path) -> None:
    from studio.core.redact import child_environment

    env = child_environment(dict(os.environ))  # the cache tools never see the key
    for tool, arg in (
        ("update-desktop-database", share / "applications"),
        ("gtk-update-icon-cache", share / "icons" / "hicolor"),
    ):
        if shutil.which(tool):
            subprocess.run(
                [tool, "-q", str(arg)] if tool == "update-desktop-database" else [tool, "-q", "-t", str(arg)],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )


def install() -> int:
    share = _data_home()
    launcher = _launcher()
    for source, target in _targets(share):
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".desktop":
            text = source.read_text(encoding="utf-8")
            quoted = launcher if " " not in launcher or launcher.endswith("-m studio") else f'"{launcher}"'
            text = text.replace("Exec=asset-studio %F", f"Exec={quoted} %F")
            text = text.replace("TryExec=asset-studio\n", f"TryExec={launcher.split(' ')[0]}\n")
            atomic_write(target, text.encode("utf-8"), public=True)
        else:
            shutil.copyfile(source, target)
        print(target)
    _refresh_caches(share)
    print(f"Asset Studio is in your applications menu (it runs {launcher}).", file=sys.stderr)
    return 0


def uninstall() -> int:
    share = _data_home()
    for _, target in _targets(share):
        if target.exists():
            target.unlink()
            print(target)
    _refresh_caches(share)
    return 0
