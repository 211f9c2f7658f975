"""Thumbnails decoded at display size off the GUI thread (QImageReader.setScaledSize releases the GIL).

Only small QImages are kept; full-size images are decoded on demand by the viewer. QPixmaps are made
on the GUI thread by the views."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from studio.service.memory import background_priority

from .vector import render_svg

THUMB = 256


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
    ready = Signal(str)

    def __init__(self, parent: QObject | None = None, edge: int = THUMB):
        super().__init__(parent)
        self.edge = edge
        self._images: dict[str, QImage] = {}
        self._loading: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        # one decoder thread: a 4K PNG costs ~0.2 s of CPU, and the GUI thread keeps the other core
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asset-studio-thumbs",
                                        initializer=background_priority)

    def get(self, path: str | None) -> QImage | None:
        if not path:
            return None
        image = self._images.get(path)
        if image is None and path not in self._loading and not self._stopped:
            self._loading.add(path)
            try:
                task = asyncio.ensure_future(self._load(path))
            except RuntimeError:  # no running loop (a synchronous test): decode here
                self._loading.discard(path)
                self._images[path] = load_scaled(path, self.edge)
                return self._images[path]
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return image

    async def _load(self, path: str) -> None:
        loop = asyncio.get_event_loop()
        try:
            image = await loop.run_in_executor(self._pool, load_scaled, path, self.edge)
        finally:
            self._loading.discard(path)
        self._images[path] = image
        self.ready.emit(path)

    async def stop(self) -> None:
        self._stopped = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def forget(self, path: str) -> None:
        self._images.pop(path, None)

    def __len__(self) -> int:
        return len(self._images)
