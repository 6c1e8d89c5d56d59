"""A tab's action button: its words, accessible name, tool tip and shortcut in one call."""
from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def action_button(text: str, accessible: str, tip: str, shortcut: str | None = None) -> QPushButton:
    """A button named for screen readers; a shortcut is set and named in the tool tip."""
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    if shortcut:
        button.setShortcut(shortcut)
        tip = f"{tip} ({shortcut})"
    button.setToolTip(tip)
    return button
