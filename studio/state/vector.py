"""SVG results on screen: always a sanitized copy (studio.core.svg_safety), rendered by QtSvg.

QSvgRenderer runs no script and fetches nothing, and the copy it gets has neither scripts, external
references nor entity declarations. What cannot be made safe is drawn as a notice, never parsed raw."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from studio.core.svg_safety import SvgProblem, sanitize_svg


def safe_renderer(path: str) -> tuple[QSvgRenderer | None, str | None]:
    """A renderer of the sanitized SVG, or (None, why it cannot be shown)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        renderer = QSvgRenderer(QByteArray(sanitize_svg(data)))
    except (OSError, SvgProblem) as exc:
        return None, str(exc)
    if not renderer.isValid():
        return None, "QtSvg could not render it"
    return renderer, None


def render_svg(path: str, edge: int) -> QImage:
    """The SVG drawn crisply at most `edge` pixels on its long side (a notice if it cannot be shown)."""
    renderer, problem = safe_renderer(path)
    if renderer is None:
        return notice_image(edge, f"SVG not shown: {problem}")
    size = renderer.defaultSize()
    if not size.isValid() or size.isEmpty():
        size = QSize(edge, edge)
    size = size.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return image


def notice_image(edge: int, text: str) -> QImage:
    image = QImage(edge, edge, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#3a2a2a"))
    painter = QPainter(image)
    painter.setPen(QColor("#ffd0d0"))
    painter.drawText(
        image.rect().adjusted(8, 8, -8, -8),
        int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter),
        text,
    )
    painter.end()
    return image
