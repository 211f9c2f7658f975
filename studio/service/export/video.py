"""The animatic as an MP4 video (H.264 in PyAV's bundled FFmpeg, no system ffmpeg): the same frames,
durations and caption burn-in as the GIF animatic, at a constant 25 frames a second (each panel's hold
rounded on the running total, so the video's length is the board's to within one frame)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from .board import ExportBoard
from .sheets import animatic_size, panel_frames

FPS = 25


def animatic_mp4(
    board: ExportBoard,
    path: Path,
    *,
    width: int = 640,
    burn_in: bool = True,
    tick: Callable[[], None] = lambda: None,
) -> float:
    """Write the video; returns its length in seconds."""
    import av  # FFmpeg's libraries (~100 MB mapped): loaded when a video is made, not when the app starts

    if not board.panels:
        raise ValueError("the board has no panels to animate")
    size = animatic_size(board, width)
    written = 0
    elapsed_ms = 0
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.options = {"crf": "20", "preset": "veryfast", "tune": "stillimage"}
        for panel in board.panels:
            for image, ms in panel_frames(panel, size, burn_in):
                elapsed_ms += ms
                until = max(written + 1, round(elapsed_ms * FPS / 1000))
                frame = av.VideoFrame.from_image(image.convert("RGB"))
                while written < until:
                    frame.pts = written
                    container.mux(stream.encode(frame))
                    written += 1
            tick()
        container.mux(stream.encode(None))  # flush the encoder
    return written / FPS
