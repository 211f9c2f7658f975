"""`asset-studio key set|status|delete`: the key lives in the OS keyring, never on argv; a plain-text
file (mode 0600) only when the user opts in with --plaintext-file."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from .output import refuse, warn


def _read_key() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("OpenAI API key (input hidden): ")
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()


def _check(key: str) -> tuple[bool | None, str]:
    """(True ok / False refused / None could not tell, message)."""
    from studio.service.api import read_library_settings
    from studio.service.endpoint import OPENAI_BASE, Endpoint
    from studio.service.keycheck import check_key

    base = (
        (os.environ.get("OPENAI_BASE_URL") or "").strip() or read_library_settings().base_url or OPENAI_BASE
    )
    result = asyncio.run(check_key(Endpoint(base, key)))
    if result.ok:
        return True, result.message
    if result.message.startswith("Could not check"):
        return None, result.message
    return False, result.message


def run(args: argparse.Namespace) -> int:
    from studio.service import keys

    env_key = keys.take_env_key()
    if args.action == "set":
        key = _read_key()
        if not key:
            return refuse("no key on standard input (pipe it in, or type it at the hidden prompt)")
        if not args.no_check:
            ok, message = _check(key)
            if ok is False:
                warn(message)
                warn("the key was not stored")
                return 1
            warn(message)
        if args.plaintext_file:
            try:
                path = keys.store_plaintext(key)
            except (ValueError, OSError) as exc:
                return refuse(str(exc))
            warn(
                f"the key is in a plain-text file, {path} (mode 0600): NOT encrypted, readable by anyone "
                "with your account"
            )
            print(f"key stored in {path}")
            return 0
        try:
            keys.set_stored_key(key)
        except (ValueError, keys.KeyringUnavailable) as exc:
            return refuse(str(exc))
        print(f"key stored in the OS keyring ({keys.backend_name()})")
        if env_key:
            warn(
                "OPENAI_API_KEY is set in this environment and overrides the stored key for processes that "
                "have it"
            )
        return 0
    if args.action == "delete":
        removed = keys.delete_stored_key()
        removed_file = keys.delete_plaintext()
        print("key deleted from the OS keyring" if removed else "no key was stored in the OS keyring")
        if removed_file:
            print(f"plain-text key file deleted: {keys.plaintext_path()}")
        return 0
    found = keys.resolve_key(env_key)
    print(f"keyring backend: {keys.backend_name()}")
    if found.key is None:
        print("key: none (the app uses the offline sandbox until a key is set: asset-studio key set)")
        if found.problem:
            warn(found.problem)
            return 1
        return 0
    print(f"key: from the {found.source}")
    if found.source in ("session", "file"):
        print(f"stored in: {found.describe()}")
    ok, message = _check(found.key)
    print(f"check: {message}")
    return 0 if ok else 1
