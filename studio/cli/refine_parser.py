"""`asset-studio refine`'s arguments: a part of the command line's contract (parser.py holds the rest)."""

from __future__ import annotations

import argparse


def add_refine_parser(sub: argparse._SubParsersAction) -> None:
    from studio.core.mainline import load_mainline

    m = load_mainline()
    r = sub.add_parser(
        "refine",
        help="refine a panel (or a file) in conversation: the Responses API, with thinking and a split bill",
        description="One turn: a short instruction ('make the hoodie purple') to a mainline model that calls "
        "the image tool; the panel's conversation continues from its last turn (previous_response_id), and "
        "the result is the panel's next version. The bill is the mainline's usage plus the image model's "
        "tool_usage, each at its own rates; max_output_tokens bounds the mainline, so the quote's bound "
        "holds.",
    )
    r.add_argument("--prompt", required=True, help="the instruction for this turn")
    r.add_argument("--board", metavar="NAME", help="the board of the panel to refine")
    r.add_argument("--panel", type=int, metavar="N", help="the panel's number on the board (1 = first)")
    r.add_argument("--image", metavar="FILE", help="start a conversation from this image instead")
    r.add_argument(
        "--no-cast", action="store_true", help="a first turn on a board goes without the board's cast"
    )
    r.add_argument(
        "--model", default=m.default, help=f"the mainline model (default {m.default}): {', '.join(m.models)}"
    )
    r.add_argument(
        "--image-model", default=m.default_image_model, help="the tool's image model (always sent)"
    )
    r.add_argument(
        "--reasoning", choices=["none", "low", "medium", "high"], help="thinking: more is slower and dearer"
    )
    r.add_argument(
        "--max-output-tokens", type=int, default=4000, metavar="N", help="the mainline's output cap"
    )
    r.add_argument("--size", default="1024x1024")
    r.add_argument("--quality", default="medium")
    r.add_argument("--format", dest="output_format", default="png")
    r.add_argument(
        "--background", default="auto", help="auto, opaque or transparent (not on gpt-image-2 here)"
    )
    r.add_argument("--moderation", default="auto")
    r.add_argument("--partial-images", type=int, default=0, metavar="N", help="streamed previews, 0-3")
    r.add_argument("--out", metavar="DIR", help="also copy the result here")
    r.add_argument("--budget", metavar="USD", help="refused before sending if the turn could cost more")
    r.add_argument("--json", action="store_true", help="print JSON")
