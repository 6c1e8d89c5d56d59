"""Files opened from the desktop reach the console as paths."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from console.ui.file_open import FileOpenFilter


def test_a_file_opened_from_the_desktop_is_announced_and_other_events_pass(qapp):
    opened = []
    file_filter = FileOpenFilter()
    file_filter.files_opened.connect(opened.append)
    qapp.installEventFilter(file_filter)
    try:
        assert QApplication.sendEvent(qapp, QFileOpenEvent("/srv/prompts/01 Welcome.wav"))
        assert opened == [[Path("/srv/prompts/01 Welcome.wav")]]
        assert not file_filter.eventFilter(qapp, QEvent(QEvent.Type.User))
        assert len(opened) == 1
    finally:
        qapp.removeEventFilter(file_filter)
