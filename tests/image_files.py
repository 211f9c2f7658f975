"""Reading images in tests without leaving file handles to the garbage collector."""

from __future__ import annotations

from PIL import Image


def loaded(source):
    """The image read whole, the file closed."""
    with Image.open(source) as im:
        im.load()
        return im.copy()


def frames(source) -> int:
    with Image.open(source) as im:
        return im.n_frames
