"""The API key: keyring only, env override, never echoed, never in children's environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studio.service import keys
from studio.service.endpoint import resolve_endpoint

ROOT = Path(__file__).resolve().parents[1]
CANARY = "sk-canary-" + "Q7w" * 14


def test_keyring_round_trip_and_env_override(isolated):
    assert keys.resolve_key(None).source == "none"
    keys.set_stored_key(CANARY)
    assert isolated.store[("asset-studio", "openai-api-key")] == CANARY
    assert keys.resolve_key(None) == keys.KeySource(CANARY, "keyring")
    assert keys.resolve_key("sk-env-override").source == "environment"
    assert keys.delete_stored_key() and keys.resolve_key(None).key is None


def test_bad_keys_are_refused_before_storing(isolated):
    for bad in ("", "   ", "sk-two words"):
        with pytest.raises(ValueError):
            keys.set_stored_key(bad)
    assert isolated.store == {}


def test_taking_the_env_key_removes_it_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    assert keys.take_env_key() == CANARY
    assert "OPENAI_API_KEY" not in os.environ
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('OPENAI_API_KEY'))"],
        capture_output=True,
        text=True,
    )
    assert child.stdout.strip() == "None"


def test_endpoint_never_shows_the_key(isolated):
    keys.set_stored_key(CANARY)
    endpoint = resolve_endpoint(None, {})
    assert endpoint.key_source == "keyring" and CANARY not in repr(endpoint) and CANARY not in str(endpoint)


def test_no_keyring_backend_gives_a_clear_message(monkeypatch):
    import keyring
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())
    with pytest.raises(keys.KeyringUnavailable, match="no OS keyring is available"):
        keys.set_stored_key(CANARY)


def test_key_check_maps_401_to_plain_words(run, sandbox):
    from studio.service.endpoint import Endpoint
    from studio.service.keycheck import check_key

    ok = run(check_key(Endpoint(sandbox.base_url, "k")))
    assert ok.ok and ok.has_gpt_image_2
    sandbox.config.faults.push("models/bad_key")
    bad = run(check_key(Endpoint(sandbox.base_url, "k")))
    assert not bad.ok and "The key was refused" in bad.message


def _cli(*args, env, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        timeout=60,
    )


def test_key_cli_reads_stdin_and_never_echoes(tmp_path, sandbox):
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
        "ASSET_STUDIO_TEST_KEYRING": str(tmp_path / "kr.json"),
        "OPENAI_BASE_URL": sandbox.base_url,
    }
    r = _cli("key", "set", env=env, stdin=CANARY + "\n")
    assert r.returncode == 0, r.stderr
    assert "key stored in the OS keyring" in r.stdout and "The key works" in r.stderr
    status = _cli("key", "status", env=env)
    assert status.returncode == 0 and "key: from the keyring" in status.stdout
    sandbox.config.faults.push("models/bad_key")
    refused = _cli("key", "status", env=env)
    assert refused.returncode == 1 and "The key was refused" in refused.stdout
    for out in (r, status, refused):
        assert CANARY not in out.stdout + out.stderr
    assert _cli("key", "delete", env=env).stdout.strip() == "key deleted from the OS keyring"


def test_a_refused_key_is_not_stored(tmp_path, sandbox):
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
        "ASSET_STUDIO_TEST_KEYRING": str(tmp_path / "kr.json"),
        "OPENAI_BASE_URL": sandbox.base_url,
    }
    sandbox.config.faults.push("models/bad_key")
    r = _cli("key", "set", env=env, stdin=CANARY + "\n")
    assert r.returncode == 1 and "not stored" in r.stderr and not (tmp_path / "kr.json").exists()


@pytest.mark.integration
def test_real_secret_service_round_trip(tmp_path):
    """gnome-keyring's Secret Service on a private D-Bus session (CI installs both)."""
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("dbus-run-session and gnome-keyring-daemon are not installed")
    script = (
        "import keyring; from studio.service import keys; "
        "print(keys.backend_name()); "
        f"keys.set_stored_key({CANARY!r}); "
        f"assert keys.get_stored_key() == {CANARY!r}; "
        "assert keys.delete_stored_key(); assert keys.get_stored_key() is None; print('round trip ok')"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        }
    )
    (tmp_path / "run").mkdir(mode=0o700)
    shell = (
        "echo -n test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
        f'{sys.executable} -c "{script}"'
    )
    r = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SecretService" in r.stdout and "round trip ok" in r.stdout


def test_key_set_plaintext_file_is_an_explicit_opt_in(tmp_path):
    import os
    import stat
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    plain_key = "-".join(["sk", "plain", "0003"])  # built at run time: no key-shaped literal in the source
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    r = subprocess.run(
        [sys.executable, "-m", "studio", "key", "set", "--no-check"],
        input=plain_key + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2 and "--plaintext-file" in r.stderr  # no keyring: refused, options named
    assert not (tmp_path / "cfg").exists()
    r = subprocess.run(
        [sys.executable, "-m", "studio", "key", "set", "--no-check", "--plaintext-file"],
        input=plain_key + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0 and "NOT encrypted" in r.stderr and plain_key not in r.stdout + r.stderr
    path = tmp_path / "cfg" / "asset-studio" / "api-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    r = subprocess.run(
        [sys.executable, "-m", "studio", "key", "status"], capture_output=True, text=True, env=env, timeout=60
    )
    assert "key: from the file" in r.stdout and "mode 0600" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "studio", "key", "delete"], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0 and not path.exists()


def test_a_key_file_readable_by_others_is_refused_with_a_visible_reason(tmp_path):
    from studio.service import keys as keys_mod

    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    path = keys_mod.plaintext_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CANARY)
    path.chmod(0o644)
    r = _cli("key", "status", env=env)
    assert r.returncode == 1 and "has mode 0644, readable by others: it is refused" in r.stderr
    assert CANARY not in r.stdout + r.stderr
    assert keys_mod.resolve_key(None).problem and keys_mod.resolve_key(None).key is None
    path.chmod(0o600)
    assert keys_mod.resolve_key(None).key == CANARY
