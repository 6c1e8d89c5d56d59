"""Recordings: drop a folder of prompts, check the numbers, upload them all.

The tab is a view over an `UploadQueue` (console/jobs/uploads/): it turns
drops, buttons and edits into calls on the queue and shows what the queue
reports. All the state lives in the queue, so closing the window or a crash
loses nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QVBoxLayout, QWidget

from console.domain.validation import ALBUM_MAX, ALBUM_MIN, FieldError
from console.domain.wording import plural
from console.jobs import uploads as uq
from console.jobs.uploads import UploadQueue
from console.ui.playback import FilePlayer
from console.ui.recordings.action_bar import ActionBar, row_menu
from console.ui.recordings.add_bar import AddBar
from console.ui.recordings.drops import FileDrops
from console.ui.recordings.model import QueueModel
from console.ui.recordings.progress_row import ProgressRow
from console.ui.recordings.view import QueueView
from console.ui.recordings.words import details_html, replace_summary
from console.ui.widgets import ResultLabel

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource
    from console.ui.messages import MessageBridge

log = logging.getLogger(__name__)

AUDIO_FILTER = "Audio files (*.wav *.WAV *.wave *.mp3 *.MP3);;All files (*)"


def _start_without_asking(_count: int, **_details: object) -> bool:
    return True


class RecordingsTab(QWidget):
    """The bulk upload tab. Dependencies come in; nothing global is reached."""

    def __init__(self, *, queue: UploadQueue, default_album: Callable[[], int],
                 messages: MessageBridge | None = None,
                 confirm_start: Callable[..., bool] | None = None,
                 library: LibrarySource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        # The Library (a LibrarySource): rows going over a recording it knows say so.
        self.library = library
        self.replace_notes: dict[int, str] = {}
        # Asked with the number of files before a run starts (the app asks on
        # live accounts, where an upload replaces what is at album and sort).
        self._confirm_start: Callable[..., bool] = confirm_start or _start_without_asking
        self._default_album = default_album
        self.messages = messages
        self._album_touched = False
        self.player = FilePlayer(self)
        self.player.changed.connect(self._update_buttons)
        self.player.failed.connect(
            lambda text: self._tell("warning", f"The file cannot be played: {text}"))
        self.setAccessibleName("Recordings")

        # -- adding and numbering, the queue, progress and actions ------------------
        self.add_bar = AddBar()
        self.action_bar = ActionBar()
        # -- the queue --------------------------------------------------------------
        self.model = QueueModel(queue, self)
        self.view = QueueView(self)
        self.view.setModel(self.model)
        self.drops = FileDrops(self, view=self.view, add=self.add_paths,
                               warn=lambda text: self._tell("warning", text))

        self.progress = ProgressRow()
        self.overall_bar, self.overall_label = self.progress.bar, self.progress.label

        self.notice = ResultLabel("Recordings notice")
        # The whole story of the selected row: reasons and advice are often longer
        # than the Status and Audio cells.
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("Selected file details")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.hide()
        self.replace_label = ResultLabel("Recordings that the upload replaces")

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.addLayout(self.add_bar.row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.replace_label)
        layout.addWidget(self.notice)
        layout.addLayout(self.progress.row)
        layout.addWidget(line)
        layout.addLayout(self.action_bar.row)

        # -- wiring -------------------------------------------------------------------
        add_bar, action_bar = self.add_bar, self.action_bar
        for signal, slot in (
            (add_bar.add_files_button.clicked, self.on_add_files_clicked),
            (add_bar.add_folder_button.clicked, self.on_add_folder_clicked),
            (add_bar.renumber_button.clicked, self.on_renumber_clicked),
            (add_bar.album_spin.valueChanged, self._on_album_edited),
            (add_bar.numbering_combo.currentIndexChanged, self._on_numbering_changed),
            (add_bar.start_spin.valueChanged, self._on_numbering_changed),
            (action_bar.upload_button.clicked, self.on_upload_clicked),
            (action_bar.pause_button.clicked, self.on_pause_clicked),
            (action_bar.cancel_button.clicked, self.on_cancel_clicked),
            (action_bar.cancel_all_button.clicked, self.on_cancel_all_clicked),
            (action_bar.retry_button.clicked, self.on_retry_clicked),
            (action_bar.upload_again_button.clicked, self.on_upload_again_clicked),
            (action_bar.mark_done_button.clicked, self.on_mark_done_clicked),
            (action_bar.remove_button.clicked, self.on_remove_clicked),
            (action_bar.clear_button.clicked, self.on_clear_clicked),
            (action_bar.play_button.clicked, self.on_play_clicked),
            (action_bar.concurrency_spin.valueChanged, self.queue.set_concurrency),
            # What the queue reports.
            (queue.state_changed, self._on_state_changed),
            (queue.progress_changed, self._on_progress_changed),
            (queue.settings_changed, self._sync_settings),
            (queue.message, self._tell),
            (queue.items_changed, self._on_items_changed),
            (queue.rows_inserted, self._schedule_buttons),
            (queue.rows_removed, self._schedule_buttons),
        ):
            signal.connect(slot)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.view.selectionModel().selectionChanged.connect(self._update_details)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        # On the table only: Delete inside a cell editor must still edit the text.
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.on_remove_clicked)
        self.model.edit_refused.connect(lambda text: self._tell("warning", text))
        self.model.modelReset.connect(self._update_buttons)

        # Progress text and bar at most a few times a second; a repaint per file is wasted work.
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(200)
        self._progress_timer.timeout.connect(self._update_progress)
        self._was_busy = queue.has_active_uploads()
        # While uploads run, rows change state several times a second: the buttons
        # follow at a few updates per second; user actions update them at once.
        self._buttons_timer = QTimer(self)
        self._buttons_timer.setSingleShot(True)
        self._buttons_timer.setInterval(200)
        self._buttons_timer.timeout.connect(self._update_buttons)

        if library is not None:
            library.changed.connect(self._update_buttons)

        add_bar.album_spin.setValue(self._safe_default_album())
        self._album_touched = False
        self._sync_settings()
        self._update_buttons()
        self._update_progress()
        # One sentence about what the queue found at start-up (and any damage).
        notice = " ".join(t for t in (queue.load_warning, queue.load_notice) if t)
        if notice:
            unsure = queue.counts()[uq.UNSURE]
            self._tell("warning" if queue.load_warning or unsure else "info", notice)

    # ------------------------------------------------------------------ public
    def add_paths(self, paths: list[Path]) -> None:
        """Queue files and folders (command line, a second instance, a drop)."""
        paths = [Path(p) for p in paths]
        if paths:
            self.queue.add_paths(paths, album=self.add_bar.album_spin.value())

    def has_active_uploads(self) -> bool:
        return self.queue.has_active_uploads()

    def refresh_default_album(self) -> None:
        """The profile changed: take its album, unless the user chose one."""
        if not self._album_touched:
            self.add_bar.album_spin.blockSignals(True)
            self.add_bar.album_spin.setValue(self._safe_default_album())
            self.add_bar.album_spin.blockSignals(False)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.queue.item_at(row).id for row in rows if row < len(self.queue)]

    # ------------------------------------------------------------------ slots
    def on_add_files_clicked(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add audio files", "", AUDIO_FILTER)
        self.add_paths([Path(f) for f in files])

    def on_add_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of audio files")
        if folder:
            self.add_paths([Path(folder)])

    def on_upload_clicked(self) -> None:
        waiting = self.queue.counts()[uq.QUEUED]
        replacing = [note for item_id, note in self._update_replace_notes().items()
                     if self.queue.item(item_id).status == uq.QUEUED]
        if waiting and not self.queue.running and not (
                self._confirm_start(waiting, replacing=replacing) if replacing
                else self._confirm_start(waiting)):
            self.notice.show_result("warning", "Not uploaded.")
            return
        if self.queue.start():
            self.notice.show_result("busy", "Uploading… You can keep working; the queue is "
                                            "saved as it goes.")
        self._update_buttons()

    def on_pause_clicked(self) -> None:
        self.queue.pause()
        self._update_buttons()
        self._update_progress()

    def on_cancel_clicked(self) -> None:
        self.queue.cancel(self.selected_ids())
        self._update_buttons()

    def on_cancel_all_clicked(self) -> None:
        self.queue.cancel_all()
        self._update_buttons()

    def on_retry_clicked(self) -> None:
        self.queue.retry_failed()
        self._update_buttons()

    def on_upload_again_clicked(self) -> None:
        ids = [i for i in self.selected_ids() if self.queue.item(i).status.can_retry]
        if ids and not self.queue.running and not self._confirm_start(len(ids)):
            self.notice.show_result("warning", "Not uploaded.")
            return
        self.queue.retry(ids)
        self._update_buttons()

    def on_mark_done_clicked(self) -> None:
        count = self.queue.mark_done(self.selected_ids())
        if count:
            self._tell("info", f"Marked {plural(count, 'row')} as done; "
                               "nothing was sent.")
        self._update_buttons()

    def on_clear_clicked(self) -> None:
        self.queue.clear_finished()
        self._update_buttons()

    def on_remove_clicked(self) -> None:
        ids = self.selected_ids()
        uploading = [i for i in ids if self.queue.item(i).status.on_the_wire]
        self.queue.remove(ids)
        self._update_buttons()
        if uploading:
            self._tell("info", f"{plural(len(uploading), 'row')} still "
                               "uploading stayed in the queue; cancel them first.")

    def on_renumber_clicked(self) -> None:
        ids = self.selected_ids() or None
        try:
            count = self.queue.renumber(ids, album=self.add_bar.album_spin.value())
        except FieldError as err:
            self._tell("warning", str(err))
            return
        if count:
            self._tell("info", f"Numbered {plural(count, 'row')} again.")

    def on_play_clicked(self) -> None:
        if self.player.playing is not None:
            self.player.toggle(self.player.playing)
            return
        ids = self.selected_ids()
        if len(ids) == 1:
            self.player.play(self.queue.item(ids[0]).path)

    def _on_album_edited(self, _value: int) -> None:
        self._album_touched = True

    def _on_numbering_changed(self, *_args: object) -> None:
        mode = self.add_bar.numbering_combo.currentData()
        try:
            self.queue.set_numbering(mode, next_sort=self.add_bar.start_spin.value())
        except FieldError as err:
            self._tell("warning", str(err))
        self.add_bar.show_numbering(mode)

    def _sync_settings(self) -> None:
        self.add_bar.sync(self.queue)
        spin = self.action_bar.concurrency_spin
        spin.blockSignals(True)
        spin.setValue(self.queue.concurrency)
        spin.blockSignals(False)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        ids = self.selected_ids()
        menu = row_menu(self, {self.queue.item(i).status for i in ids},
                        upload_again=self.on_upload_again_clicked,
                        mark_done=self.on_mark_done_clicked,
                        cancel=lambda: self.queue.cancel(ids),
                        renumber=self.on_renumber_clicked, remove=self.on_remove_clicked)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _on_progress_changed(self) -> None:
        if not self._progress_timer.isActive():
            self._progress_timer.start()

    def _on_state_changed(self) -> None:
        busy = self.queue.has_active_uploads()
        if busy and self._was_busy:
            self._schedule_buttons()
        else:
            self._buttons_timer.stop()
            self._update_buttons()
        if busy != self._was_busy or not busy:
            # Starting, finishing, or idle edits: show the figures at once.
            self._was_busy = busy
            self._progress_timer.stop()
            self._update_progress()

    def _on_items_changed(self, first: int, last: int) -> None:
        if self.details.isVisible() or self.view.selectionModel().hasSelection():
            rows = {index.row() for index in self.view.selectionModel().selectedRows()}
            if any(first <= row <= last for row in rows):
                self._update_details()
        # Row statuses decide which buttons apply; progress ticks change no status.
        if self.queue.has_active_uploads():
            self._schedule_buttons()
        else:
            self._update_buttons()

    def _schedule_buttons(self) -> None:
        if not self._buttons_timer.isActive():
            self._buttons_timer.start()

    # ------------------------------------------------------------------ display
    def _update_details(self, *_args: object) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            self.details.hide()
            return
        item = self.queue.item(ids[0])
        self.details.setText(details_html(item, self.replace_notes.get(item.id)))
        self.details.show()

    def _update_replace_notes(self) -> dict[int, str]:
        """Which rows go over a recording the Library knows; shown under the table."""
        from console.ui.library.guard import upload_notes

        notes = upload_notes(self.queue.items(), self.library)
        if notes != self.replace_notes:
            self.replace_notes = notes
            self._update_details()
        if not notes:
            self.replace_label.hide()
            return notes
        self.replace_label.show_result("warning", replace_summary(notes))
        return notes

    def _tell(self, level: str, text: str) -> None:
        kind = {"info": "ok", "warning": "warning", "error": "error"}.get(level, "warning")
        self.notice.show_result(kind, text)
        if self.messages is not None:
            self.messages.post(level, text)

    def _update_buttons(self, *_args: object) -> None:
        self._update_replace_notes()
        self.action_bar.update(self.queue, self.selected_ids(), playing=self.player.playing is not None)
        self.add_bar.renumber_button.setEnabled(
            any(self.queue.counts()[s] for s in uq.STATUSES if s.can_edit))

    def _update_progress(self) -> None:
        self.progress.show_queue(self.queue)

    def _safe_default_album(self) -> int:
        try:
            album = int(self._default_album())
        except Exception:  # a profile without a usable album must not break the tab
            log.warning("the profile's default album could not be read", exc_info=True)
            return ALBUM_MIN
        return min(max(album, ALBUM_MIN), ALBUM_MAX)
