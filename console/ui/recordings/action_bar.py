"""The Recordings tab's actions: the buttons under the queue, and the row menu.

Which of them apply follows from the queue and the rows selected (`update`);
what they do is the tab's (it connects their `clicked`).
"""
from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSpinBox, QWidget

from console.domain.wording import plural
from console.jobs import uploads as uq
from console.jobs.uploads import CONCURRENCY_MAX, UploadQueue
from console.jobs.uploads.status import Status
from console.ui import playback
from console.ui.layout import push_button


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class ActionBar:
    """Upload, Pause, Cancel… and Play, Remove, Clear finished, in one row (`row`)."""

    def __init__(self) -> None:
        self.upload_button = push_button("&Upload", "Upload", "Upload the queued files", shortcut="Ctrl+U")
        self.upload_button.setDefault(True)
        self.pause_button = push_button("Paus&e", "Pause",
                                          "Start no new uploads; the ones under way finish")
        self.cancel_button = push_button("&Cancel", "Cancel selected", "Cancel the selected rows")
        self.cancel_all_button = push_button("Cancel a&ll", "Cancel all",
                                               "Stop and cancel everything not yet uploaded")
        self.retry_button = push_button("Re&try failed", "Retry failed",
                                          "Send the failed files again")
        self.upload_again_button = push_button(
            "Upload a&gain", "Upload selected again",
            "Send the selected failed, cancelled or “may already be in the library” rows again")
        self.mark_done_button = push_button(
            "Mar&k as done", "Mark selected as done",
            "You checked the library and it has the selected files: mark them done without "
            "sending them again")
        self.remove_button = push_button("Re&move", "Remove selected",
                                           "Remove the selected rows from the queue (Delete)")
        self.clear_button = push_button("Clear finished", "Clear finished",
                                          "Remove rows that are done, cancelled or rejected")
        self.play_button = push_button("Pla&y", "Play", "Listen to the selected file")
        self.play_button.setVisible(playback.AVAILABLE)
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, CONCURRENCY_MAX)
        self.concurrency_spin.setAccessibleName("Uploads at once")
        self.concurrency_spin.setToolTip("How many files are sent at the same time.")

        self.row = QHBoxLayout()
        for button in (self.upload_button, self.pause_button, self.cancel_button,
                       self.cancel_all_button, self.retry_button, self.upload_again_button,
                       self.mark_done_button):
            self.row.addWidget(button)
        self.row.addSpacing(12)
        self.row.addWidget(buddy_label("At a t&ime:", self.concurrency_spin))
        self.row.addWidget(self.concurrency_spin)
        self.row.addStretch(1)
        for button in (self.play_button, self.remove_button, self.clear_button):
            self.row.addWidget(button)

    def update(self, queue: UploadQueue, selected_ids: list[int], *, playing: bool) -> None:
        """Enable what applies to the queue and the selected rows; name Upload or Resume."""
        counts = queue.counts()
        selected = {queue.item(i).status for i in selected_ids}
        problems = queue.blocking_problems()
        self.upload_button.setEnabled(queue.can_start())
        self.upload_button.setText("&Resume" if queue.paused else "&Upload")
        self.upload_button.setAccessibleName("Resume" if queue.paused else "Upload")
        if problems:
            self.upload_button.setToolTip(
                f"{plural(len(problems), 'row needs', 'rows need')} attention "
                "first: see the Status column.")
        else:
            self.upload_button.setToolTip("Upload the queued files (Ctrl+U)")
        self.pause_button.setEnabled(queue.running)
        self.cancel_button.setEnabled(any(s.can_cancel for s in selected))
        self.cancel_all_button.setEnabled(bool(counts[uq.QUEUED] or counts[uq.INSPECTING]
                                               or counts[uq.UPLOADING]))
        self.retry_button.setEnabled(counts[uq.FAILED] > 0)
        self.upload_again_button.setEnabled(any(s.can_retry for s in selected))
        # Shown only where it means something: a row that may already be in the library.
        self.mark_done_button.setVisible(counts[uq.UNSURE] > 0)
        self.mark_done_button.setEnabled(uq.UNSURE in selected)
        self.remove_button.setEnabled(any(s.can_remove for s in selected))
        self.clear_button.setEnabled(any(counts[s] for s in uq.STATUSES if s.finished))
        if playback.AVAILABLE:
            self.play_button.setText("Stop pla&ying" if playing else "Pla&y")
            info = queue.item(selected_ids[0]).info if len(selected_ids) == 1 else None
            self.play_button.setEnabled(playing or (info is not None and info.ok))


def row_menu(parent: QWidget, statuses: Collection[Status], *,
             upload_again: Callable[[], object], mark_done: Callable[[], object],
             cancel: Callable[[], object], renumber: Callable[[], object],
             remove: Callable[[], object]) -> QMenu:
    """The right-click menu over the selected rows: each action enabled where it applies."""
    menu = QMenu(parent)
    for text, enabled, act in (
        ("Upload again", any(s.can_retry for s in statuses), upload_again),
        ("Mark as done", uq.UNSURE in statuses, mark_done),
        ("Cancel", any(s.can_cancel for s in statuses), cancel),
        ("Renumber", any(s.can_edit for s in statuses), renumber),
        ("Remove", any(s.can_remove for s in statuses), remove),
    ):
        action = menu.addAction(text)
        action.setEnabled(enabled)
        action.triggered.connect(act)
    return menu
