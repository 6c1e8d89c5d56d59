"""The Recordings tab's top row: adding files, and the album and sort numbers they get.

The controls show the queue's numbering settings (`sync`); what the buttons
do is the tab's (it connects their signals).
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox

from console.domain.validation import ALBUM_MAX, ALBUM_MIN, SORT_MAX, SORT_MIN
from console.jobs import uploads as uq
from console.jobs.uploads import UploadQueue
from console.ui.layout import push_button
from console.ui.recordings.action_bar import buddy_label


class AddBar:
    """Add files…, Add folder…, Album, Sort numbers, Start at and Renumber, in one row (`row`)."""

    def __init__(self) -> None:
        self.add_files_button = push_button("A&dd files…", "Add files",
                                              "Choose audio files to queue", shortcut="Ctrl+O")
        self.add_folder_button = push_button(
            "Add f&older…", "Add folder",
            "Choose a folder; its audio files are queued, subfolders included", shortcut="Ctrl+Shift+O")
        self.album_spin = QSpinBox()
        self.album_spin.setRange(ALBUM_MIN, ALBUM_MAX)
        self.album_spin.setAccessibleName("Album for new files")
        self.album_spin.setToolTip("The album new files go into. Each row's album can still be changed.")
        self.numbering_combo = QComboBox()
        self.numbering_combo.addItem("in drop order", uq.NUMBER_BY_ORDER)
        self.numbering_combo.addItem("from file names (05 …)", uq.NUMBER_BY_NAME)
        self.numbering_combo.setAccessibleName("How sort numbers are chosen")
        self.numbering_combo.setToolTip("In drop order: 1, 2, 3… from the Start at number.\n"
                                        "From the file name: “05 Welcome.wav” gets sort number 5.")
        self.start_spin = QSpinBox()
        self.start_spin.setRange(SORT_MIN, SORT_MAX)
        self.start_spin.setAccessibleName("Next sort number")
        self.start_spin.setToolTip("The sort number the next file gets; it moves on as files are added.")
        self.renumber_button = push_button(
            "Renum&ber", "Renumber rows not yet uploaded",
            "Apply the album and numbering above to the selected rows, "
            "or to every row not yet uploaded when none is selected")

        self.row = QHBoxLayout()
        self.row.addWidget(self.add_files_button)
        self.row.addWidget(self.add_folder_button)
        self.row.addSpacing(16)
        self.row.addWidget(buddy_label("&Album:", self.album_spin))
        self.row.addWidget(self.album_spin)
        self.row.addSpacing(8)
        self.row.addWidget(buddy_label("Sort &numbers:", self.numbering_combo))
        self.row.addWidget(self.numbering_combo)
        self.start_label = buddy_label("&Start at:", self.start_spin)
        self.row.addWidget(self.start_label)
        self.row.addWidget(self.start_spin)
        self.row.addWidget(self.renumber_button)
        self.row.addStretch(1)

    def show_numbering(self, mode: str) -> None:
        """Start at means something only when files are numbered in drop order."""
        by_order = mode == uq.NUMBER_BY_ORDER
        self.start_spin.setEnabled(by_order)
        self.start_label.setEnabled(by_order)

    def sync(self, queue: UploadQueue) -> None:
        """Show the queue's numbering settings without sending them back to it."""
        for widget in (self.start_spin, self.numbering_combo):
            widget.blockSignals(True)
        self.start_spin.setValue(queue.next_sort)
        self.numbering_combo.setCurrentIndex(self.numbering_combo.findData(queue.numbering))
        for widget in (self.start_spin, self.numbering_combo):
            widget.blockSignals(False)
        self.show_numbering(queue.numbering)
