"""The argument parser: the command line's contract (see README) in one place."""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from studio import __version__
from studio.core.redact import redact_arguments, remember_secret

from .batch_parser import add_batch_parser
from .cast_parser import add_cast_parser
from .options import add_request_options
from .refine_parser import add_refine_parser

_EPILOG = """\
The key comes from the OS keyring (asset-studio key set) or OPENAI_API_KEY; the endpoint from
OPENAI_BASE_URL. With neither a key nor a base URL, generate and edit run against an embedded
offline sandbox (placeholder images, no charges).
Exit status: 0 success, 1 the call failed, 2 refused before anything was sent (bad input or over budget)."""

FAULT_KINDS = (
    "rate_limit, rate_limit_no_retry_after, insufficient_quota, server_error, overloaded, moderation_input, "
    "moderation_output, bad_key, org_unverified, hang, drop, drop_after_image, ok; models/KIND applies to "
    "GET /v1/models; batch/failed, batch/expire, batch/token_limit to the next batch; line/KIND to the "
    "next line a batch runs"
)


class Parser(argparse.ArgumentParser):
    """argparse, except that an error never echoes a key typed as an argument by mistake."""

    def error(self, message: str) -> NoReturn:
        remember_secret(os.environ.get("OPENAI_API_KEY"))
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {redact_arguments(message)}\n")


