"""Write results to disk atomically, byte-for-byte as received: temp file, fsync, rename."""

from __future__ import annotations

from pathlib import Path

from studio.core import clock
from studio.core.files import atomic_write
from studio.core.names import EXTENSIONS, slugify

from .paths import recovered_dir


def result_paths(
    out_dir: Path, prompt: str, output_format: str, count: int, *, stamp: str | None = None
) -> list[Path]:
    """`20261121-224501-a-fox-at-dusk-01.png` ... in panel order; never overwrites an existing file."""
    stamp = stamp or clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
    ext = EXTENSIONS.get(output_format, "bin")
    base = f"{stamp}-{slugify(prompt)}"
    suffix = ""
    attempt = 1
    while True:
        paths = [out_dir / f"{base}{suffix}-{i + 1:02d}.{ext}" for i in range(count)]
        if not any(p.exists() for p in paths):
            return paths
        attempt += 1
        suffix = f"-{attempt}"


def save_images(out_dir: Path, prompt: str, output_format: str, images: list[bytes]) -> list[Path]:
    paths = result_paths(out_dir, prompt, output_format, len(images))
    for path, data in zip(paths, images):
        atomic_write(path, data, public=True)
    return paths


def save_with_fallback(
    out_dir: Path, prompt: str, output_format: str, images: list[bytes]
) -> tuple[list[Path], str | None]:
    """Save where asked; if that fails (full disk, permissions), save to the app's recovery folder
    instead so a paid result is never dropped. Returns the paths and the first failure, if any."""
    try:
        return save_images(out_dir, prompt, output_format, images), None
    except OSError as exc:
        problem = f"could not write to {out_dir}: {exc.strerror or exc}"
    return save_images(recovered_dir(), prompt, output_format, images), problem


LEFTOVER_AGE_S = 15 * 60  # a write in progress (this or another process) finishes in seconds


def clean_leftovers(root: Path, *, now: float | None = None) -> list[Path]:
    """Remove `.part` files that a killed process left in the library (an atomic write's temp file is never
    a result: the result is only ever the renamed file). Young ones are left alone: another process may be
    writing them right now. Returns what was removed."""
    import time

    now = time.time() if now is None else now
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for path in root.rglob(".*.part"):
        try:
            if path.is_file() and now - path.stat().st_mtime > LEFTOVER_AGE_S:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
