"""The first-run welcome inside the window: sandbox explained, the key added (checked, stored, used at
once), plain-word refusals, the tier and caps; and the no-keyring choices."""

from __future__ import annotations

import os
import stat

import keyring
import keyring.backends.fail
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from studio.service import keys

from .window_helpers import until

SCREENS = os.environ.get("SCREENSHOT_DIR")
# fake keys, built at run time so that no key-shaped literal sits in the source
WELCOME_KEY = "-".join(["sk", "test", "welcome", "0001"])
PLAINTEXT_KEY = "-".join(["sk", "test", "plaintext", "0002"])
SESSION_KEY = "-".join(["sk", "test", "session", "0003"])
WRONG_KEY = "-".join(["sk", "wrong"])
UNVERIFIED_KEY = "-".join(["sk", "unverified"])


def _welcome(window, qloop, sandbox, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", sandbox.base_url)  # "OpenAI" here is the sandbox as a real endpoint
    window.show_welcome()
    until(qloop, lambda: window.key_setup.keyring_usable is not None)
    return window.welcome


def test_welcome_keeps_the_prompt_and_ctrl_return_generates(studio, qloop, sandbox, monkeypatch):
    window = studio()
    panel = _welcome(window, qloop, sandbox, monkeypatch)
    assert panel.isVisible() and "sandbox" in panel.findChildren(type(panel.key_status))[1].text()
    assert all(
        w.focusPolicy() == Qt.FocusPolicy.ClickFocus
        for w in (panel.key, panel.add_key, panel.skip, panel.done)
    )
    QTest.keyClicks(window.editor.prompt, "a red kite")
    window.editor.prompt.setFocus()
    QTest.keyClick(window.editor.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    until(qloop, lambda: len(window.session.board.rows) == 1 and not window.session.board.rows[0].pending)
    if SCREENS:
        window.grab().save(os.path.join(SCREENS, "12-welcome.png"))


def test_adding_a_key_switches_from_the_sandbox_at_once(studio, qloop, sandbox, monkeypatch):
    window = studio()
    panel = _welcome(window, qloop, sandbox, monkeypatch)
    panel.key.setText(WELCOME_KEY)
    panel.add_key.click()
    assert panel.key.text() == ""  # the field never keeps the key
    until(qloop, lambda: "Generate now uses your OpenAI account" in panel.key_status.text())
    assert "OS keyring" in panel.key_status.text() and WELCOME_KEY[:7] not in panel.key_status.text()
    assert keyring.get_password(keys.SERVICE, keys.USERNAME) == WELCOME_KEY
    assert not window.session.sandbox and not window.banner.isVisible()
    panel.tier.setCurrentIndex(2)
    panel.day_cap.setText("3.50")
    saved: list[bool] = []
    window.session.preferences.changed.connect(lambda: saved.append(True))
    panel.done.click()
    until(qloop, lambda: bool(saved))
    settings = qloop.run_until_complete(window.session.studio.settings.load())
    caps = qloop.run_until_complete(window.session.studio.costs.caps())
    assert settings.welcome == "saved" and settings.tier == 3 and str(caps.day) == "3.50"
    # the next call is a real (non-sandbox) call: it counts in the ledger
    window.session.prompt.load({"prompt": "x", "size": "1024x1024", "quality": "low", "n": 1})
    window.generate()
    until(qloop, lambda: any(not r.pending and not r.sandbox for r in window.session.board.rows))


def test_refusals_in_plain_words(studio, qloop, sandbox, monkeypatch):
    window = studio()
    panel = _welcome(window, qloop, sandbox, monkeypatch)
    sandbox.config.faults.push("models/bad_key")
    panel.key.setText(WRONG_KEY)
    panel.add_key.click()
    until(qloop, lambda: "The key was refused" in panel.key_status.text())
    assert (
        "not stored" in panel.key_status.text() and keyring.get_password(keys.SERVICE, keys.USERNAME) is None
    )
    sandbox.config.faults.push("models/org_unverified")
    panel.key.setText(UNVERIFIED_KEY)
    panel.add_key.click()
    until(qloop, lambda: "must be verified" in panel.key_status.text())
    assert window.session.sandbox


def test_without_a_keyring_nothing_falls_back_silently(studio, qloop, sandbox, monkeypatch):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    window = studio()
    panel = _welcome(window, qloop, sandbox, monkeypatch)
    assert panel.storage.isVisibleTo(panel) and "No usable OS keyring" in panel.key_status.text()
    panel.storage.setCurrentIndex(panel.storage.findData("file"))
    panel.key.setText(PLAINTEXT_KEY)
    panel.add_key.click()
    until(qloop, lambda: "Generate now uses" in panel.key_status.text())
    assert "plain-text file" in panel.key_status.text() and "NOT encrypted" in panel.key_status.text()
    path = keys.plaintext_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == PLAINTEXT_KEY
    assert keys.resolve_key(None).source == "file"
    keys.delete_plaintext()
    keys.set_session_key(SESSION_KEY)
    try:
        assert keys.resolve_key(None).source == "session" and "memory" in keys.resolve_key(None).describe()
    finally:
        keys.set_session_key(None)
