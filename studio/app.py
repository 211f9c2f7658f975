"""Compose the GUI: QApplication, the qasync loop, the endpoint (or the embedded sandbox), the session, the
window."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from studio import APP_ID, APP_NAME, __version__

_STARTED = time.perf_counter()


def _parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="asset-studio", add_help=False)
    p.add_argument(
        "--smoke",
        action="store_true",
        help="self-test: open the window, run one sandbox generation in a throwaway library, print what "
        "works, exit",
    )
    p.add_argument("files", nargs="*")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(list(argv or []))
    from studio.service.memory import tune_process

    tune_process()  # process-wide: the allocator and the GIL switch interval (service/memory.py)
    import PySide6  # noqa: F401  (import the binding before qasync so it picks PySide6)
    import qasync
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setDesktopFileName(APP_ID)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName("asset-studio-smoke" if args.smoke else "asset-studio")
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)
    files = [str(Path(f).resolve()) for f in args.files]
    server = None
    if not args.smoke:
        from studio.service.paths import data_dir
        from studio.ui.single_instance import claim, server_name

        # one studio per user and library: a running one takes the files
        server = claim(files, name=server_name(str(data_dir())))
        if server is None:
            print("Asset Studio is already running: handed over to it.", file=sys.stderr)
            return 0
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(_run(app, smoke=args.smoke, files=files, server=server))


async def _tell(text: str) -> None:
    """A modal message without exec() (never nested loops under qasync): wait until it is closed."""
    from PySide6.QtWidgets import QMessageBox

    done = asyncio.Event()
    box = QMessageBox(QMessageBox.Icon.Critical, "Asset Studio", text)
    box.finished.connect(lambda _: done.set())
    box.open()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":  # nobody to click it (tests, CI)
        box.close()
    await done.wait()


async def _library_settings():
    """The library's settings; a base URL an older version kept in QSettings moves into the library once."""
    from PySide6.QtCore import QSettings

    from studio.service.api import Studio
    from studio.state.key_setup import LEGACY_BASE_URL_KEY

    studio, _ = await Studio.open_library(reconcile=False)  # the session reconciles when it opens
    try:
        settings = await studio.settings.load()
        legacy = str(QSettings().value(LEGACY_BASE_URL_KEY, "", str) or "").strip()
        if legacy and not settings.base_url:
            try:
                settings = await studio.settings.update(base_url=legacy)
            except Exception:  # noqa: BLE001 (an unusable old value is dropped, not carried over)
                pass
        if legacy:
            QSettings().remove(LEGACY_BASE_URL_KEY)
        return settings
    finally:
        await studio.close()


