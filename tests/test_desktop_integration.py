"""Opening files from the file manager, and one studio per user."""

from __future__ import annotations

import uuid

from PIL import Image

from studio.ui.single_instance import InstanceServer, hand_over

from .test_app_window import studio, until  # noqa: F401  (the window fixture)


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
    until(qloop, lambda: window.session.board_name.startswith("Imported") and len(window.session.board.rows) == 2)
    assert all(r.path and r.width == 640 for r in window.session.board.rows)
    window.open_files(paths[:1])
    until(qloop, lambda: bool(window.painter_windows))
    assert window.painter_windows[-1].windowTitle() == "Mask Painter — shot 0.png"
