"""Colours that stay readable on light and dark desktops.

Windows and Linux desktops in dark mode hand Qt a dark palette: a fixed dark
orange chosen for a white window is unreadable on dark grey. Every colour the
console picks itself comes from here, in a light and a dark variant chosen by
the palette's window colour, and each pair is checked in the tests against the
WCAG contrast ratio for normal text (4.5:1).
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

# Text colours of findings and timings: error, warning, note.
_LIGHT_TEXT = {"error": "#a50e0e", "warning": "#7a4b00", "info": "#30475e"}
_DARK_TEXT = {"error": "#f6aea9", "warning": "#fdd663", "info": "#a8c7fa"}

# Cell tints behind a finding, with the text drawn on them.
_LIGHT_CELLS = {"error": ("#fbd5d5", "#1a1a1a"), "warning": ("#fff0c2", "#1a1a1a")}
_DARK_CELLS = {"error": ("#5c1d1d", "#fde7e7"), "warning": ("#4d3b00", "#fff4d6")}

# The profile banner: (background, text, border).
_LIGHT_BANNER = {"sandbox": ("#e8f0fe", "#174ea6", "#aecbfa"),
                 "live": ("#c5221f", "#ffffff", "#c5221f")}
_DARK_BANNER = {"sandbox": ("#1c3a5e", "#d2e3fc", "#3c6aa6"),
                "live": ("#b3261e", "#ffffff", "#f28b82")}

MIN_CONTRAST = 4.5


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def relative_luminance(colour: QColor | str) -> float:
    colour = QColor(colour)

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast_ratio(foreground: QColor | str, background: QColor | str) -> float:
    """WCAG 2 contrast ratio between two opaque colours (1 to 21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def warning_text_colours(palette: QPalette) -> dict[str, str]:
    """Colours for error, warning and note text drawn on the window's background."""
    return dict(_DARK_TEXT if is_dark(palette) else _LIGHT_TEXT)


def finding_cell_colours(palette: QPalette) -> dict[str, tuple[str, str]]:
    """(background, text) of a table cell that has an error or a warning."""
    return dict(_DARK_CELLS if is_dark(palette) else _LIGHT_CELLS)


def banner_colours(palette: QPalette) -> dict[str, tuple[str, str, str]]:
    return dict(_DARK_BANNER if is_dark(palette) else _LIGHT_BANNER)


def muted_text_colour(palette: QPalette, *, on_base: bool = False) -> str:
    """A quieter text colour for help lines (or, `on_base`, for table cells) that
    still reads at 4.5:1.

    Qt's placeholder and disabled colours are often too faint for text that must be read."""
    role = QPalette.ColorRole
    text = palette.color(role.Text if on_base else role.WindowText)
    window = palette.color(role.Base if on_base else role.Window)
    for share in (0.35, 0.25, 0.15, 0.0):
        mixed = QColor(round(text.red() + (window.red() - text.red()) * share),
                       round(text.green() + (window.green() - text.green()) * share),
                       round(text.blue() + (window.blue() - text.blue()) * share))
        if contrast_ratio(mixed, window) >= MIN_CONTRAST:
            return mixed.name()
    return text.name()


def dark_fusion_palette() -> QPalette:
    """A dark palette like the ones dark desktops hand to Fusion (for tests and
    screenshots; the console itself takes whatever palette the desktop gives)."""
    palette = QPalette()
    role = QPalette.ColorRole
    for name, colour in (
        (role.Window, "#353535"), (role.WindowText, "#f0f0f0"), (role.Base, "#2a2a2a"),
        (role.AlternateBase, "#424242"), (role.ToolTipBase, "#2a2a2a"),
        (role.ToolTipText, "#f0f0f0"), (role.Text, "#f0f0f0"), (role.Button, "#353535"),
        (role.ButtonText, "#f0f0f0"), (role.BrightText, "#ff6b6b"), (role.Link, "#8ab4f8"),
        (role.Highlight, "#2f65ca"), (role.HighlightedText, "#ffffff"),
        (role.PlaceholderText, "#9a9a9a"), (role.Light, "#505050"), (role.Midlight, "#454545"),
        (role.Mid, "#2f2f2f"), (role.Dark, "#232323"), (role.Shadow, "#141414"),
    ):
        palette.setColor(name, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor("#8a8a8a"))
    return palette
