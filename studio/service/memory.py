"""Keep large transient buffers out of the long-lived heap (glibc).

An n=10 4K answer passes ~450 MB through large allocations. glibc's dynamic mmap threshold grows
after the first large free, so later 1-30 MB buffers land in the heap, and the process keeps that
memory after the images are saved. Fixing the threshold at 1 MB sends every large buffer to its own
mapping, returned to the OS the moment it is freed, with no malloc_trim (which locks the allocator
and would stall the GUI thread). Results that are saved are then dropped on a worker thread
(release_off_loop), not on the event loop's."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import sys
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

M_MMAP_THRESHOLD = -3
THRESHOLD = 1 << 20


@lru_cache(maxsize=1)
def tune_allocator() -> bool:
    """Fix glibc's mmap threshold (once per process). False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False


def tune_process() -> None:
    """Process-wide tuning for a window that must never stall (called by app.py and the benchmarks, never by
    a library object): large buffers go back to the OS when freed, and worker threads (decoding, saving)
    hand the GIL back to the GUI thread after 2 ms, not 5."""
    tune_allocator()
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.002))


def freeze_heap() -> None:
    """Once the window is up and the SDK loaded: move every object alive now out of the garbage collector's
    reach (gc.freeze). A full collection then scans only what was made since; before, one scanned the
    whole of Qt's, the SDK's and the board's objects and stalled the GUI thread 30-70 ms while a 200-panel
    board scrolled (bench/scale.py)."""
    import gc

    gc.collect()
    gc.freeze()


def background_priority(nice: int = 5) -> bool:
    """Lower the calling thread's CPU priority (Linux: per-thread nice), so that on a busy machine the
    GUI thread is scheduled first. Only ever lowers: no privileges needed. False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import os
    import threading

    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), nice))
        return True
    except (OSError, AttributeError):
        return False


async def release_off_loop(buffers: Iterable[list[Any]]) -> None:
    """Empty these lists on a worker thread, one item at a time, so that the large bytes they hold (the
    last references to received images) are freed there. Freeing ten 4K results unmaps ~200 MB:
    10-14 ms of kernel time measured here, done while holding the GIL — on the event loop's thread, or
    in one go on any thread, that would be a stall of the window; one image at a time holds it ~1 ms."""
    lists = [b for b in buffers if b]

    def drop() -> None:
        for items in lists:
            while items:
                items.pop()  # the last reference: freed here
                time.sleep(0)  # let the GUI thread take the GIL between two images

    if lists:
        await asyncio.to_thread(drop)
