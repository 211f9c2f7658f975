"""One running studio per user: a second launch hands its files to the first window and exits.

A per-user QLockFile decides who is the instance (no race between two launches: the lock file holds the
owner's PID, and a lock left by a crashed process is taken over). The instance listens on a per-user
QLocalServer name; a later launch connects, sends its arguments as JSON and quits. A socket file left
behind by a crash is removed before listening (on Unix, `listen` would otherwise fail)."""

from __future__ import annotations

import json
import os
import time
from typing import Any, cast

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from studio import APP_ID


def server_name(library: str | None = None) -> str:
    """Per user, and per library folder when given: a studio on another library (a test's, a second
    profile's) is another instance, not a window to hand files to."""
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    if library is None:
        return f"{APP_ID}-{uid}"
    import hashlib

    return f"{APP_ID}-{uid}-{hashlib.sha256(library.encode()).hexdigest()[:10]}"


def hand_over(files: list[str], *, name: str | None = None, timeout_ms: int = 500) -> bool:
    """True if a running instance took the files (this process should exit)."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"files": files}).encode("utf-8"))
    ok = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return ok


def claim(files: list[str], *, name: str | None = None, wait_s: float = 5.0) -> InstanceServer | None:
    """Become the instance (the listening server is returned) or hand `files` to the running one (None:
    this process should exit). A holder still starting up gets `wait_s` to begin listening."""
    name = name or server_name()
    lock = QLockFile(os.path.join(QDir.tempPath(), f"{name}.lock"))
    lock.setStaleLockTime(0)  # never stale by age; a lock whose process is gone is taken over
    if not lock.tryLock(100):
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if hand_over(files, name=name):
                return None
            time.sleep(0.2)
        # the holder never answered: run anyway rather than leave the user with nothing
    server = InstanceServer(name)
    server.lock = lock
    server.listen()
    return server


class InstanceServer(QObject):
    files_received = Signal(list)

    def __init__(self, name: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict = {}
        self.lock: Any = None  # the lock file held while this instance runs (claim())

    def listen(self) -> bool:
        QLocalServer.removeServer(self.name)  # a stale socket from a crash
        return self.server.listen(self.name)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()  # owned by the server (freed with it)
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(self._finished)

    def _read(self) -> None:
        socket = cast(QLocalSocket, self.sender())
        if socket in self._buffers:
            self._buffers[socket].extend(bytes(socket.readAll()))

    def _finished(self) -> None:
        socket = cast(QLocalSocket, self.sender())
        data = self._buffers.pop(socket, bytearray())
        data.extend(bytes(socket.readAll()))
        try:
            files = json.loads(bytes(data).decode("utf-8")).get("files", [])
        except (ValueError, AttributeError):
            files = []
        self.files_received.emit([str(f) for f in files if isinstance(f, str)])

    def close(self) -> None:
        self.server.close()
        lock = getattr(self, "lock", None)
        if lock is not None and lock.isLocked():
            lock.unlock()
