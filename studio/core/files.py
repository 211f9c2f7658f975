"""Writing a file so that it is either absent or complete, never half-written: a temp file beside it,
fsync, rename, fsync of the folder. The one writer for results, sidecars, the key file, desktop entries,
the sandbox's port file and exports."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path


def _umask() -> int:
    """The process umask, read without changing it where the OS tells (Linux); else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(
    path: Path, data: bytes | Sequence[bytes | memoryview], *, public: bool = False, mode: int | None = None
) -> None:
    """Write `data` (bytes, or parts written one after the other) so that `path` is either absent
    or complete, never half-written. Private (0600) by default, like the library; `public` files (copies
    for --out, exports, desktop entries) get the ordinary mode the umask gives; `mode` sets one exactly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".part", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        elif public:
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            for part in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                fh.write(part)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
