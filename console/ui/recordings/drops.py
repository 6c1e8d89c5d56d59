"""Files and folders dropped on the Recordings tab.

Local files and folders go to the queue; anything not stored on this computer
(a link from a browser, a phone's file) is left out and named. While a drag
with local files is over the tab, the queue view shows where they will land.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget

from console.domain.wording import plural
from console.ui.recordings.view import QueueView


def local_paths(event: QDropEvent) -> tuple[list[Path], int]:
    """The dropped files and folders stored on this computer, and how many others."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return [], 0
    urls: list[QUrl] = mime.urls()
    local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and u.toLocalFile()]
    return local, len(urls) - len(local)


class FileDrops(QObject):
    """Takes the drag and drop events of `target` (it filters them out of its own)."""

    def __init__(self, target: QWidget, *, view: QueueView, add: Callable[[list[Path]], None],
                 warn: Callable[[str], None]) -> None:
        super().__init__(target)
        self._view = view
        self._add = add
        self._warn = warn
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # A drag entering is also a drag moving, which is also a drop: the order matters.
        if isinstance(event, QDragEnterEvent):
            self._entered(event)
        elif isinstance(event, QDragMoveEvent):
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
            else:
                event.ignore()
        elif isinstance(event, QDragLeaveEvent):
            self._view.set_dragging(False)
            event.accept()
        elif isinstance(event, QDropEvent):
            self._dropped(event)
        else:
            return super().eventFilter(watched, event)
        return True

    def _entered(self, event: QDragEnterEvent) -> None:
        local, _ = local_paths(event)
        if local:
            event.acceptProposedAction()
            self._view.set_dragging(True)
        else:
            event.ignore()

    def _dropped(self, event: QDropEvent) -> None:
        self._view.set_dragging(False)
        local, remote = local_paths(event)
        if remote:
            self._warn(f"Left out {plural(remote, 'dropped item')} not stored on this "
                       "computer: save to a folder first, then add from there.")
        if not local:
            event.ignore()
            return
        event.acceptProposedAction()
        self._add(local)
