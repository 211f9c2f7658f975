"""The studio's look: Fusion with neutral greys (no tint that would shift how an image reads), dark by
default, light on request, or following the OS colour scheme where Qt can read it; and a focus ring that is
always visible (2 px in the highlight colour around the focused input, button or list).

    apply_theme(app, "system")   # "dark" | "light" | "system"
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

# neutral greys (R = G = B): a tinted surround changes how colours in an image are judged
DARK = {
    "Window": "#262626",
    "WindowText": "#e8e8e8",
    "Base": "#1c1c1c",
    "AlternateBase": "#2e2e2e",
    "Text": "#e8e8e8",
    "PlaceholderText": "#9a9a9a",
    "Button": "#333333",
    "ButtonText": "#e8e8e8",
    "Mid": "#4a4a4a",
    "Dark": "#141414",
    "Light": "#5a5a5a",
    "Midlight": "#404040",
    "Shadow": "#000000",
    "ToolTipBase": "#333333",
    "ToolTipText": "#f0f0f0",
    "Highlight": "#3b82f6",
    "HighlightedText": "#ffffff",
    "Link": "#7ab0ff",
    "BrightText": "#ff6b6b",
}
LIGHT = {
    "Window": "#efefef",
    "WindowText": "#1a1a1a",
    "Base": "#ffffff",
    "AlternateBase": "#f5f5f5",
    "Text": "#1a1a1a",
    "PlaceholderText": "#6e6e6e",
    "Button": "#e6e6e6",
    "ButtonText": "#1a1a1a",
    "Mid": "#b4b4b4",
    "Dark": "#9e9e9e",
    "Light": "#ffffff",
    "Midlight": "#d8d8d8",
    "Shadow": "#5a5a5a",
    "ToolTipBase": "#ffffdc",
    "ToolTipText": "#1a1a1a",
    "Highlight": "#2563eb",
    "HighlightedText": "#ffffff",
    "Link": "#1d4ed8",
    "BrightText": "#c62828",
}
DISABLED_TEXT = {"dark": "#7a7a7a", "light": "#9a9a9a"}
FOCUS_RING_PX = 2


def resolve(choice: str) -> str:
    """ "dark" or "light": the choice, or for "system" the OS scheme (dark where Qt cannot tell)."""
    if choice in ("dark", "light"):
        return choice
    scheme = QGuiApplication.styleHints().colorScheme()
    return "light" if scheme == Qt.ColorScheme.Light else "dark"


def palette(scheme: str) -> QPalette:
    colors = DARK if scheme == "dark" else LIGHT
    pal = QPalette()
    for name, value in colors.items():
        pal.setColor(getattr(QPalette.ColorRole, name), QColor(value))
    disabled = QColor(DISABLED_TEXT[scheme])
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return pal


class FocusRingStyle(QProxyStyle):
    """Fusion, plus a 2 px ring in the highlight colour around whatever has keyboard focus (Fusion's own
    focus cue is a 1 px tint that was hard to see on both themes)."""

    RINGED = (
        QStyle.PrimitiveElement.PE_FrameLineEdit,
        QStyle.PrimitiveElement.PE_PanelButtonCommand,
        QStyle.PrimitiveElement.PE_FrameFocusRect,
    )

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802 (Qt naming)
        super().drawPrimitive(element, option, painter, widget)
        if element in self.RINGED and _focused(option, widget):
            _ring(painter, option)

    def drawComplexControl(self, control, option, painter, widget=None) -> None:  # noqa: N802
        super().drawComplexControl(control, option, painter, widget)
        boxes = (QStyle.ComplexControl.CC_ComboBox, QStyle.ComplexControl.CC_SpinBox)
        if control in boxes and _focused(option, widget):
            _ring(painter, option)


def _focused(option: QStyleOption, widget: QWidget | None) -> bool:
    return bool(option.state & QStyle.StateFlag.State_HasFocus) and (widget is None or widget.hasFocus())


def _ring(painter: QPainter, option: QStyleOption) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(option.palette.color(QPalette.ColorRole.Highlight), FOCUS_RING_PX)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = FOCUS_RING_PX / 2
    painter.drawRoundedRect(QRectF(option.rect).adjusted(half, half, -half, -half), 3, 3)
    painter.restore()


# item views draw their frame without a focus primitive: a style sheet rule gives them the same ring
VIEW_RING = (
    "QListView:focus, QListWidget:focus, QTreeWidget:focus, QPlainTextEdit:focus, QTextEdit:focus "
    "{{ border: {px}px solid {color}; border-radius: 3px; }}"
)
# the sandbox banner (amber) and the message strip (red), toned for each theme; text always says what it is
STRIPS = {
    "dark": (
        "#sandboxBanner {{ background: #3d3200; border-bottom: 1px solid #806a00; }}"
        "#sandboxText {{ color: #ffe08a; font-weight: 600; }}"
        "#messageStrip {{ background: #4a1c1c; color: #ffd6d6; padding: 6px 12px; }}"
    ),
    "light": (
        "#sandboxBanner {{ background: #fff4ce; border-bottom: 1px solid #e0c060; }}"
        "#sandboxText {{ color: #5a4500; font-weight: 600; }}"
        "#messageStrip {{ background: #fdecea; color: #8a1c1c; padding: 6px 12px; }}"
    ),
}


_KEEP: list[FocusRingStyle] = []  # the installed style (app.style() gives back a plain QCommonStyle)


def installed_style() -> FocusRingStyle | None:
    return _KEEP[0] if _KEEP else None


def apply_theme(app: QApplication, choice: str) -> str:
    """Apply the theme now (every open window follows); returns the scheme used ("dark" or "light")."""
    scheme = resolve(choice)
    if not app.property("studio_style"):
        style = FocusRingStyle(QStyleFactory.create("Fusion"))
        _KEEP[:] = [style]  # PySide drops the Python half of a style it does not own: keep it alive
        app.setStyle(style)
        app.setProperty("studio_style", True)
        # the OS switching between light and dark re-applies while the user's choice is "system"
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            lambda _scheme: apply_theme(app, "system") if current_choice(app) == "system" else None
        )
    pal = palette(scheme)
    app.setPalette(pal)
    color = pal.color(QPalette.ColorRole.Highlight).name()
    app.setStyleSheet((VIEW_RING + STRIPS[scheme]).format(px=FOCUS_RING_PX, color=color))
    app.setProperty("studio_theme", scheme)
    app.setProperty("studio_theme_choice", choice)
    return scheme


def current_choice(app: QApplication) -> str:
    """What the user chose ("system" until a theme was applied)."""
    return str(app.property("studio_theme_choice") or "system")