def _call_options(p: argparse.ArgumentParser) -> None:
    add_request_options(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="also write copies here (ordinary file modes); without it the images "
        "stay in the library only and their paths are printed",
    )
    p.add_argument("--board", metavar="NAME", help="add the images as panels of this board (created if new)")
    p.add_argument(
        "--budget",
        metavar="USD",
        help="a cap for this call: refused before sending if its quote could exceed it",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="asset-studio",
        description="Design, mask and export images with OpenAI's image API. With no command, opens the app.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"asset-studio {__version__}")
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add Asset Studio to your applications menu (desktop file, icons, metainfo in ~/.local/share)",
    )
    parser.add_argument(
        "--uninstall-desktop-entry", action="store_true", help="remove what --install-desktop-entry added"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="self-test the GUI: open the window, run one sandbox generation, exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    q = sub.add_parser(
        "quote",
        help="the price of a request before anything is sent (exact, or an estimate with a bound)",
        description="Quote a request. gpt-image-2: output tokens exactly (OpenAI's formula). gpt-image-2.5 "
        "/ 2.6: "
        "an estimate that learns from your bills, with an upper bound that caps use. Text and input "
        'images: an estimate and an upper bound. --json says "kind": exact or estimate.',
    )
    q.add_argument("--prompt", default="", help="the prompt (optional: its tokens are added when given)")
    q.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="FILE",
        help="quote an edit of this image (repeatable)",
    )
    q.add_argument("--mask", metavar="FILE", help="the edit's mask")
    q.add_argument(
        "--markup", metavar="FILE", help="the edit's markup (transparent PNG drawn over the first image)"
    )
    q.add_argument("--batch", action="store_true", help="quote at Batch API prices (50%% off, 24 h)")
    q.add_argument("--rows", metavar="FILE.csv", help="with a template prompt: quote every row's variants")
    q.add_argument(
        "--board", metavar="NAME", help="with this board's cast: its reference images and woven text counted"
    )
    add_request_options(q)
    q.add_argument("--json", action="store_true", help="print JSON")

    g = sub.add_parser(
        "generate",
        help="generate images",
        description="Generate images: journaled, paced, saved to the library as received.",
    )
    g.add_argument(
        "--prompt",
        required=True,
        help="what to draw; a template makes variants: {a|b} choices give every combination, {column} "
        "takes --rows values ({{ and }} are literal braces)",
    )
    g.add_argument(
        "--rows", metavar="FILE.csv", help="CSV (UTF-8, header row names the columns) for {column}s"
    )
    _call_options(g)
    g.add_argument(
        "--no-cast", action="store_true", help="send without the board's cast (see `asset-studio cast`)"
    )
    add_batch_parser(sub)
    add_refine_parser(sub)
    add_cast_parser(sub)

    e = sub.add_parser(
        "edit",
        help="edit images with an optional mask or markup",
        description="Edit up to 16 images; the mask (alpha 0 = edit here) applies to the first and is "
        "resampled to its size. "
        "With a mask, the drift outside it is measured and (unless --no-guard) the source's own pixels are "
        "put back there.",
    )
    e.add_argument(
        "--image",
        action="append",
        required=True,
        metavar="FILE",
        help="input image (repeat for reference images)",
    )
    e.add_argument(
        "--mask",
        metavar="FILE",
        help="RGBA PNG: transparent pixels mark the area to edit; resized to the first image if needed",
    )
    e.add_argument(
        "--markup",
        metavar="FILE",
        help="gpt-image-2.5/2.6: transparent PNG of arrows, circles, notes drawn over the first "
        "image (exactly its size) to steer the edit; never with --mask; anything may change",
    )
    e.add_argument("--prompt", required=True, help="what to change")
    e.add_argument(
        "--input-fidelity", choices=["low", "high"], help="older models only; never sent to gpt-image-2"
    )
    e.add_argument(
        "--no-guard",
        action="store_true",
        help="write the raw result: do not put the source's pixels back outside the mask",
    )
    e.add_argument(
        "--feather",
        type=int,
        default=8,
        metavar="PX",
        help="the band around the mask where the edit blends into the source (default 8)",
    )
    _call_options(e)

    s = sub.add_parser(
        "sandbox",
        help="run the offline OpenAI-compatible sandbox",
        description="Serve OpenAI's image endpoints on loopback with placeholder images, realistic usage "
        "and injectable faults.",
    )
    s.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (0 = any free port; default 8000)")
    s.add_argument("--port-file", metavar="FILE", help="write the bound port here once listening")
    s.add_argument(
        "--tier",
        type=int,
        choices=range(1, 6),
        metavar="N",
        help="emulate rate tier N (1-5): images and tokens per minute",
    )
    s.add_argument(
        "--minute-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="length of the rate-limit 'minute' (shorten for tests)",
    )
    s.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="seconds to add to every image call"
    )
    s.add_argument(
        "--batch-seconds",
        type=float,
        default=20.0,
        metavar="S",
        help="how long a Batch API batch takes from validating to completed (default 20; OpenAI: up to 24 h)",
    )
    s.add_argument(
        "--batch-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="accept this model in batches although the data does not say it supports the Batch API",
    )
    s.add_argument(
        "--detail",
        choices=["flat", "photo"],
        default="flat",
        help="photo: add grain so PNGs weigh what real photos do (~20 MB at 4K)",
    )
    s.add_argument(
        "--faults",
        default="",
        metavar="SPEC",
        help=f"faults for the next requests, e.g. 'rate_limit:2,server_error' (kinds: {FAULT_KINDS}; ':*' = "
        "every request)",
    )

    s.add_argument(
        "--gif-access",
        choices=["on", "off"],
        default="on",
        help="off: GIF requests get the API's 'not enabled' 400",
    )
    s.add_argument(
        "--svg-model-selection",
        choices=["on", "off"],
        default="off",
        help="on: SVG requests must name svg.model; off (default): naming one is refused",
    )
    s.add_argument(
        "--shutdown",
        action="append",
        default=[],
        metavar="MODEL=DATE",
        help="serve this shutdown_date on /v1/models and refuse the model from that day (repeatable)",
    )
    s.add_argument(
        "--extra-model",
        action="append",
        default=[],
        metavar="ID",
        help="list and serve a model this version does not know, with the common rules (repeatable)",
    )
    s.add_argument(
        "--no-transparency",
        action="append",
        default=[],
        metavar="MODEL",
        help="answer a transparent background on this model with the API's 400 (repeatable)",
    )

    m = sub.add_parser(
        "models",
        help="the models this version and the endpoint know",
        description="Every model: status, shutdown date, "
        "whether its quotes are exact or estimates, and where each fact came from (this release's data or "
        "the endpoint's /v1/models).",
    )
    m.add_argument("--json", action="store_true", help="print JSON")
    m.add_argument(
        "--offline",
        action="store_true",
        help="do not read the endpoint's /v1/models; use what is cached and the bundled data",
    )
    m.add_argument(
        "--use",
        metavar="ID",
        help="opt in to a model the endpoint lists but this version does not know "
        "(common GPT-image rules, estimated quotes, labelled 'not in this version's model list')",
    )

    k = sub.add_parser(
        "key",
        help="the API key in the OS keyring",
        description="Store, check or delete the OpenAI API key in the OS keyring (service 'asset-studio'). "
        "`set` reads the key from standard input, never from the command line; without a "
        "keyring, --plaintext-file is the explicit opt-in to a 0600 file.",
    )
    k.add_argument("action", choices=["set", "status", "delete"])
    k.add_argument(
        "--no-check", action="store_true", help="set: store without checking the key against the API"
    )
    k.add_argument(
        "--plaintext-file",
        action="store_true",
        help="set: where no OS keyring exists, opt in to a plain-text file (mode 0600, NOT encrypted)",
    )

    led = sub.add_parser(
        "ledger",
        help="what each call was quoted and billed",
        description="Every call's quote bound and bill (from usage), with totals per day, month and board.",
    )
    led.add_argument("--csv", action="store_true", help="print CSV")
    led.add_argument("--json", action="store_true", help="print JSON")

    j = sub.add_parser(
        "jobs",
        help="the journal, including outcome-unknown jobs",
        description="The journal of calls: queued, sent, received, saved, failed or unknown (may have been "
        "billed).",
    )
    j.add_argument("--json", action="store_true", help="print JSON")
    j.add_argument("--limit", type=int, default=50, help="newest N jobs (default 50)")
    j.add_argument(
        "action",
        nargs="?",
        choices=["resolve"],
        help="resolve ID --as failed|unknown: settle a job that "
        "never settles on its own (e.g. started on another host)",
    )
    j.add_argument("job_id", nargs="?", metavar="ID", help="the job (a unique prefix of its id is enough)")
    j.add_argument(
        "--as",
        dest="resolve_as",
        choices=["failed", "unknown"],
        help="failed: it was not billed (releases its reservation); unknown: it may have been billed",
    )

    b = sub.add_parser(
        "budget",
        help="show or set hard spending caps",
        description="Hard caps: a call whose quote could cross one is refused before anything is sent. "
        "'none' removes a cap.",
    )
    b.add_argument("--day", metavar="USD", help="cap per day (UTC)")
    b.add_argument("--month", metavar="USD", help="cap per month (UTC)")
    b.add_argument("--call", metavar="USD", help="cap per call")
    b.add_argument("--board", nargs=2, metavar=("NAME", "USD"), help="cap for one board")
    b.add_argument("--json", action="store_true", help="print JSON")

    bo = sub.add_parser(
        "boards",
        help="list the storyboards in the library",
        description="Every board with its number of panels.",
    )
    bo.add_argument("--json", action="store_true", help="print JSON")

    x = sub.add_parser(
        "export",
        help="export a board: PNGs, contact sheet, PDF, GIF and MP4 animatics, manifest, ZIP",
        description="Export a board into a new folder inside DIR (written atomically: it appears complete "
        "or not at all). "
        "Nothing is written outside DIR; board names and captions become safe file names.",
    )
    x.add_argument("board", metavar="BOARD", help="the board's name (see `asset-studio boards`)")
    x.add_argument("--out", required=True, metavar="DIR", help="the folder to export into")
    x.add_argument(
        "--formats",
        metavar="LIST",
        help="comma-separated: png,contact,pdf,gif,mp4,manifest,zip (default: all)",
    )
    x.add_argument(
        "--per-page", type=int, default=6, choices=(1, 4, 6), help="PDF panels per page (default 6)"
    )
    x.add_argument("--page-size", default="A4", choices=("A4", "Letter"), help="PDF page size (default A4)")
    x.add_argument(
        "--columns", type=int, metavar="N", help="contact sheet columns (default: from the count and aspect)"
    )
    x.add_argument(
        "--gif-width", type=int, default=640, metavar="PX", help="animatic width, GIF and MP4 (default 640)"
    )
    x.add_argument("--no-burn-in", action="store_true", help="animatic frames without their captions")
    x.add_argument("--json", action="store_true", help="print JSON")

    t = sub.add_parser(
        "tier",
        help="show or set your OpenAI rate tier (for pacing)",
        description="Calls are paced to your tier's images and tokens per minute so that rate limits are "
        "avoided, not hit.",
    )
    t.add_argument("tier", nargs="?", type=int, choices=range(1, 6), metavar="N", help="1-5")
    return parser
