"""The command line: `asset-studio quote|generate|edit|sandbox`, over the same core and service layer.

Exit status: 0 success, 1 a call failed, 2 refused before anything was sent (bad input of any kind).
Heavy modules (openai, Pillow, uvicorn) are imported only by the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import sys

from studio import __version__

from .options import add_request_options

SUBCOMMANDS = ("quote", "generate", "edit", "sandbox")

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2

_EPILOG = """\
The key comes from OPENAI_API_KEY and the endpoint from OPENAI_BASE_URL. With neither set,
generate and edit run against an embedded offline sandbox (placeholder images, no charges).
Exit status: 0 success, 1 the call failed, 2 refused before anything was sent."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asset-studio",
        description="Design, mask and export images with OpenAI's image API. With no command, opens the app.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"asset-studio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    q = sub.add_parser("quote", help="exact price of a request before anything is sent", description="Quote a request: output tokens exactly, text and input images as an estimate and an upper bound.")
    q.add_argument("--prompt", default="", help="the prompt (optional: its tokens are added when given)")
    q.add_argument("--image", action="append", default=[], metavar="FILE", help="quote an edit of this image (repeatable)")
    q.add_argument("--mask", metavar="FILE", help="the edit's mask")
    q.add_argument("--batch", action="store_true", help="quote at Batch API prices (50%% off, 24 h)")
    add_request_options(q)
    q.add_argument("--json", action="store_true", help="print JSON")

    g = sub.add_parser("generate", help="generate images", description="Generate images and save them as the API returned them.")
    g.add_argument("--prompt", required=True, help="what to draw")
    add_request_options(g)
    g.add_argument("--out", default=".", metavar="DIR", help="folder for the images (default: current folder)")
    g.add_argument("--json", action="store_true", help="print JSON")

    e = sub.add_parser("edit", help="edit images with an optional mask", description="Edit up to 16 images; the mask (alpha 0 = edit here) applies to the first.")
    e.add_argument("--image", action="append", required=True, metavar="FILE", help="input image (repeat for reference images)")
    e.add_argument("--mask", metavar="FILE", help="RGBA PNG: transparent pixels mark the area to edit; resized to the first image if needed")
    e.add_argument("--prompt", required=True, help="what to change")
    e.add_argument("--input-fidelity", choices=["low", "high"], help="older models only; never sent to gpt-image-2")
    add_request_options(e)
    e.add_argument("--out", default=".", metavar="DIR", help="folder for the images (default: current folder)")
    e.add_argument("--json", action="store_true", help="print JSON")

    s = sub.add_parser("sandbox", help="run the offline OpenAI-compatible sandbox", description="Serve OpenAI's image endpoints on loopback with placeholder images, realistic usage and injectable faults.")
    s.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (0 = any free port; default 8000)")
    s.add_argument("--port-file", metavar="FILE", help="write the bound port here once listening")
    s.add_argument("--tier", type=int, choices=range(1, 6), metavar="N", help="emulate rate tier N (1-5): images and tokens per minute")
    s.add_argument("--minute-seconds", type=float, default=60.0, metavar="S", help="length of the rate-limit 'minute' (shorten for tests)")
    s.add_argument("--latency", type=float, default=0.0, metavar="S", help="seconds to add to every image call")
    s.add_argument("--faults", default="", metavar="SPEC", help="faults for the next requests, e.g. 'rate_limit:2,server_error' (kinds: rate_limit, rate_limit_no_retry_after, insufficient_quota, server_error, overloaded, moderation_input, moderation_output, bad_key, org_unverified, hang, drop, ok; ':*' = every request)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.command == "quote":
        from .quote_cmd import run
    elif args.command in ("generate", "edit"):
        from .call_cmd import run
    else:
        from .sandbox_cmd import run
    try:
        return run(args)
    except KeyboardInterrupt:
        print("asset-studio: interrupted", file=sys.stderr)
        return 130
