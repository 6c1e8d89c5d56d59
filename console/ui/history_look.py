"""How an outcome looks in History's table: its colour and its icon.

Both are hints only: the outcome is always spelled out as well.
"""
from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

_COLOURS = {
    "done": QColor("#1b6e35"),
    "failed": QColor("#b3261e"),
    "unknown": QColor("#8a4b00"),
    "pending": QColor("#55585c"),
}
_ICONS = {
    "done": QStyle.StandardPixmap.SP_DialogApplyButton,
    "failed": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "unknown": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "pending": QStyle.StandardPixmap.SP_BrowserReload,
}


class OutcomeLook:
    """Brushes made once, icons made on first use (the table asks on every repaint)."""

    def __init__(self) -> None:
        self._brushes = {outcome: QBrush(colour) for outcome, colour in _COLOURS.items()}
        self._icons: dict[str, QIcon] = {}

    def brush(self, outcome: str) -> QBrush:
        return self._brushes[outcome]

    def icon(self, outcome: str) -> QIcon:
        icon = self._icons.get(outcome)
        if icon is None:
            icon = self._icons[outcome] = QApplication.style().standardIcon(_ICONS[outcome])
        return icon

