"""The request options shared by quote, generate and edit, and the request they describe."""

from __future__ import annotations

import argparse
from typing import Any


def add_request_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("request options")
    g.add_argument(
        "--model",
        default="gpt-image-2",
        help="model or pinned snapshot (default gpt-image-2, exact quotes); see `asset-studio models`",
    )
    g.add_argument(
        "--size",
        default="auto",
        help="auto or WxH, e.g. 1536x1024 (edges multiples of 16, up to 3840x2160); GIF: one frame",
    )
    g.add_argument(
        "--quality",
        default="auto",
        help="low, medium, high, auto; xhigh and max on gpt-image-2.5 / 2.6 (dearer, finer)",
    )
    g.add_argument(
        "--complexity",
        choices=["low", "medium", "high"],
        help="gpt-image-2.6 only: planning depth (default high; no separate charge, slower when higher)",
    )
    g.add_argument("--n", type=int, default=1, help="images per call, 1-10 (SVG: 1)")
    g.add_argument("--background", default="auto", help="auto, opaque or transparent (png/webp only)")
    g.add_argument(
        "--format", dest="output_format", default="png", help="png, jpeg, webp; gif and svg on gpt-image-2.6"
    )
    g.add_argument(
        "--frames", dest="frame_count", type=int, metavar="N", help="GIF: frames, 2-16 (default 9)"
    )
    g.add_argument(
        "--frame-ms",
        dest="frame_duration_ms",
        type=int,
        metavar="MS",
        help="GIF: ms per frame, >= 20, rounded to 10 (default 200)",
    )
    g.add_argument(
        "--svg-author",
        metavar="MODEL",
        help="SVG: the author model (only if your project has SVG model selection)",
    )
    g.add_argument(
        "--svg-effort",
        choices=["none", "minimal", "low", "medium", "high", "xhigh", "max"],
        help="SVG: the author's reasoning effort (with --svg-author)",
    )
    g.add_argument("--compression", dest="output_compression", type=int, help="0-100, jpeg/webp only")
    g.add_argument("--moderation", default="auto", help="auto or low")
    g.add_argument(
        "--partial-images",
        type=int,
        default=0,
        metavar="N",
        help="stream N partial images (0-3) per image; each bills 100 tokens",
    )


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    return dict(
        model=args.model,
        size=args.size,
        quality=args.quality,
        n=args.n,
        background=args.background,
        output_format=args.output_format,
        output_compression=args.output_compression,
        moderation=args.moderation,
        stream=args.partial_images > 0,
        partial_images=args.partial_images,
        complexity=args.complexity,
        frame_count=args.frame_count,
        frame_duration_ms=args.frame_duration_ms,
        svg_author=args.svg_author,
        svg_effort=args.svg_effort,
    )
