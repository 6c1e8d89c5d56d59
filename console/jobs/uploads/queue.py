"""The bulk upload queue: the row list the Recordings tab shows, and its run.

`UploadQueue` is the Qt adapter over three parts that own their state and
import no Qt, each testable alone:

- `rows.py` (`QueueRows`): the rows in table order, numbering, edits, problems
  (the pure rules are `rules.py`);
- `runner.py` (`UploadRunner`): the run, at most `concurrency` uploads
  (`attempt.py`, one each) as asyncio tasks on the running loop;
- `persistence.py` (`QueuePersistence`) over `console/store/upload_store.py`:
  rows and settings written from one I/O thread, in order; the start-up rules.

The adapter turns the parts' events into signals (the table model in
`console/ui/recordings/` mirrors the rows), gives them Qt timers and the way
back to the UI thread, reads dropped files with the `Inspector`, and offers
the commands the window uses. History calls go through `journal_link.py`.

The promise: nothing lost, nothing twice. A row is written as on the wire
(with its History entry) and that write is committed before its bytes go; done
is written when the reply arrives. A row that was on the wire when the console
stopped comes back as "may already be in the library" (unless History has
its recording id) and is never sent again by itself.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from console.api import VoitexClient
from console.domain.audio import AudioInfo
from console.domain.validation import parse_album
from console.domain.vocabulary import MessageLevel
from console.domain.wording import plural
from console.jobs.inspector import Inspector
from console.jobs.uploads.events import QueueEvents
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.journal_link import JournalLink
from console.jobs.uploads.persistence import QueuePersistence, open_store
from console.jobs.uploads.rows import NUMBER_BY_NAME, NUMBER_BY_ORDER, QueueRows
from console.jobs.uploads.runner import CONCURRENCY_MAX, UNSURE_REASON, UploadRunner, journal_failed_text
from console.jobs.uploads.status import Status
from console.store.interface import HistoryStore
from console.store.journal_writer import JournalWriter
from console.store.upload_store import UploadStore

__all__ = ["CONCURRENCY_MAX", "NUMBER_BY_NAME", "NUMBER_BY_ORDER", "UNSURE_REASON", "UploadQueue"]

_FLUSH_DELAY_MS = 50
_PROGRESS_TICK_MS = 100


class UploadQueue(QObject):
    """Queued recordings, their numbering, and the concurrent upload run."""

    # Row changes, for the table model (first, last are inclusive row numbers).
    rows_about_to_be_inserted = Signal(int, int)
    rows_inserted = Signal()
    rows_about_to_be_removed = Signal(int, int)
    rows_removed = Signal()
    items_changed = Signal(int, int)
    # Only the upload percentage of these rows changed (throttled to a few per second).
    progress_rows_changed = Signal(int, int)
    progress_changed = Signal()
    # Running, pausing, paused, idle, inspecting or problems changed.
    state_changed = Signal()
    settings_changed = Signal()
    message = Signal(str, str)  # level (a MessageLevel), text
    upload_finished = Signal(int, str)  # item id, recording id
    journal_changed = Signal()  # an upload's History entry was written (UI thread)
    _journal_written = Signal()  # from the I/O thread; re-emitted on the UI thread
    _journal_failed = Signal(str)  # from the I/O thread: a History update did not land

    def __init__(self, *, client_factory: Callable[[], VoitexClient], journal: HistoryStore,
                 state_path: Path | None = None,
                 profile: Callable[[], tuple[str, str]], concurrency: int = 4,
                 store: UploadStore | None = None, database: Path | None = None,
                 journal_writer: JournalWriter | None = None,
                 parent: QObject | None = None) -> None:
        """`store` is where rows live; without one, the SQLite store in `database`
        (default: history.sqlite3 beside `state_path`, the JSON file of earlier
        versions, which is migrated once). History entries are written through
        `journal_writer` (begin/finish returning futures) when given, else through
        `journal` on the queue's I/O thread; `journal.get` answers the start-up check."""
        super().__init__(parent)
        opened, open_warning = open_store(store, state_path=state_path, database=database)
        events = QueueEvents(
            rows_about_to_be_inserted=self.rows_about_to_be_inserted.emit,
            rows_inserted=self.rows_inserted.emit,
            rows_about_to_be_removed=self.rows_about_to_be_removed.emit,
            rows_removed=self.rows_removed.emit, items_changed=self.items_changed.emit,
            progress_rows_changed=self.progress_rows_changed.emit,
            progress_changed=self.progress_changed.emit, state_changed=self.state_changed.emit,
            settings_changed=self._on_settings_changed, message=self.message.emit,
            upload_finished=self.upload_finished.emit, journal_failed=self._journal_failed.emit)
        flush_timer = QTimer(self)
        flush_timer.setSingleShot(True)
        flush_timer.setInterval(_FLUSH_DELAY_MS)
        progress_timer = QTimer(self)
        progress_timer.setInterval(_PROGRESS_TICK_MS)

        self.persistence = QueuePersistence(
            opened, lookup=lambda item_id: self.rows.get(item_id), flush_timer=flush_timer,
            later=lambda ms, fn: QTimer.singleShot(ms, self, fn), message=self.message.emit)
        self.rows = QueueRows(events=events, writes=self.persistence)
        self._journal = JournalLink(journal, self.persistence.io, on_written=self._journal_written.emit,
                                    writer=journal_writer)
        self.runner = UploadRunner(
            self.rows, writes=self.persistence, journal=self._journal, events=events,
            ticker=progress_timer, client_factory=client_factory, profile=profile,
            concurrency=concurrency)
        flush_timer.timeout.connect(self.persistence.flush_writes)
        progress_timer.timeout.connect(self.runner.tick)
        self._journal_written.connect(self.journal_changed, Qt.ConnectionType.QueuedConnection)
        self._journal_failed.connect(self._on_journal_failed, Qt.ConnectionType.QueuedConnection)

        self.inspector = Inspector(parent=self)
        self.inspector.files_found.connect(self.rows.on_files_found)
        self.inspector.files_inspected.connect(self._on_files_inspected)
        self.inspector.files_skipped.connect(self._on_files_skipped)
        self.inspector.busy_changed.connect(self._on_inspector_busy)
        self._start_when_read = False
        self._closed = False

        loaded = self.persistence.load(self._journal.outcome_of)
        self.load_warning: str | None = " ".join(w for w in (open_warning, loaded.warning) if w) or None
        self.load_notice: str | None = loaded.notice
        self.rows.restore_settings(loaded.settings.get("numbering"), loaded.settings.get("next_sort"))
        self.runner.restore_concurrency(loaded.settings.get("concurrency"))
        self.rows.adopt(loaded.items, max_id=loaded.max_id)
        self._read_unread()
        if loaded.changed:
            self.persistence.write_now(loaded.changed, durable=True)

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.rows)

    def item_at(self, row: int) -> QueueItem:
        return self.rows.item_at(row)

    def item(self, item_id: int) -> QueueItem:
        return self.rows.item(item_id)

    def row_of(self, item_id: int) -> int:
        return self.rows.row_of(item_id)

    def items(self) -> list[QueueItem]:
        return self.rows.items()

    def counts(self) -> dict[Status, int]:
        return self.rows.counts()

    def blocking_problems(self) -> list[QueueItem]:
        """Queued rows that must be fixed before an upload can start."""
        return self.rows.blocking_problems()

    def progress(self) -> QueueProgress:
        return self.runner.progress()

    @property
    def concurrency(self) -> int:
        return self.runner.concurrency

    @property
    def numbering(self) -> str:
        return self.rows.numbering

    @property
    def next_sort(self) -> int:
        return self.rows.next_sort

    @property
    def running(self) -> bool:
        """An upload run is on (not paused, not finished)."""
        return self.runner.running

    @property
    def paused(self) -> bool:
        """Paused by the user with rows still waiting (Upload then means Resume)."""
        return self.runner.paused

    @property
    def active_count(self) -> int:
        return self.runner.active_count

    @property
    def inspecting(self) -> bool:
        return self.inspector.busy

    def has_active_uploads(self) -> bool:
        return self.runner.has_active_uploads()

    def can_start(self) -> bool:
        return (not self.runner.running and not self.rows.blocking_problems()
                and self.rows.any_with(Status.QUEUED, Status.INSPECTING))

    # ------------------------------------------------------------------ settings
    def set_concurrency(self, value: int) -> None:
        if self.runner.set_concurrency(value):
            self._on_settings_changed()
            self.runner.pump()

    def set_numbering(self, mode: str, *, next_sort: int | None = None) -> None:
        self.rows.set_numbering(mode, next_sort=next_sort)

    def _on_settings_changed(self) -> None:
        self.persistence.save_settings({"numbering": self.rows.numbering,
                                        "next_sort": self.rows.next_sort,
                                        "concurrency": self.runner.concurrency})
        self.settings_changed.emit()

    # ------------------------------------------------------------------ adding and editing
    def add_paths(self, paths: Iterable[Path], *, album: int) -> None:
        """Queue files and folders (recursively); rows appear as they are listed."""
        album = parse_album(album)
        paths = [Path(p) for p in paths]
        if not paths:
            return
        self.rows.expect(self.inspector.submit(paths), album=album)
        self.state_changed.emit()

    def _on_files_inspected(self, results: list[tuple[int, AudioInfo, str | None]]) -> None:
        if self.rows.on_files_inspected(results):
            self.runner.pump()

    def _on_files_skipped(self, _token: int, count: int) -> None:
        self.message.emit(MessageLevel.INFO, f"Left out {plural(count, 'hidden or system file')} "
                                             "found in the dropped folders.")

    def _read_unread(self) -> None:
        batch = []
        for item in self.rows.unread():
            file_id = self.inspector.new_file_id()
            self.rows.reading(item, file_id)
            batch.append((file_id, item.path))
        if batch:
            self.inspector.reinspect(batch)

    def set_album(self, item_id: int, value: int | str) -> None:
        self.rows.set_album(item_id, value)

    def set_sort(self, item_id: int, value: int | str) -> None:
        self.rows.set_sort(item_id, value)

    def set_display_name(self, item_id: int, value: str) -> None:
        self.rows.set_display_name(item_id, value)

    def renumber(self, item_ids: Sequence[int] | None = None, *, album: int | None = None) -> int:
        """Number rows again with the current numbering (and album); see `QueueRows.renumber`."""
        return self.rows.renumber(item_ids, album=album)

    def remove(self, item_ids: Iterable[int]) -> int:
        """Remove rows that are not on the wire; returns how many were removed."""
        return self.rows.remove(item_ids)

    def clear_finished(self) -> int:
        """Remove done, cancelled and rejected rows."""
        return self.rows.clear_finished()

    # ------------------------------------------------------------------ running
    def start(self) -> bool:
        """Start (or resume) uploading; False, with a message, when it cannot."""
        return self.runner.start()

    def start_when_read(self) -> None:
        """Start once every added file has been read (the `--upload` start option).

        Rows that may already be in the library are not part of it: only the
        user's Upload again sends those.
        """
        self._start_when_read = True
        self._on_inspector_busy(self.inspector.busy)

    def _on_inspector_busy(self, busy: bool) -> None:
        if self._start_when_read and not busy and not self.rows.any_with(Status.INSPECTING):
            self._start_when_read = False
            self.runner.start()
        self.state_changed.emit()

    def account_changed(self) -> None:
        """The window switched profile: a running batch stops taking new files."""
        self.runner.account_changed()

    def pause(self) -> None:
        """Start no new uploads; the ones under way finish."""
        self.runner.pause()

    def cancel(self, item_ids: Iterable[int]) -> int:
        """Cancel rows that are waiting or still sending; returns how many (see `UploadRunner.cancel`)."""
        return self.runner.cancel(item_ids)

    def cancel_all(self) -> int:
        """Stop the run and cancel every row waiting or still sending (failed rows stay failed)."""
        return self.runner.cancel_all()

    def retry(self, item_ids: Iterable[int]) -> int:
        """Queue failed, cancelled or "may already be in the library" rows again and
        upload them; returns how many."""
        changed = self.rows.requeue(item_ids)
        if changed:
            self._read_unread()
            self.runner.go_on()
        return len(changed)

    def retry_failed(self) -> int:
        """Queue every failed row again and start uploading."""
        return self.retry([i.id for i in self.rows if i.status == Status.FAILED])

    def mark_done(self, item_ids: Iterable[int]) -> int:
        """The user checked the library: these "may already be there" rows are done."""
        return self.rows.mark_done(item_ids)

    def _on_journal_failed(self, error: str) -> None:
        self.message.emit(MessageLevel.WARNING, journal_failed_text(error))

    # ------------------------------------------------------------------ closing
    def flush(self) -> None:
        """Write everything now and wait until the store and History have it."""
        self.persistence.flush()

    def shutdown(self) -> None:
        """Stop everything and save, for the application's exit (see `UploadRunner.shutdown`)."""
        if self._closed:
            return
        self._closed = True
        self.persistence.stop()
        self.runner.shutdown()
        self.inspector.shutdown()
        self.persistence.close()
