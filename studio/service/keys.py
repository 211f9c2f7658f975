"""The API key: in the OS keyring (service "asset-studio"), or OPENAI_API_KEY for this process.

When the OS has no usable keyring, nothing falls back silently: the user chooses between keeping the
key for this session only (memory), OPENAI_API_KEY, or an explicit opt-in plain-text file with mode
0600 (with a visible warning), and Settings says which one is in use.
Keyring calls may block (D-Bus, a locked collection), so the async functions run them in a thread.
The key is never logged, echoed or passed on to child processes.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
import platformdirs

from studio.core.files import atomic_write

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
            "no OS keyring is available (on Linux: a Secret Service such as gnome-keyring or KWallet, "
            "unlocked, "
            "on a D-Bus session). Set OPENAI_API_KEY for this process instead, keep the key for one app "
            "session, or opt in "
            "to a plain-text file (mode 0600, not encrypted): asset-studio key set --plaintext-file"
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


_session_key: str | None = None  # "this session only": process memory, gone when the app quits


def keyring_usable() -> bool:
    return _usable()


def set_session_key(key: str | None) -> None:
    global _session_key
    _session_key = key.strip() if key and key.strip() else None


def plaintext_path() -> Path:
    return Path(platformdirs.user_config_dir("asset-studio", appauthor=False)) / "api-key"


def store_plaintext(key: str) -> Path:
    """The explicit opt-in: the key in a plain-text file only this user can read (mode 0600)."""
    key = key.strip()
    if not key or any(c.isspace() for c in key):
        raise ValueError("the key is empty or contains spaces")
    path = plaintext_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, key.encode("utf-8"), mode=0o600)  # 0600 from the first byte, never readable by others
    return path


def read_plaintext() -> str | None:
    path = plaintext_path()
    try:
        if path.stat().st_mode & 0o077:  # readable by others: refuse rather than use a leaked key
            return None
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def plaintext_problem() -> str | None:
    """Why a key file that exists is not used (its mode lets others read it), in words; None if fine."""
    path = plaintext_path()
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"the key file {path} has mode {mode & 0o777:04o}, readable by others: it is refused (the key "
            "may "
            f"have leaked). Check it, then `chmod 600 {path}`, or store the key again"
        )
    return None


def delete_plaintext() -> bool:
    try:
        plaintext_path().unlink()
        return True
    except FileNotFoundError:
        return False


@dataclass(frozen=True)
class KeySource:
    key: str | None
    source: str  # "environment", "keyring", "session", "file" or "none"
    problem: str | None = None  # e.g. a key file refused for its mode

    def describe(self) -> str:
        return {
            "environment": "OPENAI_API_KEY (this process only)",
            "keyring": f"the OS keyring ({backend_name()})",
            "session": "this session only (kept in memory, gone when Asset Studio quits)",
            "file": f"a plain-text file, {plaintext_path()} (mode 0600, NOT encrypted: anyone with your "
            "account can read it)",
            "none": "nowhere: no key is set" + (f" ({self.problem})" if self.problem else ""),
        }[self.source]


def resolve_key(env_key: str | None) -> KeySource:
    if env_key:
        return KeySource(env_key, "environment")
    stored = get_stored_key()
    if stored:
        return KeySource(stored, "keyring")
    if _session_key:
        return KeySource(_session_key, "session")
    text = read_plaintext()
    if text:
        return KeySource(text, "file")
    return KeySource(None, "none", plaintext_problem())


async def aresolve_key(env_key: str | None) -> KeySource:
    return await asyncio.to_thread(resolve_key, env_key)


async def aset_stored_key(key: str) -> None:
    await asyncio.to_thread(set_stored_key, key)


async def adelete_stored_key() -> bool:
    return await asyncio.to_thread(delete_stored_key)
