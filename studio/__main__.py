"""`asset-studio` and `python -m studio`: a subcommand runs the command line, nothing opens the GUI."""

from __future__ import annotations

import os
import sys

from studio.cli import SUBCOMMANDS


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] in (["--install-desktop-entry"], ["--uninstall-desktop-entry"]):
        from studio.cli.desktop_cmd import install, uninstall  # no Qt needed

        return install() if args[0] == "--install-desktop-entry" else uninstall()
    if args and (args[0] in SUBCOMMANDS or args[0] in ("-h", "--help", "--version")):
        from studio.cli import main as cli_main  # the command line never loads Qt

        return cli_main(args)
    unknown = [a for a in args if not a.startswith("-") and not os.path.exists(a)]
    if unknown:  # not a command and not a file to open: say so instead of opening the window
        from studio.core.redact import redact_arguments

        print(
            f"asset-studio: error: {redact_arguments(repr(unknown[0]))} is neither a command nor an "
            "existing file "
            f"(commands: {', '.join(SUBCOMMANDS)}; see asset-studio --help)",
            file=sys.stderr,
        )
        return 2
    from studio.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
