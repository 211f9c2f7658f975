"""The contact sheet (PNG) and the GIF animatic, drawn with Pillow and the bundled font."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from studio.core.pricing import format_usd
from studio.core.resources import FONT_BOLD, FONT_REGULAR, resource_path
from studio.core.text import wrap_text

from .board import ExportBoard, ExportPanel
from .images import decoded

SHEET_WIDTH = 2400
INK, MUTED, PAPER, RULE = (28, 28, 32), (105, 105, 115), (255, 255, 255), (220, 220, 226)
STAR = (232, 176, 0)


def star_points(cx: float, cy: float, r: float, *, y_up: bool = False) -> list[tuple[float, float]]:
    """A five-pointed star's outline (the bundled font has no ★ glyph); y_up for PDF coordinates."""
    sign = 1 if y_up else -1
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.42
        angle = math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + sign * radius * math.sin(angle)))
    return points


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(resource_path(FONT_BOLD if bold else FONT_REGULAR)), size)


def wrap(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int, max_lines: int
) -> list[str]:
    return wrap_text(text, lambda t: draw.textlength(t, font=face), width, max_lines)


def auto_columns(count: int, aspect: float) -> int:
    """Columns that make the sheet closest to a landscape page (~1.41:1), with room for captions."""
    if count <= 1:
        return 1
    best, best_score = 1, float("inf")
    for cols in range(1, min(count, 6) + 1):
        rows = math.ceil(count / cols)
        sheet_ratio = (cols * aspect) / (rows * (1 + 0.35 * aspect))
        score = abs(math.log(sheet_ratio / 1.41)) + 0.02 * (cols * rows - count)
        if score < best_score:
            best, best_score = cols, score
    return best


def cost_text(board: ExportBoard) -> str:
    total = board.panels_total_usd
    return f"{format_usd(total)} (sandbox, not charged)" if board.sandbox else format_usd(total)


