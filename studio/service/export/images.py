"""Panel images for exports: the lossless file, and decoded copies at the sizes layouts need."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from studio.core.names import slugify
from studio.core.provenance import strip_provenance

from .board import ExportPanel


def panel_filename(panel: ExportPanel) -> str:
    """`NN-<slug of caption>.png`: no directories, no control characters, bounded length."""
    return f"{panel.number:02d}-{slugify(panel.caption, 60, default='panel')}.png"


def lossless_png(panel: ExportPanel) -> bytes:
    """The original bytes when the file is a PNG (our provenance chunks removed: exactly what the API
    returned, or our lossless composite); any other format converted to PNG without loss."""
    data = Path(panel.path).read_bytes()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return strip_provenance(data)
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        out = io.BytesIO()
        im.save(out, "PNG")
        return out.getvalue()


def decoded(panel: ExportPanel, max_edge: int) -> Image.Image:
    """The panel decoded at most `max_edge` on its long side (JPEG/PNG drafts keep this cheap)."""
    with Image.open(panel.path) as im:
        im.draft("RGB", (max_edge, max_edge))
        im = ImageOps.exif_transpose(im)
        im.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
        if im.mode == "RGBA":  # transparent art on white paper
            paper = Image.new("RGB", im.size, (255, 255, 255))
            paper.paste(im, mask=im.getchannel("A"))
            im = paper
        return im.copy()
