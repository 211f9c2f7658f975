"""`asset-studio batch`'s arguments: a part of the command line's contract (parser.py holds the rest)."""

from __future__ import annotations

import argparse

from .options import add_request_options


def add_batch_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser(
        "batch",
        help="send a set through OpenAI's Batch API: half price, results within 24 h",
        description="Large sets at half price: the requests of a prompt template go to OpenAI's Batch API "
        "(up to 50,000 per batch, more are split), run within 24 hours on OpenAI's side, and land in the "
        "library (and their board, in the template's order) when fetched. Every request is journaled and "
        "its bound reserved against your caps at Batch prices before anything is uploaded.",
    )
    bs = b.add_subparsers(dest="batch_command", metavar="ACTION", required=True)
    s = bs.add_parser("submit", help="submit a prompt (template) as one or more batches")
    s.add_argument("--prompt", required=True, help="the prompt or template ({a|b} choices, {column}s)")
    s.add_argument("--rows", metavar="FILE.csv", help="CSV (UTF-8, header row names the columns)")
    s.add_argument(
        "--image", action="append", default=[], metavar="FILE", help="edit this image (repeatable)"
    )
    s.add_argument("--mask", metavar="FILE", help="the edits' mask")
    add_request_options(s)
    s.add_argument("--board", metavar="NAME", help="placeholder panels on this board, filled when fetched")
    s.add_argument("--no-cast", action="store_true", help="send without the board's cast")
    s.add_argument("--budget", metavar="USD", help="refused before uploading if the batch could cost more")
    s.add_argument("--wait", action="store_true", help="then wait for it and fetch it")
    s.add_argument("--json", action="store_true", help="print JSON")
    ls = bs.add_parser("list", help="open and recent batches")
    ls.add_argument("--json", action="store_true", help="print JSON")
    st = bs.add_parser("status", help="poll one batch now")
    st.add_argument("id", metavar="ID", help="the batch's id (ours or OpenAI's, or a unique prefix)")
    st.add_argument("--json", action="store_true", help="print JSON")
    f = bs.add_parser("fetch", help="save the results of ended batches (idempotent)")
    f.add_argument("id", nargs="?", metavar="ID", help="one batch (default: every open one)")
    f.add_argument("--wait", action="store_true", help="poll until it ends, then fetch")
    f.add_argument("--json", action="store_true", help="print JSON")
    c = bs.add_parser("cancel", help="cancel: finished results are kept and billed, the rest is not")
    c.add_argument("id", metavar="ID")
