"""Large result buffers are freed off the event loop's thread."""

from __future__ import annotations

import asyncio
import threading

from studio.service.memory import release_off_loop

from .window_helpers import generate_panels, until


class _Tracked:
    """Stands for a received image: records the thread on which it is freed."""

    freed: list[threading.Thread] = []

    def __del__(self) -> None:
        _Tracked.freed.append(threading.current_thread())


def test_release_off_loop_frees_every_item_on_a_worker_thread():
    _Tracked.freed.clear()
    lists = [[_Tracked(), _Tracked()], [], [_Tracked()]]

    async def run() -> threading.Thread:
        await release_off_loop(lists)
        return threading.current_thread()

    loop_thread = asyncio.run(run())
    assert len(_Tracked.freed) == 3
    assert all(t is not loop_thread for t in _Tracked.freed)
    assert lists == [[], [], []]


def test_a_generation_releases_its_received_bytes_off_the_gui_thread(studio, qloop, monkeypatch):
    import studio.state.generation as session_mod

    real, seen = session_mod.release_off_loop, []

    async def recording(buffers):
        lists = list(buffers)
        seen.append([[bytes(b[:8]) for b in items] for items in lists])
        await real(lists)
        seen.append([len(items) for items in lists])

    monkeypatch.setattr(session_mod, "release_off_loop", recording)
    window = studio()
    generate_panels(window, qloop, n=2)
    until(qloop, lambda: len(seen) == 2)
    assert seen[0] == [[b"\x89PNG\r\n\x1a\n"] * 2]  # the images as received, handed over...
    assert seen[1] == [0]  # ...and gone once the call is saved
