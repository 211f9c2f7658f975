"""The storyboard PDF (reportlab): a cover page, then 1, 2x2 or 3x2 panels per landscape page with
number, shot, duration, caption and notes under each. The bundled TrueType font is embedded, so the
text is real, selectable text on any machine."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from studio import __version__
from studio.core.resources import FONT_BOLD, FONT_REGULAR, resource_path
from studio.core.text import wrap_text

from .board import ExportBoard, ExportPanel
from .images import decoded
from .sheets import cost_text, star_points

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
LAYOUTS = {1: (1, 1), 4: (2, 2), 6: (3, 2)}  # panels per page -> (columns, rows)
REGULAR, BOLD = "AssetStudioSans", "AssetStudioSans-Bold"
MARGIN = 36.0  # points (half an inch)


def _register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(resource_path(FONT_REGULAR))))
        pdfmetrics.registerFont(TTFont(BOLD, str(resource_path(FONT_BOLD))))


def _jpeg(panel: ExportPanel, max_edge: int) -> ImageReader:
    """The panel as a high-quality JPEG at print resolution (embedded as is: small PDFs)."""
    buf = io.BytesIO()
    decoded(panel, max_edge).save(buf, "JPEG", quality=90, optimize=True)
    buf.seek(0)
    return ImageReader(buf)


def _lines(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    return wrap_text(text, lambda t: pdfmetrics.stringWidth(t, font, size), width, max_lines)


def _cover(c: Canvas, board: ExportBoard, exported_at: str, page: tuple[float, float]) -> None:
    w, h = page
    c.setFont(BOLD, 11)
    c.setFillGray(0.45)
    c.drawString(MARGIN * 2, h * 0.62 + 44, "STORYBOARD")
    c.setFillGray(0)
    c.setStrokeGray(0.85)
    c.line(MARGIN * 2, h * 0.62 - 100 - 4 * 22, w - MARGIN * 2, h * 0.62 - 100 - 4 * 22)
    c.setFont(BOLD, 30)
    for k, line in enumerate(_lines(board.name, BOLD, 30, w - 2 * MARGIN * 2, 3)):
        c.drawString(MARGIN * 2, h * 0.62 - k * 36, line)
    c.setFont(REGULAR, 14)
    facts = [
        f"{len(board.panels)} panels · {sum(p.duration for p in board.panels):g} s",
        f"Total cost: {cost_text(board)}",
        f"Exported {exported_at}",
        f"Asset Studio {__version__}",
    ]
    for k, fact in enumerate(facts):
        c.drawString(MARGIN * 2, h * 0.62 - 70 - k * 22, fact)
    c.showPage()


def _panel(
    c: Canvas, panel: ExportPanel, x: float, y: float, w: float, h: float, text_h: float, scale: float
) -> None:
    """One panel: the picture fitted in (x, y + text_h, w, h - text_h), its texts below."""
    img_h = h - text_h
    image = _jpeg(panel, int(max(w, img_h) * 200 / 72))  # 200 dpi
    iw, ih = image.getSize()
    s = min(w / iw, img_h / ih)
    dw, dh = iw * s, ih * s
    c.drawImage(image, x + (w - dw) / 2, y + text_h + (img_h - dh) / 2, dw, dh)
    c.setStrokeGray(0.8)
    c.rect(x, y + text_h, w, img_h, stroke=1, fill=0)
    size = 9.5 * scale
    ty = y + text_h - size * 1.5
    c.setFont(BOLD, size)
    c.setFillGray(0.1)
    head = f"Panel {panel.number}" + (f" · {panel.shot}" if panel.shot else "") + f" · {panel.duration:g} s"
    head += " · starred" if panel.starred else ""
    c.drawString(x, ty, head)
    if panel.starred:  # a star on the picture's corner, and the word in the line under it
        path = c.beginPath()
        points = star_points(x + w - 12, y + h - 12, 8, y_up=True)
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
        path.close()
        c.setFillColorRGB(0.91, 0.69, 0)
        c.setStrokeGray(0.1)
        c.drawPath(path, stroke=1, fill=1)
        c.setFillGray(0.1)
    for line in _lines(panel.caption, BOLD, size, w, 2):
        ty -= size * 1.3
        c.drawString(x, ty, line)
    c.setFont(REGULAR, size * 0.9)
    c.setFillGray(0.35)
    for line in _lines(panel.notes, REGULAR, size * 0.9, w, 3 if scale > 1 else 2):
        ty -= size * 1.2
        c.drawString(x, ty, line)
    c.setFillGray(0)


def storyboard_pdf(
    board: ExportBoard,
    path: Path,
    exported_at: str,
    *,
    per_page: int = 6,
    page_size: str = "A4",
    tick: Callable[[], None] = lambda: None,
) -> int:
    """Write the PDF; returns its page count."""
    if per_page not in LAYOUTS:
        raise ValueError(f"per_page must be one of {sorted(LAYOUTS)}")
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {sorted(PAGE_SIZES)}")
    _register_fonts()
    page = landscape(PAGE_SIZES[page_size])
    c = Canvas(str(path), pagesize=page, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    c.setTitle(board.name)
    c.setAuthor(f"Asset Studio {__version__}")
    c.setCreator(f"Asset Studio {__version__}")
    c.setSubject(f"Storyboard: {board.name}, {len(board.panels)} panels")
    c.setKeywords(["storyboard", "Asset Studio"])
    _cover(c, board, exported_at, page)
    cols, rows = LAYOUTS[per_page]
    pw, ph = page
    gap = 18.0
    cell_w = (pw - 2 * MARGIN - gap * (cols - 1)) / cols
    cell_h = (ph - 2 * MARGIN - 16 - gap * (rows - 1)) / rows
    scale = 1.4 if per_page == 1 else 1.0
    text_h = 9.5 * scale * (1.5 + 1.3 * 2 + 1.2 * 3) + 6
    pages = 1
    for start in range(0, len(board.panels), per_page):
        c.setFont(REGULAR, 8)
        c.setFillGray(0.45)
        c.drawString(
            MARGIN, ph - MARGIN + 4, _lines(board.name, REGULAR, 8, pw / 2, 1)[0] if board.name else ""
        )
        c.drawRightString(pw - MARGIN, ph - MARGIN + 4, f"page {pages + 1}")
        c.setFillGray(0)
        for k, panel in enumerate(board.panels[start : start + per_page]):
            r, col = divmod(k, cols)
            x = MARGIN + col * (cell_w + gap)
            y = ph - MARGIN - 16 - (r + 1) * cell_h - r * gap
            _panel(c, panel, x, y, cell_w, cell_h, text_h, scale)
            tick()
        c.showPage()
        pages += 1
    c.save()
    return pages
