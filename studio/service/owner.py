"""Which process owns a job, and whether that process is still alive (pid reuse included)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


def _start_time(pid: int) -> str:
    """The kernel's start time of a process (Linux /proc), or '' where unavailable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # the command name (field 2) may hold spaces and parentheses: split after its closing ')'
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


@dataclass(frozen=True)
class Owner:
    pid: int
    start: str
    host: str

    @classmethod
    def current(cls) -> Owner:
        pid = os.getpid()
        return cls(pid, _start_time(pid), socket.gethostname())

    def is_alive(self) -> bool:
        if self.host != socket.gethostname():
            return True  # another machine's job (shared folder): never ours to reconcile
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # exists, owned by someone else
        start = _start_time(self.pid)
        return not (self.start and start and start != self.start)  # a reused pid is another process
