"""One place where every user-facing message goes.

Tabs show their results inline and also post them here; the main window shows
the latest in the status bar and keeps a short log. Tests connect to `posted`
to record what the user was told (the qutebrowser `message` bridge idea).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class MessageBridge(QObject):
    posted = Signal(str, str)  # level ("info", "warning", "error"), text

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[tuple[str, str]] = []

    def _post(self, level: str, text: str) -> None:
        self.history.append((level, text))
        del self.history[:-200]
        self.posted.emit(level, text)

    def info(self, text: str) -> None:
        self._post("info", text)

    def warning(self, text: str) -> None:
        self._post("warning", text)

    def error(self, text: str) -> None:
        self._post("error", text)
