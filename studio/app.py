"""Compose the GUI: QApplication, the qasync loop, the endpoint (or the embedded sandbox), the window."""

from __future__ import annotations

import argparse
import asyncio
import sys

from studio import APP_ID, APP_NAME, __version__


def _parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="asset-studio", add_help=False)
    p.add_argument("--smoke", action="store_true", help="start, show the window, run the event loop once, exit 0")
    p.add_argument("files", nargs="*")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(list(argv or []))
    import PySide6  # noqa: F401  (import the binding before qasync so it picks PySide6)
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication
    import qasync

    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(_run(app, smoke=args.smoke))


async def _run(app, *, smoke: bool) -> int:
    from studio.service.endpoint import resolve_endpoint
    from studio.service.keys import take_env_key
    from studio.ui.main_window import MainWindow

    env_key = take_env_key()  # child processes never inherit it
    endpoint = await asyncio.to_thread(resolve_endpoint, env_key)  # the keyring may block (D-Bus)
    sandbox = None
    if endpoint is None:
        from studio.sandbox.server import EmbeddedSandbox

        sandbox = await asyncio.to_thread(lambda: EmbeddedSandbox().start())
        label, is_sandbox = "the offline sandbox", True
    else:
        label, is_sandbox = endpoint.base_url, False
    closed = asyncio.Event()
    window = MainWindow(endpoint_label=label, sandbox=is_sandbox)
    window.closed.connect(closed.set)
    window.show()
    try:
        if smoke:
            await asyncio.sleep(0.05)
            print(f"platform={app.platformName()} title={window.windowTitle()!r} sandbox={is_sandbox}")
            window.close()
        await closed.wait()
    finally:
        if sandbox is not None:
            await asyncio.to_thread(sandbox.stop)
    return 0
