"""The API key: in the OS keyring only (service "asset-studio"), or OPENAI_API_KEY for this process.

Keyring calls may block (D-Bus, a locked collection), so the async functions run them in a thread.
The key is never logged, echoed, written to a file or passed on to child processes.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import keyring
import keyring.errors

SERVICE = "asset-studio"
USERNAME = "openai-api-key"
ENV = "OPENAI_API_KEY"


class KeyringUnavailable(RuntimeError):
    pass


def take_env_key(environ: dict[str, str] | None = None) -> str | None:
    """Read OPENAI_API_KEY and remove it from the environment, so child processes never inherit it."""
    env = os.environ if environ is None else environ
    key = env.pop(ENV, None)
    return key.strip() if key and key.strip() else None


def backend_name() -> str:
    kr = keyring.get_keyring()
    return f"{type(kr).__module__}.{type(kr).__name__}"


def _usable() -> bool:
    try:
        return keyring.get_keyring().priority > 0
    except Exception:
        return False


def get_stored_key() -> str | None:
    if not _usable():
        return None
    try:
        return keyring.get_password(SERVICE, USERNAME)
    except keyring.errors.KeyringError:
        return None


def set_stored_key(key: str) -> None:
    key = key.strip()
    if not key:
        raise ValueError("the key is empty")
    if any(c.isspace() for c in key):
        raise ValueError("the key contains spaces or line breaks")
    if not _usable():
        raise KeyringUnavailable(
            "no OS keyring is available (on Linux: a Secret Service such as gnome-keyring or KWallet, unlocked, "
            "on a D-Bus session). Set OPENAI_API_KEY for this process instead; Asset Studio never writes the key to a file."
        )
    try:
        keyring.set_password(SERVICE, USERNAME, key)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"the keyring refused the key: {type(exc).__name__}") from None


def delete_stored_key() -> bool:
    if not _usable():
        return False
    try:
        keyring.delete_password(SERVICE, USERNAME)
        return True
    except keyring.errors.PasswordDeleteError:
        return False


@dataclass(frozen=True)
class KeySource:
    key: str | None
    source: str  # "environment", "keyring" or "none"


def resolve_key(env_key: str | None) -> KeySource:
    if env_key:
        return KeySource(env_key, "environment")
    stored = get_stored_key()
    if stored:
        return KeySource(stored, "keyring")
    return KeySource(None, "none")


async def aresolve_key(env_key: str | None) -> KeySource:
    return await asyncio.to_thread(resolve_key, env_key)


async def aset_stored_key(key: str) -> None:
    await asyncio.to_thread(set_stored_key, key)


async def adelete_stored_key() -> bool:
    return await asyncio.to_thread(delete_stored_key)
