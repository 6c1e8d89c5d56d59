"""Files opened from the desktop (macOS Finder's "Open With") rather than as arguments."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFileOpenEvent

__all__ = ["FileOpenFilter"]


class FileOpenFilter(QObject):
    """macOS Finder's "Open With" sends files as QFileOpenEvent, not arguments.

    Installed on the QApplication, it announces each file opened that way.
    """

    files_opened = Signal(list)  # [Path]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            self.files_opened.emit([Path(event.file())])
            return True
        return False
