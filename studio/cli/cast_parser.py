"""`asset-studio cast`'s arguments: a part of the command line's contract (parser.py holds the rest)."""

from __future__ import annotations

import argparse


def add_cast_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "cast",
        help="a board's cast and style sheet: reference images every new panel follows",
        description="Named entries (a character, a prop, a place, a style frame), each one or more reference "
        "images with a short description. A generation on the board is sent as a references call (the edit "
        "endpoint, images only): the enabled entries' images first, their names and descriptions woven into "
        "the prompt (see `cast list`). At most 16 images go (the model's limit); the rest are left out, "
        "said so.",
    )
    cs = c.add_subparsers(dest="cast_command", metavar="ACTION", required=True)
    a = cs.add_parser("add", help="a new entry, or more images for one")
    a.add_argument("board", metavar="BOARD")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--image", action="append", default=[], metavar="FILE", help="a reference (repeatable)")
    a.add_argument(
        "--from-panel",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="panel N's picture (1 = first)",
    )
    a.add_argument("--crop", metavar="X,Y,W,H", help="with --from-panel: only this part of the panel")
    a.add_argument("--description", metavar="TEXT", help="a short description, woven into the prompt")
    ls = cs.add_parser("list", help="the board's entries and the text woven into its prompts")
    ls.add_argument("board", metavar="BOARD")
    ls.add_argument("--json", action="store_true", help="print JSON")
    for action, what in (("enable", "send it again"), ("disable", "keep it, but do not send it")):
        e = cs.add_parser(action, help=what)
        e.add_argument("board", metavar="BOARD")
        e.add_argument("name", metavar="NAME")
    r = cs.add_parser(
        "remove", help="remove an entry (its image files stay: panels made with them name them)"
    )
    r.add_argument("board", metavar="BOARD")
    r.add_argument("name", metavar="NAME")
    w = cs.add_parser(
        "woven",
        help="the text woven into each prompt: print it, replace it with your own, or --reset",
        description="Without TEXT, prints the text woven into each prompt of the board (and whether it still "
        "names the images sent). With TEXT, the board's prompts get it instead of the text made from the "
        'entries\' names and descriptions; label the images as that text does ("Image 1: Mara.") and the '
        "studio renumbers them where a call's references start later (a refine's first turn) and says when "
        "the cast changes under them. --reset goes back to the entries' text.",
    )
    w.add_argument("board", metavar="BOARD")
    w.add_argument("text", nargs="?", metavar="TEXT", help="your own text ('' to weave nothing)")
    w.add_argument("--reset", action="store_true", help="back to the text made from the entries")
    k = cs.add_parser(
        "continue", help="the next generation continues from panel N (and each one after from the last)"
    )
    k.add_argument("board", metavar="BOARD")
    k.add_argument("panel", metavar="N|off", help="the panel's number (1 = first), or off")
