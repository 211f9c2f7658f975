"""Run the sandbox with uvicorn on loopback: in the foreground (CLI) or in a thread (app, tests)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from pathlib import Path

import uvicorn

from studio.core.files import atomic_write

from .answers import HangUp
from .app import SandboxConfig, create_app


class SandboxHostError(ValueError):
    pass


class _QuietDrops(logging.Filter):
    """The 'drop' fault leaves responses incomplete on purpose; don't report that as a server bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is HangUp:
            return False
        return "without completing response" not in record.getMessage()


def check_loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise SandboxHostError(f"--host {host}: the sandbox binds to loopback only (127.0.0.1, ::1 or localhost)")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _server(app, log_level: str) -> uvicorn.Server:
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        log_config=None,
    )
    return uvicorn.Server(config)


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


class EmbeddedSandbox:
    """The sandbox in a background thread: `with EmbeddedSandbox() as sb:
    AsyncOpenAI(base_url=sb.base_url)`."""

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0):
        self.config = config or SandboxConfig()
        self.host = check_loopback(host)
        self.app = create_app(self.config)
        self.sandbox = self.app.state.sandbox
        self._sock = _bind(self.host, port)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = base_url_for(self.host, self.port)
        self._server = _server(self.app, "error")
        self._thread: threading.Thread | None = None

    def start(self) -> EmbeddedSandbox:
        started = threading.Event()

        def run() -> None:
            async def main() -> None:
                task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
                while not self._server.started and not task.done():
                    await asyncio.sleep(0.01)
                started.set()
                await task

            asyncio.run(main())
            started.set()

        self._thread = threading.Thread(target=run, name="asset-studio-sandbox", daemon=True)
        self._thread.start()
        started.wait(10)
        if not self._server.started:
            raise RuntimeError("the sandbox did not start")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread:
            self._thread.join(5)
        self.sandbox.pool.shutdown(wait=False, cancel_futures=True)
        self.sandbox.files.close()

    def __enter__(self) -> EmbeddedSandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(
    config: SandboxConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    port_file: str | None = None,
    on_ready=None,
) -> None:
    """Serve in the foreground until interrupted (the `asset-studio sandbox` command)."""
    host = check_loopback(host)
    app = create_app(config)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    server = _server(app, "warning")

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            if port_file:
                atomic_write(Path(port_file), f"{bound}\n".encode(), public=True)
            if on_ready:
                on_ready(base_url_for(host, bound))
        await task

    asyncio.run(main())
