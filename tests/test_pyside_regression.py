"""PySide6 6.12.0 on CPython < 3.12 loses a reference to None on every void call and aborts real apps.

The dependency marker keeps 3.11 below 6.12; this test fails if a bad build is ever installed."""

import sys
from importlib.metadata import version

from packaging.version import Version


def test_installed_pyside_is_not_the_known_bad_one():
    installed = Version(version("PySide6-Essentials"))
    if sys.version_info < (3, 12):
        assert installed < Version("6.12"), f"PySide6-Essentials {installed} crashes on Python 3.11"


def test_void_calls_keep_none_alive(qapp):
    from PySide6.QtWidgets import QLabel

    label = QLabel("x")
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.setText("y")
        label.setObjectName("z")
    after = sys.getrefcount(None)
    # None is immortal from 3.12 on (its count is huge and fixed); below 3.12 it must not fall.
    assert after >= before - 100, f"None lost {before - after} references in 40,000 void calls"
