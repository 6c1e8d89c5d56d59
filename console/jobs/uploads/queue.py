"""The bulk upload queue: the row list the Recordings tab shows, and its run.

A logic object in the qutebrowser style: it owns the rows, emits signals when
rows appear, change or go, and never touches a widget. The table model in
`console/ui/recordings/` mirrors it. Its parts:

- this module: the row list (rows, their signals for the model, numbering,
  edits) and the user's commands (start, pause, cancel, retry, mark done);
- `rules.py`: sort numbers from names, problems, repeats, time left (pure);
- `persistence.py` over `console/store/upload_store.py`: rows and settings in
  SQLite, written from one I/O thread, in order; the start-up rules;
- `runner.py`: the uploads, asyncio tasks on the running loop, at most `concurrency`;
- `journal_link.py`: History's begin/finish returning futures, off the UI thread.

The promise: nothing lost, nothing twice. A row is written as on the wire
(with its History entry) and that write is committed before its bytes go; done
is written when the reply arrives. A row that was on the wire when the console
stopped comes back as "may already be in the library" (unless History has
its recording id) and is never sent again by itself.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from console.api import VoitexClient
from console.domain.audio import AudioInfo
from console.domain.validation import SORT_MAX, parse_album, parse_sort
from console.domain.vocabulary import MessageLevel, Outcome
from console.domain.wording import plural
from console.jobs.inspector import Inspector
from console.jobs.uploads import rules
from console.jobs.uploads.items import QueueItem
from console.jobs.uploads.journal_link import JournalLink
from console.jobs.uploads.persistence import (
    CONCURRENCY_MAX,
    NUMBER_BY_NAME,
    NUMBER_BY_ORDER,
    QueuePersistence,
)
from console.jobs.uploads.rules import RowFacts
from console.jobs.uploads.runner import (
    UNSURE_REASON,
    UploadRunner,
    _Active,
    file_stamp,
    utc_now,
)
from console.jobs.uploads.status import Status
from console.store.interface import HistoryStore
from console.store.journal_writer import JournalWriter
from console.store.upload_store import UploadStore, open_upload_store

__all__ = ["CONCURRENCY_MAX", "NUMBER_BY_NAME", "NUMBER_BY_ORDER", "UNSURE_REASON", "UploadQueue"]

_FLUSH_DELAY_MS = 50
_PROGRESS_TICK_MS = 100


class UploadQueue(UploadRunner, QueuePersistence, QObject):
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
        self._client_factory = client_factory
        self._run_client: VoitexClient | None = None
        self._run_profile: tuple[str, str] = ("", "")
        self._profile = profile
        self._concurrency = max(1, min(CONCURRENCY_MAX, int(concurrency)))
        self._numbering = NUMBER_BY_ORDER
        self._next_sort = 1
        self._items: list[QueueItem] = []
        self._rows: dict[int, int] = {}  # item id -> row
        self._by_id: dict[int, QueueItem] = {}
        self._by_file_id: dict[int, QueueItem] = {}
        self._awaiting: deque[QueueItem] = deque()
        self._ids = 0
        self._token_album: dict[int, int] = {}
        self._token_mode: dict[int, str] = {}
        self._running = False
        self._paused = False
        self._closing = False
        self._active: dict[int, _Active] = {}
        self._run_counts = {Status.DONE: 0, Status.FAILED: 0, Status.UNSURE: 0}
        self._rate_samples: deque[tuple[float, int]] = deque()
        self._transferred = 0
        self._progress_ids: set[int] = set()
        self._eta: float | None = None
        self._eta_at = 0.0
        self.load_warning: str | None = None
        self.load_notice: str | None = None

        # One I/O thread: store writes and History calls run there, in the order given.
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voitex-queue-io")
        if store is None:
            legacy = Path(state_path) if state_path is not None else None
            if database is None:
                if legacy is None:
                    raise TypeError("UploadQueue needs a store, a database or a state_path")
                database = legacy.with_name("history.sqlite3")
            store, self.load_warning = open_upload_store(database, legacy_json=legacy)
        self._store = store
        self._journal = JournalLink(journal, self._io, on_written=self._journal_written.emit,
                                    writer=journal_writer)
        self._dirty: set[int] = set()
        self._dirty_deleted: set[int] = set()
        self._dirty_settings: dict[str, Any] = {}
        self._write_failed = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(_FLUSH_DELAY_MS)
        self._flush_timer.timeout.connect(self._flush_writes)
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(_PROGRESS_TICK_MS)
        self._progress_timer.timeout.connect(self._flush_progress)
        self._journal_written.connect(self.journal_changed, Qt.ConnectionType.QueuedConnection)
        self._journal_failed.connect(self._on_journal_failed, Qt.ConnectionType.QueuedConnection)

        self.inspector = Inspector(parent=self)
        self.inspector.files_found.connect(self._on_files_found)
        self.inspector.files_inspected.connect(self._on_files_inspected)
        self.inspector.files_skipped.connect(self._on_files_skipped)
        self.inspector.busy_changed.connect(self._on_inspector_busy)
        self._start_when_read = False
        self._load()

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._items)

    def item_at(self, row: int) -> QueueItem:
        return self._items[row]

    def item(self, item_id: int) -> QueueItem:
        return self._by_id[item_id]

    def row_of(self, item_id: int) -> int:
        return self._rows[item_id]

    def items(self) -> list[QueueItem]:
        return list(self._items)

    @property
    def concurrency(self) -> int:
        return self._concurrency

    @property
    def numbering(self) -> str:
        return self._numbering

    @property
    def next_sort(self) -> int:
        return self._next_sort

    @property
    def running(self) -> bool:
        """An upload run is on (not paused, not finished)."""
        return self._running

    @property
    def paused(self) -> bool:
        """Paused by the user with rows still waiting (Upload then means Resume)."""
        return self._paused and any(i.status == Status.QUEUED for i in self._items)

    @property
    def active_count(self) -> int:
        return len(self._active)

    @property
    def inspecting(self) -> bool:
        return self.inspector.busy

    def has_active_uploads(self) -> bool:
        return self._running or bool(self._active)

    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for item in self._items:
            counts[item.status] += 1
        return counts

    def blocking_problems(self) -> list[QueueItem]:
        """Queued rows that must be fixed before an upload can start."""
        return [i for i in self._items if i.status == Status.QUEUED and i.problem]

    def can_start(self) -> bool:
        return (not self._running and not self.blocking_problems()
                and any(i.status in (Status.QUEUED, Status.INSPECTING) for i in self._items))

    # ------------------------------------------------------------------ settings
    def set_concurrency(self, value: int) -> None:
        value = max(1, min(CONCURRENCY_MAX, int(value)))
        if value != self._concurrency:
            self._concurrency = value
            self._save_settings()
            self.settings_changed.emit()
            self._pump()

    def set_numbering(self, mode: str, *, next_sort: int | None = None) -> None:
        if mode not in (NUMBER_BY_ORDER, NUMBER_BY_NAME):
            raise ValueError(f"unknown numbering {mode!r}")
        changed = mode != self._numbering
        self._numbering = mode
        if next_sort is not None:
            sort = parse_sort(next_sort, field="Start at")
            assert sort is not None  # parse_sort returns None only when optional
            changed = changed or sort != self._next_sort
            self._next_sort = sort
        if changed:
            self._save_settings()
            self.settings_changed.emit()

    def _save_settings(self) -> None:
        self._dirty_settings.update(numbering=self._numbering, next_sort=self._next_sort,
                                    concurrency=self._concurrency)
        self._schedule_flush()

    # ------------------------------------------------------------------ adding
    def add_paths(self, paths: Iterable[Path], *, album: int) -> None:
        """Queue files and folders (recursively); rows appear as they are listed."""
        album = parse_album(album)
        paths = [Path(p) for p in paths]
        if not paths:
            return
        token = self.inspector.submit(paths)
        self._token_album[token] = album
        self._token_mode[token] = self._numbering
        self.state_changed.emit()

    def _on_files_found(self, token: int, found: list[tuple[int, Path]]) -> None:
        album = self._token_album.get(token, 1)
        mode = self._token_mode.get(token, NUMBER_BY_ORDER)
        # A repeat of a row already queued gets no sort number of its own.
        taken = {i.path_key for i in self._items
                 if i.status.holds_number or i.status == Status.INSPECTING}
        new: list[QueueItem] = []
        for file_id, path in found:
            self._ids += 1
            item = QueueItem(id=self._ids, path=path, status=Status.INSPECTING, album=album,
                             sort=None, display_name=rules.display_name(path.stem), file_id=file_id)
            repeat = item.path_key in taken
            taken.add(item.path_key)
            if mode == NUMBER_BY_NAME:
                number = rules.number_from_name(path.name)
                item.sort, item.name_problem = number.sort, number.problem
            elif not repeat:
                item.awaiting_number = True
                self._awaiting.append(item)
            new.append(item)
            self._by_file_id[file_id] = item
        self._insert(new)
        self._mark_dirty(new)

    def _on_files_skipped(self, _token: int, count: int) -> None:
        self.message.emit(MessageLevel.INFO, f"Left out {plural(count, 'hidden or system file')} "
                                             "found in the dropped folders.")

    def _on_files_inspected(self, results: list[tuple[int, AudioInfo, str | None]]) -> None:
        changed_rows: list[int] = []
        changed: list[QueueItem] = []
        became_ready = False
        for file_id, info, digest in results:
            item = self._by_file_id.pop(file_id, None)
            if item is None or item.id not in self._by_id:
                continue  # removed while it was being read
            item.file_id = None
            item.info = info
            item.sha256 = digest
            item.stamp = file_stamp(item.path) if info.ok else None
            if item.status == Status.INSPECTING:
                if info.ok:
                    item.status = Status.QUEUED
                    became_ready = True
                else:
                    item.status = Status.REJECTED
                    item.reason = info.reason
                    item.awaiting_number = False
            changed_rows.append(self._rows[item.id])
            changed.append(item)
        # One list of facts serves both rules (numbering only changes sort numbers,
        # patched in below): a batch costs one pass over the queue, not two.
        facts = [i.facts() for i in self._items]
        numbered = self._assign_waiting_numbers(facts)
        for row in numbered:
            facts[row] = self._items[row].facts()
        changed_rows += numbered
        changed_rows += self._recheck_problems(facts)
        if changed_rows:
            self._emit_changed(min(changed_rows), max(changed_rows))
        self._mark_dirty(changed)
        self.progress_changed.emit()
        self.state_changed.emit()
        if became_ready:
            self._pump()

    def _assign_waiting_numbers(self, facts: list[RowFacts] | None = None) -> list[int]:
        """Number inspected rows in drop order, skipping rejected ones and repeats,
        stopping at the first row still being read so the order never depends on timing.
        `facts`, when given, are the rows' facts as they are now."""
        rows: list[int] = []
        advanced = False
        repeats: dict[int, tuple[int, bool]] | None = None
        while self._awaiting:
            item = self._awaiting[0]
            if item.id not in self._by_id or not item.awaiting_number:
                self._awaiting.popleft()
                continue
            if item.info is None:
                break
            self._awaiting.popleft()
            item.awaiting_number = False
            if repeats is None:
                repeats = rules.duplicate_of(facts if facts is not None
                                             else [i.facts() for i in self._items])
            if item.info.ok and item.id not in repeats:
                item.sort = min(self._next_sort, SORT_MAX)
                self._next_sort = min(self._next_sort + 1, SORT_MAX)
                advanced = True
                rows.append(self._rows[item.id])
                self._dirty.add(item.id)
        if advanced:
            self._save_settings()
            self.settings_changed.emit()
        return rows

    # ------------------------------------------------------------------ editing
    def set_album(self, item_id: int, value: int | str) -> None:
        item = self._editable(item_id)
        item.album = parse_album(value)
        self._edited(item)

    def set_sort(self, item_id: int, value: int | str) -> None:
        item = self._editable(item_id)
        item.sort = parse_sort(value)
        item.awaiting_number = False
        self._edited(item)

    def set_display_name(self, item_id: int, value: str) -> None:
        item = self._editable(item_id)
        item.display_name = value.strip()
        self._edited(item)

    def _editable(self, item_id: int) -> QueueItem:
        item = self._by_id[item_id]
        if not item.status.can_edit:
            raise ValueError(f"{item.name} is {item.status}; it can no longer be changed.")
        return item

    def _edited(self, item: QueueItem) -> None:
        rows = [self._rows[item.id], *self._recheck_problems()]
        self._emit_changed(min(rows), max(rows))
        self._mark_dirty([item])
        self.state_changed.emit()

    def renumber(self, item_ids: Sequence[int] | None = None, *, album: int | None = None) -> int:
        """Number rows again with the current numbering (and album, if given).

        Applies to the given rows, or to every row not yet uploaded, in table
        order; returns how many rows were numbered. Repeats get no number.
        """
        if album is not None:
            album = parse_album(album)
        wanted = set(item_ids) if item_ids is not None else None
        targets = [i for i in self._items
                   if i.status.can_edit and (wanted is None or i.id in wanted)]
        repeats = rules.duplicate_of([i.facts() for i in self._items])
        for item in targets:
            if album is not None:
                item.album = album
            item.name_problem = None
            if self._numbering == NUMBER_BY_NAME:
                number = rules.number_from_name(item.name)
                item.sort, item.name_problem = number.sort, number.problem
                item.awaiting_number = False
            elif item.id in repeats:
                item.sort = None
                item.awaiting_number = False
            elif item.info is None:
                if not item.awaiting_number:
                    item.awaiting_number = True
                    self._awaiting.append(item)
            else:
                item.awaiting_number = False
                item.sort = min(self._next_sort, SORT_MAX)
                self._next_sort = min(self._next_sort + 1, SORT_MAX)
        if targets:
            self._recheck_problems()
            self._emit_changed(0, len(self._items) - 1)
            self._mark_dirty(targets)
            self._save_settings()
            self.settings_changed.emit()
            self.state_changed.emit()
        return len(targets)

    def _recheck_problems(self, facts: list[RowFacts] | None = None) -> list[int]:
        """Apply the problem rules; returns the rows whose problem changed.
        `facts`, when given, are the rows' facts as they are now."""
        problems = rules.find_problems(facts if facts is not None
                                       else [i.facts() for i in self._items])
        changed = []
        for row, item in enumerate(self._items):
            problem = problems.get(item.id)
            if problem != item.problem:
                item.problem = problem
                changed.append(row)
        return changed

    # ------------------------------------------------------------------ rows
    def _insert(self, new: list[QueueItem]) -> None:
        if not new:
            return
        first = len(self._items)
        self.rows_about_to_be_inserted.emit(first, first + len(new) - 1)
        for item in new:
            self._rows[item.id] = len(self._items)
            self._by_id[item.id] = item
            self._items.append(item)
        self.rows_inserted.emit()
        self.progress_changed.emit()
        self.state_changed.emit()

    def remove(self, item_ids: Iterable[int]) -> int:
        """Remove rows that are not on the wire; returns how many were removed."""
        rows = sorted((self._rows[i] for i in set(item_ids)
                       if i in self._by_id and self._by_id[i].status.can_remove), reverse=True)
        if not rows:
            return 0
        runs: list[tuple[int, int]] = []
        for row in rows:
            if runs and runs[-1][0] == row + 1:
                runs[-1] = (row, runs[-1][1])
            else:
                runs.append((row, row))
        for first, last in runs:
            self.rows_about_to_be_removed.emit(first, last)
            for item in self._items[first:last + 1]:
                del self._by_id[item.id]
                if item.file_id is not None:
                    self._by_file_id.pop(item.file_id, None)
                self._dirty.discard(item.id)
                self._dirty_deleted.add(item.id)
            del self._items[first:last + 1]
            self._reindex(first)
            self.rows_removed.emit()
        self._recheck_problems()
        if self._items:
            self._emit_changed(0, len(self._items) - 1)
        self._schedule_flush()
        self.progress_changed.emit()
        self.state_changed.emit()
        return len(rows)

    def clear_finished(self) -> int:
        """Remove done, cancelled and rejected rows."""
        return self.remove([i.id for i in self._items if i.status.finished])

    def _reindex(self, start: int) -> None:
        for row in range(start, len(self._items)):
            self._rows[self._items[row].id] = row

    def _emit_changed(self, first: int, last: int) -> None:
        if self._items:
            self.items_changed.emit(max(0, first), min(last, len(self._items) - 1))

    def _row_changed(self, item: QueueItem) -> None:
        row = self._rows.get(item.id)
        if row is not None:
            self._emit_changed(row, row)

    # ------------------------------------------------------------------ running
    def start(self) -> bool:
        """Start (or resume) uploading; False, with a message, when it cannot."""
        if self._running:
            return True
        problems = self.blocking_problems()
        if problems:
            first = problems[0]
            self.message.emit(
                MessageLevel.WARNING,
                f"Upload not started: {plural(len(problems), 'row needs', 'rows need')} "
                f"attention first. {first.name}: {first.problem}")
            self.state_changed.emit()
            return False
        if not any(i.status in (Status.QUEUED, Status.INSPECTING) for i in self._items):
            self.message.emit(MessageLevel.INFO, "There is nothing queued to upload.")
            return False
        if not self._active:
            # A run talks to the account it started on, whatever the window
            # switches to meanwhile (see account_changed).
            try:
                self._run_client = self._client_factory()
            except Exception as err:  # no key for the profile, and the like
                self.message.emit(MessageLevel.ERROR, f"Upload not started: {err}")
                self.state_changed.emit()
                return False
            self._run_profile = self._profile()
        self._running = True
        self._paused = False
        if not self._active:
            self._run_counts = {Status.DONE: 0, Status.FAILED: 0, Status.UNSURE: 0}
            self._rate_samples.clear()
            self._eta = None
        self._progress_timer.start()
        self.state_changed.emit()
        self._pump()
        return True

    def start_when_read(self) -> None:
        """Start once every added file has been read (the `--upload` start option).

        Rows that may already be in the library are not part of it: only the
        user's Upload again sends those.
        """
        self._start_when_read = True
        self._on_inspector_busy(self.inspector.busy)

    def _on_inspector_busy(self, busy: bool) -> None:
        if (self._start_when_read and not busy
                and not any(i.status == Status.INSPECTING for i in self._items)):
            self._start_when_read = False
            self.start()
        self.state_changed.emit()

    def account_changed(self) -> None:
        """The window switched profile: a running batch stops taking new files."""
        if self._running:
            self.pause()
            self.message.emit(MessageLevel.WARNING, "Uploads paused because the profile changed. Press "
                                                    "Upload to continue on the new profile.")

    def pause(self) -> None:
        """Start no new uploads; the ones under way finish."""
        if not self._running:
            return
        self._running = False
        self._paused = True
        if self._active:
            self.message.emit(MessageLevel.INFO,
                              f"Pausing: waiting for {plural(len(self._active), 'upload')} "
                              "under way to finish.")
        else:
            self._tell_paused()
        self.state_changed.emit()

    def _tell_paused(self) -> None:
        waiting = sum(1 for i in self._items if i.status == Status.QUEUED)
        self.message.emit(MessageLevel.INFO, f"Paused: {plural(waiting, 'file')} still queued. "
                                             "Press Resume to go on.")

    def cancel(self, item_ids: Iterable[int]) -> int:
        """Cancel rows that are waiting or still sending; returns how many.

        A row whose bytes have all left cannot be cancelled: it stays, says so,
        and ends as uploaded or as "may already be in the library".
        """
        count = 0
        rows: list[int] = []
        changed: list[QueueItem] = []
        too_late: list[QueueItem] = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is None:
                continue
            if item.status == Status.SENT:
                item.cancel_refused = True
                too_late.append(item)
                rows.append(self._rows[item.id])
            elif item.status == Status.UPLOADING and item_id in self._active:
                self._active[item_id].task.cancel()
                count += 1
            elif item.status.can_cancel and item.status != Status.UPLOADING:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before it was uploaded."
                item.awaiting_number = False
                rows.append(self._rows[item.id])
                changed.append(item)
                count += 1
        if too_late:
            names = ", ".join(f"“{i.name}”" for i in too_late[:3])
            more = f" and {len(too_late) - 3} more" if len(too_late) > 3 else ""
            self.message.emit(
                MessageLevel.WARNING, f"{names}{more}: already sent, so Cancel cannot undo "
                f"{'it' if len(too_late) == 1 else 'them'}; waiting for Voitex's reply.")
        if rows:
            rows += self._recheck_problems()
            self._emit_changed(min(rows), max(rows))
            self._mark_dirty(changed)
            self.progress_changed.emit()
            self.state_changed.emit()
        return count

    def cancel_all(self) -> int:
        """Stop the run and cancel every row waiting or still sending (failed rows stay failed)."""
        was = self._running or bool(self._active)
        self._running = False
        self._paused = False
        count = self.cancel([i.id for i in self._items
                             if i.status in (Status.QUEUED, Status.INSPECTING, Status.UPLOADING)])
        sent = sum(1 for a in self._active if self._by_id[a].status == Status.SENT)
        if was or count:
            text = f"Upload stopped: {plural(count, 'file')} cancelled."
            if sent:
                text += (f" {plural(sent, 'file was', 'files were')} already sent and "
                         f"{'is' if sent == 1 else 'are'} waiting for Voitex's reply.")
            self.message.emit(MessageLevel.INFO, text)
        self.state_changed.emit()
        return count

    def retry(self, item_ids: Iterable[int]) -> int:
        """Queue failed, cancelled or "may already be in the library" rows again and
        upload them; returns how many."""
        rows = []
        changed = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is not None and item.status.can_retry:
                self._requeue(item)
                rows.append(self._rows[item_id])
                changed.append(item)
        if rows:
            rows += self._recheck_problems()
            self._emit_changed(min(rows), max(rows))
            self._mark_dirty(changed)
            self.progress_changed.emit()
            self.state_changed.emit()
            if self._running:
                self._pump()
            else:
                self.start()
        return len(changed)

    def retry_failed(self) -> int:
        """Queue every failed row again and start uploading."""
        return self.retry([i.id for i in self._items if i.status == Status.FAILED])

    def mark_done(self, item_ids: Iterable[int]) -> int:
        """The user checked the library: these "may already be there" rows are done."""
        changed = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is not None and item.status == Status.UNSURE:
                item.status = Status.DONE
                item.reason = "Marked as done by you (the library had it)."
                item.finished_at = utc_now()
                changed.append(item)
        if changed:
            rows = [self._rows[i.id] for i in changed] + self._recheck_problems()
            self._emit_changed(min(rows), max(rows))
            self._mark_dirty(changed)
            self.progress_changed.emit()
            self.state_changed.emit()
        return len(changed)

    def _requeue(self, item: QueueItem) -> None:
        item.reason = None
        item.sent = 0
        item.entry_id = None
        item.cancel_refused = False
        if item.info is None:
            item.status = Status.INSPECTING
            if item.file_id is None:
                item.file_id = self.inspector.new_file_id()
                self._by_file_id[item.file_id] = item
                self.inspector.reinspect([(item.file_id, item.path)])
        elif not item.info.ok:
            item.status = Status.REJECTED
            item.reason = item.info.reason
        else:
            item.status = Status.QUEUED

    # ------------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Stop everything and save, for the application's exit.

        An upload whose bytes had not all left is queued again (the library
        cannot have it); one whose bytes had all left may be in the library.
        """
        if self._closing:
            return
        self._closing = True
        self._running = False
        self._flush_timer.stop()
        self._progress_timer.stop()
        for item_id, active in list(self._active.items()):
            active.abandoned = True
            item = self._by_id.get(item_id)
            if item is not None:
                if item.status == Status.SENT:
                    item.status = Status.UNSURE
                    item.reason = UNSURE_REASON
                    self._journal_finish(active, Outcome.UNKNOWN, None, [
                        "The console closed before Voitex's reply arrived; the library may "
                        "already have the file."])
                else:
                    item.status = Status.QUEUED
                    item.sent = 0
                    self._journal_finish(active, Outcome.FAILED, None, [
                        "Not uploaded: the console closed before all of the file was sent. "
                        "It is still queued."])
                item.entry_id = None if item.status == Status.QUEUED else item.entry_id
                self._dirty.add(item.id)
            active.task.cancel()
        self._active.clear()
        self.inspector.shutdown()
        rows, deleted, settings = self._take_writes()
        if rows or deleted or settings:
            self._io.submit(self._store.write, rows, deleted=deleted, settings=settings or None,
                            durable=True)
        self._io.submit(self._store.close)
        self._io.shutdown(wait=True)
