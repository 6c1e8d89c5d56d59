"""One place where every user-facing message goes.

Tabs show their results inline and also post them here; the main window shows
the latest in the status bar. Tests connect to `posted` to record what the
user was told (the qutebrowser `message` bridge idea).

Messages posted while the console starts, before its window can show them,
are kept (`backlog`) and handed over once by `deliver_backlog()`, so the
start-up notice lists every one of them instead of the last status-bar line.
Every message is also written to the log.

The bridge carries the start-up `Notices` collector too: whatever gets the
bridge can report a damaged file (`messages.notices.damaged_file(...)`).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from console.domain.vocabulary import MessageLevel
from console.store.notices import Notices

log = logging.getLogger("console.messages")


# One vocabulary: the levels the jobs already emit (UploadQueue.message) are the bridge's.
Level = MessageLevel


_LOG_LEVEL = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING,
              Level.ERROR: logging.ERROR}


class MessageBridge(QObject):
    posted = Signal(str, str)  # level (a Level: "info", "warning", "error"), text

    def __init__(self, parent: QObject | None = None, *, notices: Notices | None = None) -> None:
        super().__init__(parent)
        self.notices = notices if notices is not None else Notices()
        self.history: list[tuple[str, str]] = []
        self.backlog: list[tuple[Level, str]] = []
        self._delivered = False

    def post(self, level: Level | str, text: str) -> None:
        level = Level(level)
        log.log(_LOG_LEVEL[level], "%s", text)
        self.history.append((level, text))
        del self.history[:-200]
        if not self._delivered:
            self.backlog.append((level, text))
        self.posted.emit(level, text)

    def info(self, text: str) -> None:
        self.post(Level.INFO, text)

    def warning(self, text: str) -> None:
        self.post(Level.WARNING, text)

    def error(self, text: str) -> None:
        self.post(Level.ERROR, text)

    @property
    def delivered(self) -> bool:
        return self._delivered

    def deliver_backlog(self) -> list[tuple[Level, str]]:
        """The messages posted before the window could show them, once.

        From then on messages are no longer kept back: the window shows them
        as they come.
        """
        if self._delivered:
            return []
        self._delivered = True
        backlog, self.backlog = self.backlog, []
        return backlog
