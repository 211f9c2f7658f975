"""Opening files from the file manager, and one studio per user."""

from __future__ import annotations

import uuid

from PIL import Image

from studio.ui.single_instance import InstanceServer, claim, hand_over

from .window_helpers import until


def test_a_second_launch_hands_its_files_to_the_first(qapp, qtbot):
    name = f"asset-studio-test-{uuid.uuid4().hex[:8]}"
    assert not hand_over(["/x.png"], name=name)  # nobody is listening: this launch becomes the instance
    first = InstanceServer(name)
    assert first.listen()
    with qtbot.waitSignal(first.files_received, timeout=3000) as got:
        assert hand_over(["/tmp/a.png", "/tmp/b.png"], name=name)
    assert got.args == [["/tmp/a.png", "/tmp/b.png"]]
    # after a crash the socket file stays behind; the next instance removes it and listens
    crashed_socket = first.server.fullServerName()
    first.server.close()
    open(crashed_socket, "w").close()
    second = InstanceServer(name)
    assert second.listen()
    with qtbot.waitSignal(second.files_received, timeout=3000):
        assert hand_over([], name=name)
    second.close()


def test_the_lock_decides_who_is_the_instance(qapp, qtbot):
    name = f"asset-studio-test-{uuid.uuid4().hex[:8]}"
    first = claim([], name=name)
    assert first is not None and first.lock.isLocked()
    with qtbot.waitSignal(first.files_received, timeout=3000) as got:
        assert claim(["/tmp/c.png"], name=name, wait_s=2) is None  # the lock is held: hand over, exit
    assert got.args == [["/tmp/c.png"]]
    first.close()
    again = claim([], name=name)  # released: the next launch is the instance
    assert again is not None
    again.close()


def test_a_lock_left_by_a_crash_is_taken_over(qapp):
    import os
    import subprocess
    import sys

    name = f"asset-studio-test-{uuid.uuid4().hex[:8]}"
    crash = (
        "import os; from PySide6.QtCore import QCoreApplication, QDir, QLockFile; app = "
        "QCoreApplication([]); "
        f"lock = QLockFile(os.path.join(QDir.tempPath(), '{name}.lock')); assert lock.tryLock(100); "
        "os._exit(9)"
    )
    r = subprocess.run([sys.executable, "-c", crash], timeout=60)
    assert r.returncode == 9  # died holding the lock: the file stays behind
    from PySide6.QtCore import QDir

    assert os.path.exists(os.path.join(QDir.tempPath(), f"{name}.lock"))
    server = claim([], name=name, wait_s=1)
    assert server is not None and server.lock.isLocked()
    server.close()


def test_opening_several_images_makes_a_board_and_one_opens_the_painter(studio, qloop, tmp_path):
    window = studio()
    paths = []
    for i, colour in enumerate([(200, 40, 40), (40, 200, 40)]):
        p = tmp_path / f"shot {i}.png"
        Image.new("RGB", (640, 360), colour).save(p)
        paths.append(str(p))
    (tmp_path / "notes.txt").write_text("not an image")
    window.open_files(paths + [str(tmp_path / "notes.txt")])
    assert "notes.txt" in window.message.text()
    until(
        qloop,
        lambda: (
            window.session.boards.board_name.startswith("Imported") and len(window.session.board.rows) == 2
        ),
    )
    assert all(r.path and r.width == 640 for r in window.session.board.rows)
    window.open_files(paths[:1])
    until(qloop, lambda: bool(window.painter_windows))
    assert window.painter_windows[-1].windowTitle() == "Mask Painter — shot 0.png"


def test_an_image_saved_during_a_reload_is_not_lost(studio, qloop):
    """A reload whose query ran before a result landed (by its event) must not drop that panel."""
    import asyncio

    window = studio()
    session = window.session
    gate, queried = asyncio.Event(), asyncio.Event()
    boards = session.studio.boards
    plain_panels = boards.panels

    async def gated_panels(board_id):  # the reload's query returns, then the GUI is slow to apply it
        result = await plain_panels(board_id)
        if not gate.is_set():
            queried.set()
            await gate.wait()
        return result

    boards.panels = gated_panels  # type: ignore[method-assign]

    async def scenario():
        reload = asyncio.ensure_future(session.boards.reload())
        await queried.wait()  # its query has run: the board was empty
        session.prompt.load({"prompt": "x", "size": "1024x1024", "quality": "low", "n": 1})
        await session.generator.generate()  # the result lands by its event while the reload is still pending
        assert [r.state for r in session.board.rows] == ["saved"]
        gate.set()
        await reload

    qloop.run_until_complete(scenario())
    assert [r.state for r in session.board.rows] == ["saved"] and len(session.boards.panel_rows) == 1
