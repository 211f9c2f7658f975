"""Thumbnails decoded at display size off the GUI thread (QImageReader.setScaledSize releases the GIL).

Only small QImages are kept, in an LRU bounded in bytes (Settings ▸ Thumbnail memory): scrolling a board
of thousands of panels evicts the ones least recently shown, and a panel scrolled back into view is
decoded again. Full-size images are decoded on demand by the viewer. QPixmaps are made on the GUI thread
by the views."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from studio.service.memory import background_priority

from .vector import render_svg

THUMB = 256
DEFAULT_BUDGET_MB = 64  # ~250 thumbnails of 256 px in RGBA: several screens of a dense grid


def load_scaled(path: str, edge: int = THUMB) -> QImage:
    if path.lower().endswith(".svg"):  # vectors are drawn from a sanitized copy, crisply at this size
        return render_svg(path, edge)
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > edge or size.height() > edge):
        reader.setScaledSize(size.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return image


class ThumbnailCache(QObject):
    ready = Signal(list)  # paths whose thumbnails arrived (batched: one signal per few ms, not one per image)
    BATCH_S = 0.008

    def __init__(
        self, parent: QObject | None = None, edge: int = THUMB, budget_bytes: int = DEFAULT_BUDGET_MB << 20
    ):
        super().__init__(parent)
        self.edge = edge
        self.budget_bytes = budget_bytes
        self.bytes = 0  # what the kept thumbnails hold
        self._images: OrderedDict[str, QImage] = OrderedDict()  # least recently shown first
        self._loading: set[str] = set()
        self._arrivals: list[str] = []
        self._flush: asyncio.TimerHandle | None = None
        self._stopped = False
        # one decoder thread: a 4K PNG costs ~0.2 s of CPU, and the GUI thread keeps the other core
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="asset-studio-thumbs", initializer=background_priority
        )

    def get(self, path: str | None) -> QImage | None:
        if not path:
            return None
        image = self._images.get(path)
        if image is not None:
            self._images.move_to_end(path)
        elif path not in self._loading and not self._stopped:
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # no running loop (a synchronous test): decode here
                image = load_scaled(path, self.edge)
                self._keep(path, image)
                return image
            self._loading.add(path)
            loop = asyncio.get_running_loop()
            future = self._pool.submit(
                load_scaled, path, self.edge
            )  # no task per image: a scroll asks for dozens

            def arrived(f: Any, p: str = path) -> None:  # on the decoding thread: hand it to the loop
                if not loop.is_closed():
                    loop.call_soon_threadsafe(self._arrived, p, f)

            future.add_done_callback(arrived)
        return image

    def _arrived(self, path: str, future: Any) -> None:
        self._loading.discard(path)
        if self._stopped or future.cancelled() or future.exception() is not None:
            return
        self._keep(path, future.result())
        self._arrivals.append(path)
        if self._flush is None:  # the board hears them together, a few ms later
            self._flush = asyncio.get_running_loop().call_later(self.BATCH_S, self._emit_ready)

    def _emit_ready(self) -> None:
        paths, self._arrivals, self._flush = self._arrivals, [], None
        self.ready.emit(paths)

    def _keep(self, path: str, image: QImage) -> None:
        self.forget(path)
        self._images[path] = image
        self.bytes += image.sizeInBytes()
        self._evict()

    async def stop(self) -> None:
        self._stopped = True
        if self._flush is not None:
            self._flush.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def forget(self, path: str) -> None:
        old = self._images.pop(path, None)
        if old is not None:
            self.bytes -= old.sizeInBytes()

    def set_budget(self, budget_bytes: int) -> None:
        self.budget_bytes = max(1 << 20, budget_bytes)
        self._evict()

    def _evict(self) -> None:
        """Drop the least recently shown until the kept thumbnails fit (the newest always stays)."""
        while self.bytes > self.budget_bytes and len(self._images) > 1:
            _, old = self._images.popitem(last=False)
            self.bytes -= old.sizeInBytes()

    def __len__(self) -> int:
        return len(self._images)
