"""One running studio per user: a second launch hands its files to the first window and exits.

The first instance listens on a per-user QLocalServer name; a later launch connects, sends its
arguments as JSON and quits. A socket file left behind by a crash is removed before listening
(on Unix, `listen` would otherwise fail with AddressInUseError)."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from studio import APP_ID


def server_name() -> str:
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return f"{APP_ID}-{uid}"


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


class InstanceServer(QObject):
    files_received = Signal(list)

    def __init__(self, name: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict = {}

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
        socket = self.sender()
        if socket in self._buffers:
            self._buffers[socket].extend(bytes(socket.readAll()))

    def _finished(self) -> None:
        socket = self.sender()
        data = self._buffers.pop(socket, bytearray())
        data.extend(bytes(socket.readAll()))
        try:
            files = json.loads(bytes(data).decode("utf-8")).get("files", [])
        except (ValueError, AttributeError):
            files = []
        self.files_received.emit([str(f) for f in files if isinstance(f, str)])

    def close(self) -> None:
        self.server.close()
