"""The command line: `asset-studio
quote|generate|edit|batch|refine|cast|sandbox|key|ledger|jobs|budget|tier|boards|export|models`.

Exit status: 0 success, 1 a call failed, 2 refused before anything was sent (bad input or over budget).
Heavy modules (openai, Pillow, uvicorn) are imported only by the subcommand that needs them.
"""

from __future__ import annotations

import sys

SUBCOMMANDS = (
    "quote",
    "generate",
    "edit",
    "sandbox",
    "key",
    "ledger",
    "jobs",
    "budget",
    "tier",
    "boards",
    "export",
    "models",
    "batch",
    "refine",
    "cast",
)

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def build_parser():
    from .parser import build_parser as build

    return build()


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
    elif args.command == "sandbox":
        from .sandbox_cmd import run
    elif args.command == "key":
        from .key_cmd import run
    elif args.command == "models":
        from .models_cmd import run
    elif args.command == "batch":
        from .batch_cmd import run
    elif args.command == "refine":
        from .refine_cmd import run
    elif args.command == "cast":
        from .cast_cmd import run
    elif args.command in ("boards", "export"):
        from .export_cmd import run
    else:
        from .library_cmd import run
    from studio.core.errors import StudioError
    from studio.core.redact import redact

    try:
        return run(args)
    except StudioError as exc:  # e.g. an unusable data folder: one clear line, never a traceback
        print(f"asset-studio: error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("asset-studio: interrupted", file=sys.stderr)
        return 130
