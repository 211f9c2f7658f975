"""What gpt-image-2.6's new outputs cost the studio, against a baseline measured in the same run
(median of 7).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/vectors.py

- SVG thumbnail: sanitize (defusedxml parse, strip scripts/refs) + QtSvg render at 256 px, against QtSvg
  rendering the raw bytes (the unsafe baseline), for the sandbox's SVG and a 2,000-element author SVG.
- SVG export: resvg rendering of the sanitized copy to PNG bytes at full size, against QtSvg rendering the
  raw bytes at the same size and encoding the PNG.
- GIF playback in the grid: decoding one frame of a 9-frame 960x960 GIF with QMovie, against decoding its
  first frame as a still with QImageReader.
- Quotes: an estimate quote with calibration from 500 bills, against gpt-image-2's exact quote.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 7


def row(case: str, ours: float, base: float, unit: str = "ms") -> None:
    scale = 1000 if unit == "ms" else 1e6
    print(f"{case:44} {ours * scale:8.1f}{unit} {base * scale:8.1f}{unit} {ours / base:6.2f}x")


def median_s(fn) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def big_svg() -> bytes:
    rng = random.Random(7)

    def tri() -> str:
        x, y = rng.randint(0, 1000), rng.randint(0, 1000)
        return " L".join(f"{x + rng.randint(-40, 40)} {y + rng.randint(-40, 40)}" for _ in range(3))

    shapes = "".join(
        f'<path d="M{tri()} Z" fill="#{rng.randrange(0xFFFFFF):06x}" fill-opacity="0.6"/>'
        for _ in range(2000)
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024">{shapes}</svg>'.encode()


def main() -> int:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QImageReader, QMovie, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from studio.core.pricing import Learned, calibration_key, quote
    from studio.core.registry import load_registry
    from studio.core.request import ImageRequest
    from studio.core.sizes import parse_size
    from studio.core.validation import validate
    from studio.sandbox import formats
    from studio.service.export.images import rendered_svg
    from studio.state.vector import render_svg

    QGuiApplication([])
    registry = load_registry()
    tmp = Path(tempfile.mkdtemp())
    s26 = "gpt-image-2.6-sunburst"
    sandbox_svg = formats.svg(
        validate(
            ImageRequest(prompt="a lighthouse logo", model=s26, size="1024x1024", output_format="svg"),
            registry,
        ),
        1024,
        1024,
        0,
    )

    def raw_render(data: bytes, edge: int = 256, png: bool = False) -> None:
        renderer = QSvgRenderer(QByteArray(data))
        image = QImage(edge, edge, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, edge, edge))
        painter.end()
        if png:  # what an export needs: the PNG file's bytes
            out = QByteArray()
            buffer = QBuffer(out)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            image.save(buffer, "PNG")

    print(f"{'case':44} {'ours':>10} {'baseline':>10} {'ratio':>7}")
    for name, data in (
        ("SVG thumbnail, sandbox SVG", sandbox_svg),
        ("SVG thumbnail, 2,000 paths", big_svg()),
    ):
        path = tmp / f"{len(data)}.svg"
        path.write_bytes(data)
        ours, base = median_s(lambda: render_svg(str(path), 256)), median_s(lambda: raw_render(data))
        print(f"{name:44} {ours * 1000:8.1f}ms {base * 1000:8.1f}ms {ours / base:6.2f}x")
        export, qt_full = (
            median_s(lambda: rendered_svg(str(path))),
            median_s(lambda: raw_render(data, 1024, png=True)),
        )
        row("  export PNG: resvg vs raw QtSvg + PNG, 1024 px", export, qt_full)

    gif = tmp / "ball.gif"
    gif.write_bytes(
        formats.gif(
            validate(ImageRequest(prompt="a ball", model=s26, size="960x960", output_format="gif"), registry),
            960,
            960,
            0,
        )
    )

    def movie_frame() -> None:
        movie = QMovie(str(gif))
        for _ in range(5):
            assert movie.jumpToNextFrame()
        assert not movie.currentImage().isNull()

    ours, base = median_s(movie_frame), median_s(lambda: QImageReader(str(gif)).read())
    row("GIF frame 5 via QMovie vs first frame", ours, base)

    est = validate(ImageRequest(prompt="a fox", model=s26, size="1536x1024", quality="high"), registry)
    exact = validate(ImageRequest(prompt="a fox", size="1536x1024", quality="high"), registry)
    rng = random.Random(3)
    learned = {
        calibration_key(s26, parse_size(f"{16 * rng.randint(40, 200)}x1024"), "high", None, "png"): Learned(
            rng.randint(900, 3000), 3200, 5
        )
        for _ in range(500)
    }
    learned[calibration_key(s26, parse_size("1536x1024"), "high", None, "png")] = Learned(1400, 1600, 12)
    ours = median_s(lambda: [quote(est, registry, learned_output=learned) for _ in range(200)]) / 200
    base = median_s(lambda: [quote(exact, registry) for _ in range(200)]) / 200
    row("estimate quote (calibrated) vs exact quote", ours, base, "us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