async def _run(app, *, smoke: bool, files: list[str] | None = None, server=None) -> int:
    from studio.core.errors import RefusedError
    from studio.service.api import LibraryUnavailable, UserSettings
    from studio.service.endpoint import NO_KEY, Endpoint, resolve_endpoint
    from studio.service.keys import take_env_key
    from studio.service.paths import data_dir
    from studio.state.session import Session
    from studio.ui.main_window import MainWindow

    env_key = take_env_key()  # child processes never inherit it
    try:  # the settings the command line reads too (the base URL above all), from the library
        settings = UserSettings() if smoke else await _library_settings()
    except LibraryUnavailable as exc:  # a message before any window, not a crash
        print(f"asset-studio: error: {exc}", file=sys.stderr)
        await _tell(str(exc))
        return 1
    from studio.ui.theme import apply_theme

    apply_theme(app, settings.theme)  # before any window: dark unless the user or the OS says light
    # the smoke test always talks to the embedded sandbox, in a throwaway library
    bad_endpoint = None
    try:  # the keyring may block: off the GUI thread
        endpoint = (
            None
            if smoke
            else await asyncio.to_thread(
                resolve_endpoint, env_key, dict(os.environ), saved_base_url=settings.base_url
            )
        )
    except RefusedError as exc:  # a base URL that is not a URL: nothing is sent anywhere until it is fixed
        endpoint, bad_endpoint = (
            None,
            f"{exc}. The offline sandbox is used until it is fixed (Settings, or the variable).",
        )
    sandbox = None
    if endpoint is None:
        from studio.sandbox.app import SandboxConfig
        from studio.sandbox.server import EmbeddedSandbox

        config = SandboxConfig(batch_seconds=20.0)  # a batch takes long enough to watch it fill in
        sandbox = await asyncio.to_thread(lambda: EmbeddedSandbox(config).start())
        endpoint = Endpoint(sandbox.base_url, NO_KEY, is_sandbox=True)
    root = None
    if smoke:
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="asset-studio-smoke-"))
    try:
        session = await Session.open(endpoint, root=root)
    except LibraryUnavailable as exc:  # a message before any window, not a crash
        print(f"asset-studio: error: {exc}", file=sys.stderr)
        if sandbox is not None:
            await asyncio.to_thread(sandbox.stop)
        await _tell(str(exc))
        return 1
    closed = asyncio.Event()
    window = MainWindow(session, data_folder=str(root or data_dir()))
    window.closed.connect(closed.set)
    window.show()
    if bad_endpoint or settings.problems:
        window.show_error(" ".join(filter(None, [bad_endpoint, *settings.problems])))
    if server is not None:
        server.files_received.connect(window.open_files)
    if not smoke and not settings.welcome:
        window.show_welcome()
    if files:
        window.open_files(files)

    # load the SDK in the background now, so the first Generate does not wait for it; then take what is
    # alive out of the garbage collector's full scans (they stalled scrolling 30-70 ms: bench/scale.py)
    async def warm_up_and_freeze() -> None:
        from studio.service.memory import freeze_heap

        await session.service.warm_up()
        freeze_heap()

    warm_up = session.tasks.start(warm_up_and_freeze(), "Loading the OpenAI SDK")
    try:
        if smoke:
            await _smoke(app, window, session, endpoint)
            window.close()
        await closed.wait()
    finally:
        await asyncio.gather(warm_up, return_exceptions=True)
        await session.shutdown()
        if server is not None:
            server.close()
        if sandbox is not None:
            await asyncio.to_thread(sandbox.stop)
        if root is not None:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
    return 0


async def _smoke(app, window, session, endpoint) -> None:
    """What a bundle needs to prove it works: the window, a generation through the real service and
    SDK, the image formats Qt can read, and the keyring (a throwaway entry, never the API key)."""
    from PySide6.QtGui import QImageReader

    await asyncio.sleep(0.05)
    t0 = os.environ.get("ASSET_STUDIO_LAUNCH_T0")  # set by bench/ui_stall.py: wall clock at launch
    shown = time.time() - float(t0) if t0 else time.perf_counter() - _STARTED
    print(
        f"platform={app.platformName()} title={window.windowTitle()!r} sandbox={endpoint.is_sandbox} "
        f"visible_after_s={shown:.3f}",
        flush=True,
    )
    session.prompt.load({"prompt": "smoke test", "size": "1024x1024", "quality": "low", "n": 1})
    task = session.generator.generate()
    if task is not None:
        await task
    rows = [r for r in session.board.rows if not r.pending and r.path]
    formats = sorted(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
    print(f"generation={'ok' if rows else 'FAILED'} panels={len(rows)}", flush=True)
    print("image_formats=" + ",".join(formats), flush=True)
    print(await asyncio.to_thread(_keyring_roundtrip), flush=True)
    if not rows:
        raise SystemExit("smoke test: the sandbox generation did not produce a panel")


def _keyring_roundtrip() -> str:
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    try:
        keyring.set_password("asset-studio-smoke", "roundtrip", "smoke-value")
        ok = keyring.get_password("asset-studio-smoke", "roundtrip") == "smoke-value"
        keyring.delete_password("asset-studio-smoke", "roundtrip")
        return f"keyring={name} roundtrip={'ok' if ok else 'MISMATCH'}"
    except Exception as exc:  # no usable backend here: say which and why
        return f"keyring={name} roundtrip=unavailable ({type(exc).__name__})"
