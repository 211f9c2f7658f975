"""Test isolation and shared fixtures.

No test touches the user's real config, library or keyring: every test gets temporary XDG
folders, no OpenAI credentials from the environment, and an in-memory keyring backend.
No test depends on the real date: the app's clock is pinned to TEST_NOW (child processes get it
through ASSET_STUDIO_CLOCK); a test that needs another day pins its own.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from studio.core import clock
from studio.core.registry import load_registry

TEST_NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch):
    """The app's clock stands at TEST_NOW, in this process and in every child the test starts."""
    fixed = clock.FixedClock(TEST_NOW)
    previous = clock.use(fixed)
    monkeypatch.setenv(clock.ENV, TEST_NOW.isoformat())
    yield fixed
    clock.use(previous)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Temp XDG dirs and HOME, no OpenAI env, in-memory keyring."""
    home = tmp_path / "home"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        d = home / name.lower()
        d.mkdir(parents=True)
        monkeypatch.setenv(name, str(d))
    monkeypatch.setenv("HOME", str(home))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    # child processes (CLI tests) get no keyring at all unless a test gives them tests.file_keyring
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path):
    """Each test's QSettings (window geometry, layout) in its own folder: Qt caches the settings path at
    first use, so without this every test would share one file under the real HOME of the first."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qsettings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture
def sandbox():
    from studio.sandbox.server import EmbeddedSandbox

    with EmbeddedSandbox() as sb:
        yield sb


@pytest.fixture
def client(sandbox, run):
    """The real SDK, over real HTTP, to the sandbox on loopback (closed after the test)."""
    from openai import AsyncOpenAI

    sdk = AsyncOpenAI(base_url=sandbox.base_url, api_key="test-key-not-secret", max_retries=0, timeout=60)
    yield sdk
    run(sdk.close())


@pytest.fixture
def sync_client(sandbox):
    """The SDK's sync client (what the service calls with, on worker threads), to the sandbox."""
    from openai import OpenAI

    sdk = OpenAI(base_url=sandbox.base_url, api_key="test-key-not-secret", max_retries=0, timeout=60)
    yield sdk
    sdk.close()


@pytest.fixture
def run():
    """Run coroutines to completion on one event loop per test (SDK clients are bound to it)."""
    loop = asyncio.new_event_loop()

    def runner(coro):
        return loop.run_until_complete(coro)

    yield runner
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


@pytest.fixture
def png_file():
    """Make an ImageFile of a given size (optionally with alpha)."""
    import io

    from PIL import Image

    from studio.core.images import inspect_image

    def make(
        width: int,
        height: int,
        *,
        mode: str = "RGB",
        colour=(90, 140, 200),
        name: str = "source.png",
        fmt: str = "PNG",
    ):
        buf = io.BytesIO()
        Image.new(mode, (width, height), colour if mode != "RGBA" else (*colour, 255)).save(buf, fmt)
        return inspect_image(buf.getvalue(), name)

    return make


@pytest.fixture
def service_factory(sandbox, tmp_path, run):
    """Open an ImageService on a temp library against the sandbox (as a 'real', paced endpoint)."""
    from studio.service.endpoint import Endpoint
    from studio.service.retry import RetryPolicy
    from studio.service.runner import ImageService

    opened = []

    def make(*, timeout=None, policy=None, is_sandbox=False, **kwargs):
        endpoint = Endpoint(sandbox.base_url, "test-key-not-secret", is_sandbox=is_sandbox)
        fast = policy or RetryPolicy(backoff_base=0.05, server_base=0.05)
        kwargs.setdefault("tier", 5)  # tests that study pacing ask for a tier and a short minute
        service = run(
            ImageService.open(endpoint, root=tmp_path / "library", policy=fast, timeout=timeout, **kwargs)
        )
        opened.append(service)
        return service

    yield make
    for service in opened:
        run(service.close())


@pytest.fixture
def served(tmp_path):
    """`asset-studio sandbox` as its own process; yields a function to start it with options."""
    procs = []

    def start(*extra: str) -> str:
        port_file = tmp_path / f"port-{len(procs)}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "studio", "sandbox", "--port", "0", "--port-file", str(port_file), *extra],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        deadline = time.monotonic() + 20
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"sandbox did not start: {proc.stderr.read() if proc.poll() is not None else 'timeout'}"
                )
            time.sleep(0.05)
        return f"http://127.0.0.1:{int(port_file.read_text())}/v1"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def qloop(qapp):
    """An asyncio loop on Qt's event loop (qasync): tests call loop.run_until_complete.

    In the app the loop runs for the whole session. In a test, Qt also processes events between
    run_until_complete calls (showing a window, a simulated click), and qasync then steps tasks
    with no running loop set, which binds asyncio queues to no loop. So, as in the app, the loop
    counts as running for the whole test."""
    import qasync

    class AlwaysRunning(qasync.QEventLoop):
        def run_forever(self):
            try:
                return super().run_forever()
            finally:
                asyncio.events._set_running_loop(self)

    loop = AlwaysRunning(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def studio(qloop, qtbot, sandbox, tmp_path):
    """Open studio windows on sessions against the sandbox; a function, so a test can 'restart the app'."""
    from .window_helpers import studio_windows

    yield from studio_windows(qloop, qtbot, sandbox, tmp_path)
