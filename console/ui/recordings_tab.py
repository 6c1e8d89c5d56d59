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

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.validation import (
    ALBUM_MAX,
    ALBUM_MIN,
    SORT_MAX,
    SORT_MIN,
    FieldError,
)
from console.domain.wording import plural
from console.jobs import uploads as uq
from console.jobs.uploads import CONCURRENCY_MAX, UploadQueue
from console.ui import playback
from console.ui.playback import FilePlayer
from console.ui.recordings.model import QueueModel
from console.ui.recordings.view import QueueView
from console.ui.recordings.words import details_html, progress_text, replace_summary
from console.ui.widgets import ResultLabel

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource
    from console.ui.messages import MessageBridge

log = logging.getLogger(__name__)

AUDIO_FILTER = "Audio files (*.wav *.WAV *.wave *.mp3 *.MP3);;All files (*)"


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _button(text: str, accessible: str, tip: str, shortcut: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    if shortcut:
        button.setShortcut(shortcut)
        tip = f"{tip} ({shortcut})"
    button.setToolTip(tip)
    return button


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
        self.setAcceptDrops(True)
        self.setAccessibleName("Recordings")

        # -- adding and numbering -------------------------------------------------
        self.add_files_button = _button("A&dd files…", "Add files", "Choose audio files to queue", "Ctrl+O")
        self.add_folder_button = _button("Add f&older…", "Add folder",
                                         "Choose a folder; its audio files are queued, subfolders included",
                                         "Ctrl+Shift+O")
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
        self.renumber_button = _button("Renum&ber", "Renumber rows not yet uploaded",
                                       "Apply the album and numbering above to the selected rows, "
                                       "or to every row not yet uploaded when none is selected")
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, CONCURRENCY_MAX)
        self.concurrency_spin.setAccessibleName("Uploads at once")
        self.concurrency_spin.setToolTip("How many files are sent at the same time.")

        top = QHBoxLayout()
        top.addWidget(self.add_files_button)
        top.addWidget(self.add_folder_button)
        top.addSpacing(16)
        top.addWidget(_label("&Album:", self.album_spin))
        top.addWidget(self.album_spin)
        top.addSpacing(8)
        top.addWidget(_label("Sort &numbers:", self.numbering_combo))
        top.addWidget(self.numbering_combo)
        self.start_label = _label("&Start at:", self.start_spin)
        top.addWidget(self.start_label)
        top.addWidget(self.start_spin)
        top.addWidget(self.renumber_button)
        top.addStretch(1)

        # -- the queue --------------------------------------------------------------
        self.model = QueueModel(queue, self)
        self.view = QueueView(self)
        self.view.setModel(self.model)

        # -- progress and actions --------------------------------------------------
        self.overall_bar = QProgressBar()
        self.overall_bar.setRange(0, 1000)
        self.overall_bar.setTextVisible(False)
        self.overall_bar.setAccessibleName("Overall upload progress")
        self.overall_label = QLabel()
        self.overall_label.setAccessibleName("Upload summary")
        self.overall_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.upload_button = _button("&Upload", "Upload", "Upload the queued files", "Ctrl+U")
        self.upload_button.setDefault(True)
        self.pause_button = _button("Paus&e", "Pause", "Start no new uploads; the ones under way finish")
        self.cancel_button = _button("&Cancel", "Cancel selected", "Cancel the selected rows")
        self.cancel_all_button = _button("Cancel a&ll", "Cancel all", "Stop and cancel everything not yet uploaded")
        self.retry_button = _button("Re&try failed", "Retry failed", "Send the failed files again")
        self.upload_again_button = _button(
            "Upload a&gain", "Upload selected again",
            "Send the selected failed, cancelled or “may already be in the library” rows again")
        self.mark_done_button = _button(
            "Mar&k as done", "Mark selected as done",
            "You checked the library and it has the selected files: mark them done without "
            "sending them again")
        self.remove_button = _button("Re&move", "Remove selected",
                                     "Remove the selected rows from the queue (Delete)")
        self.clear_button = _button("Clear finished", "Clear finished",
                                    "Remove rows that are done, cancelled or rejected")
        self.play_button = _button("Pla&y", "Play", "Listen to the selected file")
        self.play_button.setVisible(playback.AVAILABLE)

        actions = QHBoxLayout()
        for button in (self.upload_button, self.pause_button, self.cancel_button,
                       self.cancel_all_button, self.retry_button, self.upload_again_button,
                       self.mark_done_button):
            actions.addWidget(button)
        actions.addSpacing(12)
        actions.addWidget(_label("At a t&ime:", self.concurrency_spin))
        actions.addWidget(self.concurrency_spin)
        actions.addStretch(1)
        for button in (self.play_button, self.remove_button, self.clear_button):
            actions.addWidget(button)

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

        progress_row = QHBoxLayout()
        progress_row.addWidget(self.overall_bar, 2)
        progress_row.addWidget(self.overall_label, 3)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.replace_label)
        layout.addWidget(self.notice)
        layout.addLayout(progress_row)
        layout.addWidget(line)
        layout.addLayout(actions)

        # -- wiring -------------------------------------------------------------------
        self.add_files_button.clicked.connect(self.on_add_files_clicked)
        self.add_folder_button.clicked.connect(self.on_add_folder_clicked)
        self.upload_button.clicked.connect(self.on_upload_clicked)
        self.pause_button.clicked.connect(self.on_pause_clicked)
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        self.cancel_all_button.clicked.connect(self.on_cancel_all_clicked)
        self.retry_button.clicked.connect(self.on_retry_clicked)
        self.upload_again_button.clicked.connect(self.on_upload_again_clicked)
        self.mark_done_button.clicked.connect(self.on_mark_done_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.clear_button.clicked.connect(self.on_clear_clicked)
        self.play_button.clicked.connect(self.on_play_clicked)
        self.renumber_button.clicked.connect(self.on_renumber_clicked)
        self.album_spin.valueChanged.connect(self._on_album_edited)
        self.numbering_combo.currentIndexChanged.connect(self._on_numbering_changed)
        self.start_spin.valueChanged.connect(self._on_numbering_changed)
        self.concurrency_spin.valueChanged.connect(self.queue.set_concurrency)
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

        queue.state_changed.connect(self._on_state_changed)
        queue.progress_changed.connect(self._on_progress_changed)
        queue.settings_changed.connect(self._sync_settings)
        queue.message.connect(self._tell)
        queue.items_changed.connect(self._on_items_changed)
        queue.rows_inserted.connect(self._schedule_buttons)
        queue.rows_removed.connect(self._schedule_buttons)
        if library is not None:
            library.changed.connect(self._update_buttons)

        self.album_spin.setValue(self._safe_default_album())
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
            self.queue.add_paths(paths, album=self.album_spin.value())

    def has_active_uploads(self) -> bool:
        return self.queue.has_active_uploads()

    def refresh_default_album(self) -> None:
        """The profile changed: take its album, unless the user chose one."""
        if not self._album_touched:
            self.album_spin.blockSignals(True)
            self.album_spin.setValue(self._safe_default_album())
            self.album_spin.blockSignals(False)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.queue.item_at(row).id for row in rows if row < len(self.queue)]

    # ------------------------------------------------------------------ drops
    def _local_paths(self, event: QDropEvent) -> tuple[list[Path], int]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return [], 0
        urls: list[QUrl] = mime.urls()
        local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and u.toLocalFile()]
        return local, len(urls) - len(local)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        local, _ = self._local_paths(event)
        if local:
            event.acceptProposedAction()
            self.view.set_dragging(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.view.set_dragging(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.view.set_dragging(False)
        local, remote = self._local_paths(event)
        if remote:
            self._tell("warning", f"Left out {plural(remote, 'dropped item')} not stored on this "
                                  "computer: save to a folder first, then add from there.")
        if not local:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(local)

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
            count = self.queue.renumber(ids, album=self.album_spin.value())
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
        mode = self.numbering_combo.currentData()
        try:
            self.queue.set_numbering(mode, next_sort=self.start_spin.value())
        except FieldError as err:
            self._tell("warning", str(err))
        self.start_spin.setEnabled(mode == uq.NUMBER_BY_ORDER)
        self.start_label.setEnabled(mode == uq.NUMBER_BY_ORDER)

    def _sync_settings(self) -> None:
        for widget, setter, value in (
            (self.start_spin, self.start_spin.setValue, self.queue.next_sort),
            (self.concurrency_spin, self.concurrency_spin.setValue, self.queue.concurrency),
            (self.numbering_combo, self.numbering_combo.setCurrentIndex,
             self.numbering_combo.findData(self.queue.numbering)),
        ):
            widget.blockSignals(True)
            setter(value)
            widget.blockSignals(False)
        by_order = self.queue.numbering == uq.NUMBER_BY_ORDER
        self.start_spin.setEnabled(by_order)
        self.start_label.setEnabled(by_order)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        ids = self.selected_ids()
        statuses = {self.queue.item(i).status for i in ids}
        menu = QMenu(self)
        retry = menu.addAction("Upload again")
        retry.setEnabled(any(s.can_retry for s in statuses))
        retry.triggered.connect(self.on_upload_again_clicked)
        mark = menu.addAction("Mark as done")
        mark.setEnabled(uq.UNSURE in statuses)
        mark.triggered.connect(self.on_mark_done_clicked)
        cancel = menu.addAction("Cancel")
        cancel.setEnabled(any(s.can_cancel for s in statuses))
        cancel.triggered.connect(lambda: self.queue.cancel(ids))
        renumber = menu.addAction("Renumber")
        renumber.setEnabled(any(s.can_edit for s in statuses))
        renumber.triggered.connect(self.on_renumber_clicked)
        remove = menu.addAction("Remove")
        remove.setEnabled(any(s.can_remove for s in statuses))
        remove.triggered.connect(self.on_remove_clicked)
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
        queue = self.queue
        counts = queue.counts()
        ids = self.selected_ids()
        selected = {queue.item(i).status for i in ids}
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
        self.renumber_button.setEnabled(any(counts[s] for s in uq.STATUSES if s.can_edit))
        if playback.AVAILABLE:
            playing = self.player.playing is not None
            self.play_button.setText("Stop pla&ying" if playing else "Pla&y")
            info = queue.item(ids[0]).info if len(ids) == 1 else None
            playable = info is not None and info.ok
            self.play_button.setEnabled(playing or playable)

    def _update_progress(self) -> None:
        p = self.queue.progress()
        counts = self.queue.counts()
        if p.bytes_total:
            self.overall_bar.setValue(int(1000 * p.bytes_done / p.bytes_total))
        else:
            self.overall_bar.setValue(0)
        text = progress_text(p, counts, paused=self.queue.paused, active=self.queue.active_count)
        self.overall_label.setText(text)
        self.overall_bar.setAccessibleDescription(text)

    def _safe_default_album(self) -> int:
        try:
            album = int(self._default_album())
        except Exception:  # a profile without a usable album must not break the tab
            log.warning("the profile's default album could not be read", exc_info=True)
            return ALBUM_MIN
        return min(max(album, ALBUM_MIN), ALBUM_MAX)
