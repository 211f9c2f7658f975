"""A board with a still, an animated GIF and an SVG panel exports each as itself, with a PNG beside the SVG,
and the animatic plays the GIF panel's own frames."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from studio.core.request import ImageRequest
from studio.service import library, panels
from studio.service.export.board import load_board
from studio.service.export.run import ExportOptions, export_board
from studio.service.export.sheets import animatic_gif

from .image_files import frames, loaded

S26 = "gpt-image-2.6-sunburst"


def _board(service_factory, run):
    service = service_factory()
    for request in (
        ImageRequest(prompt="a harbour", size="1024x1024", quality="low"),
        ImageRequest(
            prompt="a bouncing ball",
            model=S26,
            size="512x512",
            quality="low",
            output_format="gif",
            frame_count=4,
            frame_duration_ms=100,
        ),
        ImageRequest(prompt="a logo", model=S26, size="1024x1024", quality="low", output_format="svg"),
    ):
        run(service.submit(request, board="Mixed"))
    bid = run(service.db.run(library.board_id, "Mixed"))
    for row, caption in zip(run(service.db.run(library.panels, bid)), ["Still", "Ball", "Logo"]):
        run(service.db.run(panels.set_caption, row["id"], caption))
        run(service.db.run(panels.set_fields, row["id"], shot="", duration=1.0, notes=""))
    return run(service.db.run(load_board, "Mixed"))


def test_gif_and_svg_panels_export_as_themselves(service_factory, run, tmp_path):
    board = _board(service_factory, run)
    folder = export_board(board, tmp_path / "out", ExportOptions()).folder
    names = sorted(p.name for p in folder.iterdir())
    assert {"01-still.png", "02-ball.gif", "03-logo.svg", "03-logo.png"} <= set(
        names
    ) and "02-ball.png" not in names
    assert frames(folder / "02-ball.gif") == 4
    assert (folder / "03-logo.svg").read_bytes() == Path(board.panels[2].path).read_bytes()  # as received
    rendered = loaded(folder / "03-logo.png")
    assert (
        rendered.size == (1024, 1024) and len(rendered.convert("RGB").getcolors(1 << 20) or []) > 10
    )  # drawn, not blank
    assert len(PdfReader(folder / "storyboard.pdf").pages) >= 2  # every kind laid out in the PDF
    assert frames(folder / "animatic.gif") > 3  # the GIF panel plays its own frames


def test_the_animatic_loops_a_gif_panel_for_its_duration(service_factory, run, tmp_path):
    board = _board(service_factory, run)
    durations = animatic_gif(board, tmp_path / "a.gif", width=320)
    assert durations[0] == 1000 and durations[-1] == 1000  # the still panels: held once
    ball = durations[1:-1]
    assert len(ball) == 12 and set(ball) == {100} and sum(ball) >= 1000  # 4 frames looped to fill one second


def test_a_broken_svg_panel_still_exports(service_factory, run, tmp_path, sandbox):
    sandbox.config.broken_svg = True
    service = service_factory()
    run(
        service.submit(
            ImageRequest(prompt="a logo", model=S26, size="1024x1024", quality="low", output_format="svg"),
            board="Broken",
        )
    )
    board = run(service.db.run(load_board, "Broken"))
    folder = export_board(board, tmp_path / "out", ExportOptions()).folder
    names = {p.name for p in folder.iterdir()}
    svg = next(n for n in names if n.endswith(".svg"))
    assert (folder / svg).read_bytes() == Path(board.panels[0].path).read_bytes()  # kept as received
    card = loaded(folder / svg.replace(".svg", ".png"))
    assert card.size == (1024, 1024)  # a notice card in its place, and the export completes
    assert {"contact-sheet.png", "storyboard.pdf", "animatic.gif"} <= names


def test_an_svg_panel_is_rendered_once_per_export(service_factory, run, tmp_path, monkeypatch):
    import resvg_py

    board = _board(service_factory, run)
    calls = []
    real = resvg_py.svg_to_bytes
    monkeypatch.setattr(resvg_py, "svg_to_bytes", lambda **kw: calls.append(1) or real(**kw))
    export_board(board, tmp_path / "out", ExportOptions())  # PNG file, contact sheet, PDF and animatic
    assert len(calls) == 1