def contact_sheet(
    board: ExportBoard,
    exported_at: str,
    *,
    columns: int | None = None,
    tick: Callable[[], None] = lambda: None,
) -> Image.Image:
    panels = board.panels
    first = decoded(panels[0], 64) if panels else None
    aspect = first.width / first.height if first else 16 / 9
    cols = columns or auto_columns(len(panels), aspect)
    margin, gap = 90, 48
    cell_w = (SHEET_WIDTH - 2 * margin - gap * (cols - 1)) // cols
    cell_h = int(cell_w / aspect)
    f_title, f_meta = font(64, bold=True), font(30)
    f_num, f_cap = font(max(18, cell_w // 22), bold=True), font(max(16, cell_w // 26))
    line = int(f_cap.size * 1.3)
    text_h = int(f_num.size * 1.4) + 2 * line + 12
    rows = max(1, math.ceil(len(panels) / cols))
    header = 210
    height = header + rows * (cell_h + text_h + gap) + margin
    sheet = Image.new("RGB", (SHEET_WIDTH, height), PAPER)
    draw = ImageDraw.Draw(sheet)
    draw.text(
        (margin, 70), wrap(draw, board.name, f_title, SHEET_WIDTH - 2 * margin, 1)[0], font=f_title, fill=INK
    )
    seconds = sum(p.duration for p in panels)
    meta = f"{len(panels)} panels · {exported_at} · total {cost_text(board)} · {seconds:g} s"
    draw.text((margin, 150), meta, font=f_meta, fill=MUTED)
    draw.line((margin, header - 20, SHEET_WIDTH - margin, header - 20), fill=RULE, width=3)
    for i, panel in enumerate(panels):
        r, c = divmod(i, cols)
        x = margin + c * (cell_w + gap)
        y = header + r * (cell_h + text_h + gap)
        image = decoded(panel, max(cell_w, cell_h))
        fitted = image.resize(
            (cell_w, max(1, int(cell_w * image.height / image.width))), Image.Resampling.LANCZOS
        )
        if fitted.height > cell_h:  # taller than the first panel: fit the height instead
            fitted = image.resize(
                (max(1, int(cell_h * image.width / image.height)), cell_h), Image.Resampling.LANCZOS
            )
        sheet.paste(fitted, (x + (cell_w - fitted.width) // 2, y + (cell_h - fitted.height) // 2))
        draw.rectangle((x - 1, y - 1, x + cell_w, y + cell_h), outline=RULE, width=2)
        ty = y + cell_h + 10
        label = f"{panel.number}" + (f" · {panel.shot}" if panel.shot else "")
        draw.text((x, ty), label, font=f_num, fill=INK)
        if panel.starred:  # a star and the word: colour is never the only signal
            radius = f_num.size * 0.5
            sx = x + draw.textlength(label + "  ", font=f_num) + radius
            draw.polygon(star_points(sx, ty + f_num.size * 0.62, radius), fill=STAR, outline=INK)
            draw.text((sx + radius * 1.6, ty), "starred", font=f_num, fill=MUTED)
        dur = f"{panel.duration:g} s"
        draw.text((x + cell_w - draw.textlength(dur, font=f_num), ty), dur, font=f_num, fill=MUTED)
        for k, text in enumerate(wrap(draw, panel.caption, f_cap, cell_w, 2)):
            draw.text((x, ty + int(f_num.size * 1.4) + k * line), text, font=f_cap, fill=INK)
        tick()
    return sheet


def _frame(panel: ExportPanel, size: tuple[int, int], burn_in: bool) -> Image.Image:
    return _framed(panel, decoded(panel, max(size) * 2), size, burn_in)


def _burn(frame: Image.Image, panel: ExportPanel, burn_in: bool) -> Image.Image:
    w, h = frame.size
    if burn_in and (panel.caption or panel.shot):
        draw = ImageDraw.Draw(frame, "RGBA")
        face = font(max(12, w // 34))
        text = f"{panel.number}. {panel.caption}" if panel.caption else f"{panel.number}. {panel.shot}"
        lines = wrap(draw, text, face, w - 2 * (w // 40), 2)
        band = int(face.size * 1.35) * len(lines) + face.size
        draw.rectangle((0, h - band, w, h), fill=(0, 0, 0, 215))
        for k, ln in enumerate(lines):
            draw.text(
                (w // 40, h - band + face.size // 2 + k * int(face.size * 1.35)),
                ln,
                font=face,
                fill=(255, 255, 255, 255),
            )
    return frame


def panel_frames(panel: ExportPanel, size: tuple[int, int], burn_in: bool) -> list[tuple[Image.Image, int]]:
    """A still panel: one frame held for its duration. A GIF panel: its own animation, looped for the
    panel's duration (at least once through)."""
    hold = max(20, int(round(panel.duration * 1000 / 10)) * 10)  # GIF counts in 1/100 s
    if not panel.path.lower().endswith(".gif"):
        return [(_frame(panel, size, burn_in), hold)]
    with Image.open(panel.path) as gif:
        count = getattr(gif, "n_frames", 1)
        if count < 2:
            return [(_frame(panel, size, burn_in), hold)]
        own = []
        for k in range(count):
            gif.seek(k)
            still = gif.convert("RGB")
            own.append((still, max(20, int(gif.info.get("duration", 100) or 100))))
    out: list[tuple[Image.Image, int]] = []
    spent = 0
    while spent < hold or not out:
        for still, ms in own:
            out.append((_framed(panel, still, size, burn_in), ms))
            spent += ms
        if len(out) > 400:  # a very long hold of a short loop: enough
            break
    return out


def _framed(panel: ExportPanel, image: Image.Image, size: tuple[int, int], burn_in: bool) -> Image.Image:
    w, h = size
    scale = min(w / image.width, h / image.height)
    fitted = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
    )
    frame = Image.new("RGB", size, (0, 0, 0))
    frame.paste(fitted, ((w - fitted.width) // 2, (h - fitted.height) // 2))
    return _burn(frame, panel, burn_in)


def animatic_size(board: ExportBoard, width: int) -> tuple[int, int]:
    """The animatic's frame size: `width` (even) by the first panel's aspect (even, for video codecs)."""
    first = decoded(board.panels[0], 64)
    height = max(2, round(width * first.height / first.width))
    return width - width % 2, height - height % 2


def animatic_gif(
    board: ExportBoard,
    path: Path,
    *,
    width: int = 640,
    burn_in: bool = True,
    tick: Callable[[], None] = lambda: None,
) -> list[int]:
    """An animated GIF, each frame held for its panel's duration; returns the durations in ms."""
    if not board.panels:
        raise ValueError("the board has no panels to animate")
    size = animatic_size(board, width)
    frames, durations = [], []
    for panel in board.panels:
        for image, ms in panel_frames(panel, size, burn_in):
            frames.append(
                image.quantize(
                    colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.FLOYDSTEINBERG
                )
            )
            durations.append(ms)
        tick()
    frames[0].save(
        path,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        disposal=1,
        optimize=False,
    )
    return durations
