"""Dark by default, light on request, neutral greys in both, a focus ring one can see, the choice stored with
the other settings."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QStyleFactory, QVBoxLayout, QWidget

from studio.core.errors import RefusedError
from studio.service.db import connect
from studio.service.user_settings import UserSettings, load_settings, update_settings
from studio.ui.theme import apply_theme, current_choice, installed_style, resolve

SURFACES = ("Window", "Base", "AlternateBase", "Button", "Mid")


@pytest.fixture
def app(qapp):
    """The application, with its style, palette and style sheet restored afterwards (other tests draw)."""
    style, pal, sheet = qapp.style().name() or "fusion", QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    qapp.setStyle(QStyleFactory.create(style))
    qapp.setPalette(pal)
    qapp.setStyleSheet(sheet)
    qapp.setProperty("studio_theme_choice", None)
    qapp.setProperty("studio_style", None)


def _lightness(color: QColor) -> int:
    return color.lightness()


def test_dark_and_light_are_neutral_greys(app):
    for scheme, dark in (("dark", True), ("light", False)):
        assert apply_theme(app, scheme) == scheme
        pal = app.palette()
        for name in SURFACES:
            c = pal.color(getattr(QPalette.ColorRole, name))
            assert c.red() == c.green() == c.blue(), f"{scheme} {name} is tinted: {c.name()}"
        window, text = pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.WindowText)
        assert (_lightness(window) < 64) is dark and (_lightness(text) > 192) is dark
        assert abs(_lightness(window) - _lightness(text)) > 150  # readable
        style = installed_style()
        assert style is not None and style.baseStyle().name().lower() == "fusion"


def test_system_follows_the_os_and_is_dark_when_it_cannot_tell(app):
    from PySide6.QtCore import Qt

    scheme = QApplication.styleHints().colorScheme()
    expected = "light" if scheme == Qt.ColorScheme.Light else "dark"
    assert resolve("system") == expected
    assert apply_theme(app, "system") == expected and current_choice(app) == "system"
    if scheme == Qt.ColorScheme.Unknown:  # the offscreen platform: the default is dark
        assert resolve("system") == "dark"


def _highlight_pixels(widget: QWidget) -> int:
    image: QImage = widget.grab().toImage()
    ring = widget.palette().color(QPalette.ColorRole.Highlight)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if abs(c.red() - ring.red()) + abs(c.green() - ring.green()) + abs(c.blue() - ring.blue()) < 60:
                count += 1
    return count


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_focus_is_clearly_visible(app, qtbot, scheme):
    apply_theme(app, scheme)
    host = QWidget()
    layout = QVBoxLayout(host)
    line, button, other = QLineEdit("text"), QPushButton("Generate"), QLineEdit()
    for w in (line, button, other):
        layout.addWidget(w)
    qtbot.addWidget(host)
    host.show()
    host.activateWindow()
    for widget in (line, button):
        other.setFocus()
        QApplication.processEvents()
        before = _highlight_pixels(widget)
        widget.setFocus()
        QApplication.processEvents()
        after = _highlight_pixels(widget)
        perimeter = 2 * (widget.width() + widget.height())
        # a ring of about 2 px all round: at least one pixel per unit of perimeter more than unfocused
        assert after - before >= perimeter, (type(widget).__name__, before, after, perimeter)


def test_the_theme_is_a_stored_setting(tmp_path):
    conn = connect(tmp_path / "lib.sqlite3")
    try:
        assert load_settings(conn).theme == "system"
        assert update_settings(conn, theme="light").theme == "light"
        assert load_settings(conn).theme == "light"
        with pytest.raises(RefusedError, match="theme 'pink'"):
            update_settings(conn, theme="pink")
        assert load_settings(conn).theme == "light"  # nothing stored from the refused change
        conn.execute("UPDATE settings SET value = 'neon' WHERE key = 'ui.theme'")
        conn.commit()
        loaded = load_settings(conn)
        assert loaded.theme == UserSettings().theme and any("theme" in p for p in loaded.problems)
    finally:
        conn.close()
