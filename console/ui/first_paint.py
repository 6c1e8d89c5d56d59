"""Telling the main window when its native window was first exposed (painted)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer


class FirstPaintWatcher(QObject):
    """Tells the window when its native window was first exposed (painted)."""

    def __init__(self, callback: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._done and event.type() == QEvent.Type.Expose
                and getattr(watched, "isExposed", lambda: True)()):
            self._done = True
            # Qt paints the widgets while it handles the expose event: run the
            # callback after that, from the event loop.
            QTimer.singleShot(0, self, self._callback)
            # Done: the window's later events need not each visit Python.
            watched.removeEventFilter(self)
        return False
