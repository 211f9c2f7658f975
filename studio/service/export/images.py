"""Panel images for exports: the lossless file, and decoded copies at the sizes layouts need."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from studio.core.names import slugify
from studio.core.provenance import strip_provenance

from .board import ExportPanel


def panel_filename(panel: ExportPanel, ext: str = "png") -> str:
    """`NN-<slug of caption>.png`: no directories, no control characters, bounded length."""
    return f"{panel.number:02d}-{slugify(panel.caption, 60, default='panel')}.{ext}"


def panel_kind(panel: ExportPanel) -> str:
    """ "svg", "gif" (animated results, exported as themselves) or "raster"."""
    lowered = panel.path.lower()
    return "svg" if lowered.endswith(".svg") else "gif" if lowered.endswith(".gif") else "raster"


def unreadable(panel: ExportPanel) -> str | None:
    """Why this panel's file cannot be exported (missing, or not a decodable image), or None. An SVG that
    cannot be drawn is not unreadable: it exports as a notice card (see rendered_svg)."""
    path = Path(panel.path)
    if not path.is_file():
        return "its file is missing"
    if panel_kind(panel) == "svg":
        return None
    try:
        with Image.open(path) as im:
            im.verify()  # structure and checksums, without decoding every pixel
    except Exception as exc:  # noqa: BLE001 (Pillow raises many kinds for a bad file)
        return f"not a readable image ({type(exc).__name__}: {str(exc)[:80]})"
    return None


def rendered_svg(path: str) -> bytes:
    """A PNG rendering of an SVG panel, from its sanitized copy (resvg: no scripts, nothing fetched).
    An SVG that cannot be drawn (it was kept as received, flagged) becomes a notice card, so that the
    export still completes and says so. Rendered once per export: the PNG file and the layouts share it."""
    return _rendered_svg(path, Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _rendered_svg(path: str, mtime_ns: int) -> bytes:
    import resvg_py

    from studio.core.resources import FONT_BOLD, FONT_REGULAR, resource_path
    from studio.core.svg_safety import SvgProblem, inspect_svg, sanitize_svg

    fonts = [str(resource_path(FONT_REGULAR)), str(resource_path(FONT_BOLD))]
    family = "Bitstream Vera Sans"  # the bundled font for every family: exports never depend on system fonts
    data = Path(path).read_bytes()
    try:
        safe = sanitize_svg(data).decode("utf-8")
        return bytes(
            resvg_py.svg_to_bytes(
                svg_string=safe,
                skip_system_fonts=True,
                font_files=fonts,
                font_family=family,
                sans_serif_family=family,
                serif_family=family,
                monospace_family=family,
            )
        )
    except (SvgProblem, ValueError, UnicodeDecodeError) as exc:  # resvg: ValueError on what it cannot draw
        info = inspect_svg(data)
        return _notice_card(f"SVG not rendered: {exc}", (info.width or 1024, info.height or 1024))


def _notice_card(text: str, size: tuple[int, int]) -> bytes:
    from studio.core.resources import FONT_REGULAR, resource_path

    card = Image.new("RGB", (max(64, min(size[0], 4096)), max(64, min(size[1], 4096))), (58, 42, 42))
    draw = ImageDraw.Draw(card)
    face = ImageFont.truetype(str(resource_path(FONT_REGULAR)), max(12, card.width // 40))
    draw.multiline_text(
        (card.width // 20, card.height // 2), textwrap.fill(text, 60), font=face, fill=(255, 208, 208)
    )
    out = io.BytesIO()
    card.save(out, "PNG")
    return out.getvalue()


def lossless_png(panel: ExportPanel) -> bytes:
    """The original bytes when the file is a PNG (our provenance chunks removed: exactly what the API
    returned, or our lossless composite); any other format converted to PNG without loss."""
    if panel_kind(panel) == "svg":
        return rendered_svg(panel.path)
    data = Path(panel.path).read_bytes()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return strip_provenance(data)
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        out = io.BytesIO()
        im.save(out, "PNG")
        return out.getvalue()


WORKING_EDGE = 1600  # every layout draws from one decode of each panel at this size (print at ~150-200 dpi)


@lru_cache(maxsize=16)
def _working_copy(path: str, mtime_ns: int) -> Image.Image:
    source: str | io.BytesIO = io.BytesIO(rendered_svg(path)) if path.lower().endswith(".svg") else path
    with Image.open(source) as opened:
        opened.draft("RGB", (WORKING_EDGE, WORKING_EDGE))
        im: Image.Image = opened
        if opened.getexif().get(0x0112, 1) != 1:  # only photos from cameras carry a rotation
            im = ImageOps.exif_transpose(opened)
        im.thumbnail((WORKING_EDGE, WORKING_EDGE), Image.Resampling.LANCZOS)
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
        if im.mode == "RGBA":  # transparent art on white paper
            paper = Image.new("RGB", im.size, (255, 255, 255))
            paper.paste(im, mask=im.getchannel("A"))
            im = paper
        return im.copy()


def decoded(panel: ExportPanel, max_edge: int) -> Image.Image:
    """The panel at most `max_edge` on its long side; each file is decoded once per export."""
    im = _working_copy(panel.path, Path(panel.path).stat().st_mtime_ns)
    if max(im.size) <= max_edge:
        return im.copy()
    out = im.copy()
    out.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    return out


def forget_decoded() -> None:
    """Drop the working copies (call when an export ends)."""
    _working_copy.cache_clear()
    _rendered_svg.cache_clear()
