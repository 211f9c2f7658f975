"""Per mouse-move cost of painting the mask on a 3840x2160 image: dirty-rect vs full repaint.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/brush.py

Each move paints one brush segment into the Alpha8 mask and repaints the canvas (the Qt events are
processed, so the paint really happens). Asset Studio invalidates only the segment's rectangle
(padded by the brush radius) and its items paint only the exposed rectangle; the baseline, in the
same run, repaints the whole canvas on every move (as the PySide "painter" example does).
Measured at "fit" zoom and at 100% in a 1600x900 view. Goal: p99 <= 4 ms and >= 10x faster.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

MOVES = 300


def source_image() -> QImage:
    image = QImage(3840, 2160, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(image)
    g = QLinearGradient(0, 0, 3840, 2160)
    g.setColorAt(0, QColor(30, 90, 160))
    g.setColorAt(1, QColor(220, 140, 60))
    p.fillRect(image.rect(), g)
    p.end()
    return image


def run(app: QApplication, zoom: str, full: bool) -> list[float]:
    from studio.state.mask_document import MaskDocument
    from studio.ui.painter.canvas import Canvas

    doc = MaskDocument(source_image())
    doc.set_brush_size(60)
    canvas = Canvas(doc)
    canvas.resize(1600, 900)
    canvas.show()
    app.processEvents()
    if zoom == "fit":
        canvas.fit()
    else:
        canvas.actual_size()
        canvas.centerOn(QPointF(1920, 1080))
    app.processEvents()
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    times: list[float] = []
    doc.begin_stroke(centre)
    for i in range(MOVES):
        angle = i / 15
        pos = QPointF(
            centre.x() + 300 * math.cos(angle) * (i / MOVES), centre.y() + 200 * math.sin(angle) * (i / MOVES)
        )
        t0 = time.perf_counter()
        doc.stroke_to(pos)
        if full:
            canvas.mask_item.update()
            canvas.viewport().update()
        app.processEvents()
        times.append(time.perf_counter() - t0)
    doc.end_stroke()
    canvas.close()
    canvas.deleteLater()
    app.processEvents()
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    app = QApplication.instance() or QApplication([])
    print(f"brush: {MOVES} mouse moves, 60 px brush, 3840x2160 source, 1600x900 view")
    ok = True
    for zoom in ("fit", "100%"):
        run(app, zoom, False)  # warm up
        dirty = run(app, zoom, False)
        baseline = run(app, zoom, True)
        ratio = statistics.median(baseline) / statistics.median(dirty)
        p99_ratio = p(baseline, 0.99) / p(dirty, 0.99)
        print(
            f"  zoom {zoom:>4}: dirty-rect median {statistics.median(dirty) * 1000:6.2f} ms, p99 "
            f"{p(dirty, 0.99):6.2f} ms | "
            f"full repaint median {statistics.median(baseline) * 1000:6.2f} ms, p99 "
            f"{p(baseline, 0.99):6.2f} ms | "
            f"{ratio:5.1f}x faster (median), {p99_ratio:5.1f}x (p99)"
        )
        ok = ok and p(dirty, 0.99) <= 4.0 and ratio >= 10
    print("goal (p99 <= 4 ms and >= 10x): " + ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
