"""The Recordings tab's progress: one bar for the bytes, one sentence for the files."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar

from console.jobs.uploads import UploadQueue
from console.ui.recordings.words import progress_text


class ProgressRow:
    """The bar and the summary beside it, in one row (`row`)."""

    def __init__(self) -> None:
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Overall upload progress")
        self.label = QLabel()
        self.label.setAccessibleName("Upload summary")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.row = QHBoxLayout()
        self.row.addWidget(self.bar, 2)
        self.row.addWidget(self.label, 3)

    def show_queue(self, queue: UploadQueue) -> None:
        p = queue.progress()
        self.bar.setValue(int(1000 * p.bytes_done / p.bytes_total) if p.bytes_total else 0)
        text = progress_text(p, queue.counts(), paused=queue.paused, active=queue.active_count)
        self.label.setText(text)
        self.bar.setAccessibleDescription(text)
