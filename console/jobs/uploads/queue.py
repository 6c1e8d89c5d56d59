"""The bulk upload queue: the row list the Recordings tab shows, and its run.

A logic object in the qutebrowser style: it owns the rows, emits signals when
rows appear, change or go, and never touches a widget. The table model in
`console/ui/recordings/` mirrors it. Its parts:

- the rules (`rules.py`): sort numbers from names, problems, repeats, time left;
- the store (`console/store/upload_store.py`): rows and settings in SQLite,
  written from one I/O thread, in order;
- History (`journal_link.py`): begin/finish returning futures, off the UI thread;
- the run (`_upload`): asyncio tasks on the running loop, at most `concurrency`.

The promise: nothing lost, nothing twice. A row is written as on the wire
(with its History entry) and that write is committed before its bytes go; done
is written when the reply arrives. A row that was on the wire when the console
stopped comes back as "may already be in the library" (unless History has
its recording id) and is never sent again by itself.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from console.api import ApiError, VoitexClient
from console.domain.audio import AudioInfo, inspect_audio
from console.domain.validation import SORT_MAX, SORT_MIN, parse_album, parse_sort
from console.jobs.inspector import Inspector
from console.jobs.uploads import rules
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.journal_link import JournalLink
from console.jobs.uploads.rules import plural
from console.jobs.uploads.status import Status
from console.store.upload_store import UploadStore, open_upload_store

log = logging.getLogger(__name__)

NUMBER_BY_ORDER = "order"
NUMBER_BY_NAME = "filename"
CONCURRENCY_MAX = 16

_FLUSH_DELAY_MS = 50
_RETRY_WRITE_MS = 2000
_PROGRESS_TICK_MS = 100
_RATE_WINDOW_S = 15.0

UNSURE_REASON = ("It was being uploaded when the console stopped, so the library may already "
                 "have it. Choose Upload again or Mark as done.")


@dataclass
class _Active:
    task: asyncio.Task
    entry_id: int | None = None
    abandoned: bool = False  # the queue shut down: the task must not touch the item
    cleaned: bool = False  # the row's state after the upload has been settled


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


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
    message = Signal(str, str)  # level ("info", "warning", "error"), text
    upload_finished = Signal(int, str)  # item id, recording id
    upload_failed = Signal(int, str)  # item id, reason
    run_finished = Signal(str)  # a summary in plain words
    journal_changed = Signal()  # an upload's History entry was written (UI thread)
    _journal_written = Signal()  # from the I/O thread; re-emitted on the UI thread

    def __init__(self, *, client_factory: Callable[[], Any], journal, state_path: Path | None = None,
                 profile: Callable[[], tuple[str, str]], concurrency: int = 4,
                 store: UploadStore | None = None, database: Path | None = None,
                 parent: QObject | None = None) -> None:
        """`store` is where rows live; without one, the SQLite store in `database`
        (default: history.sqlite3 beside `state_path`, the JSON file of earlier
        versions, which is migrated once)."""
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
        self._run_counts = {"done": 0, "failed": 0, "unsure": 0}
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
        self._journal = journal if hasattr(journal, "outcome_of") else JournalLink(
            journal, self._io, on_written=self._journal_written.emit)
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

    def progress(self) -> QueueProgress:
        files_total = files_done = files_failed = files_uploading = 0
        bytes_total = bytes_done = 0
        remaining = 0
        for item in self._items:
            status = item.status
            if not status.holds_number:
                continue
            files_total += 1
            bytes_total += item.size
            if status == Status.DONE or status == Status.SENT:
                files_done += status == Status.DONE
                files_uploading += status == Status.SENT
                bytes_done += item.size
            elif status == Status.UPLOADING:
                files_uploading += 1
                sent = min(item.sent, item.size)
                bytes_done += sent
                remaining += item.size - sent
            elif status == Status.FAILED:
                files_failed += 1
            elif status == Status.QUEUED and not item.problem:
                remaining += item.size
        rate = self._rate()
        eta = None
        if self._running or self._active:
            raw = remaining / rate if rate else None
            now = time.monotonic()
            eta = rules.smooth_eta(self._eta, raw, now - self._eta_at)
            self._eta, self._eta_at = eta, now
        else:
            self._eta = None
        return QueueProgress(files_total, files_done, files_failed, files_uploading,
                             bytes_total, bytes_done, eta, rate)

    def _rate(self) -> float | None:
        samples = self._rate_samples
        if len(samples) < 2:
            return None
        (t0, b0), (t1, b1) = samples[0], samples[-1]
        if t1 - t0 < 1.0 or b1 <= b0:
            return None
        return (b1 - b0) / (t1 - t0)

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
        self.message.emit("info", f"Left out {plural(count, 'hidden or system file')} "
                                  "found in the dropped folders.")

    def _on_files_inspected(self, results: list[tuple]) -> None:
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
            item.stamp = _stat(item.path) if info.ok else None
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
        changed_rows += self._assign_waiting_numbers()
        changed_rows += self._recheck_problems()
        if changed_rows:
            self._emit_changed(min(changed_rows), max(changed_rows))
        self._mark_dirty(changed)
        self.progress_changed.emit()
        self.state_changed.emit()
        if became_ready:
            self._pump()

    def _assign_waiting_numbers(self) -> list[int]:
        """Number inspected rows in drop order, skipping rejected ones and repeats,
        stopping at the first row still being read so the order never depends on timing."""
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
                repeats = rules.duplicate_of([i.facts() for i in self._items])
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

    def _recheck_problems(self) -> list[int]:
        """Apply the problem rules; returns the rows whose problem changed."""
        problems = rules.find_problems([i.facts() for i in self._items])
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
                "warning",
                f"Upload not started: {plural(len(problems), 'row needs', 'rows need')} "
                f"attention first. {first.name}: {first.problem}")
            self.state_changed.emit()
            return False
        if not any(i.status in (Status.QUEUED, Status.INSPECTING) for i in self._items):
            self.message.emit("info", "There is nothing queued to upload.")
            return False
        if not self._active:
            # A run talks to the account it started on, whatever the window
            # switches to meanwhile (see account_changed).
            try:
                self._run_client = self._client_factory()
            except Exception as err:  # no key for the profile, and the like
                self.message.emit("error", f"Upload not started: {err}")
                self.state_changed.emit()
                return False
            self._run_profile = self._profile()
        self._running = True
        self._paused = False
        if not self._active:
            self._run_counts = {"done": 0, "failed": 0, "unsure": 0}
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
            self.message.emit("warning", "Uploads paused because the profile changed. Press "
                                         "Upload to continue on the new profile.")

    def pause(self) -> None:
        """Start no new uploads; the ones under way finish."""
        if not self._running:
            return
        self._running = False
        self._paused = True
        if self._active:
            self.message.emit("info", f"Pausing: waiting for {plural(len(self._active), 'upload')} "
                                      "under way to finish.")
        else:
            self._tell_paused()
        self.state_changed.emit()

    def _tell_paused(self) -> None:
        waiting = sum(1 for i in self._items if i.status == Status.QUEUED)
        self.message.emit("info", f"Paused: {plural(waiting, 'file')} still queued. "
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
                "warning", f"{names}{more}: already sent, so Cancel cannot undo "
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
            self.message.emit("info", text)
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
                item.finished_at = _utc_now()
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

    def _pump(self) -> None:
        if not self._running or self._closing:
            return
        if len(self._active) < self._concurrency:
            for item in self._items:
                if len(self._active) >= self._concurrency:
                    break
                if item.status == Status.QUEUED and not item.problem and item.id not in self._active:
                    self._launch(item)
        if not self._active and not any(i.status == Status.INSPECTING for i in self._items):
            waiting = any(i.status == Status.QUEUED for i in self._items)
            if not waiting or self.blocking_problems():
                self._finish_run()

    def _launch(self, item: QueueItem) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop()
        item.status = Status.UPLOADING
        item.sent = 0
        item.reason = None
        self._row_changed(item)
        active = _Active(task=None)  # type: ignore[arg-type]
        self._active[item.id] = active
        active.task = loop.create_task(self._upload(item, active))
        active.task.add_done_callback(lambda task: self._on_task_done(item, active, task))
        self.state_changed.emit()

    def _finish_run(self) -> None:
        was_running = self._running
        self._running = False
        self._progress_timer.stop()
        self._flush_progress()
        self.state_changed.emit()
        if was_running:
            done, failed, unsure = (self._run_counts["done"], self._run_counts["failed"],
                                    self._run_counts["unsure"])
            left = sum(1 for i in self._items if i.status == Status.QUEUED)
            parts = [f"{plural(done, 'file')} uploaded"]
            if failed:
                parts.append(f"{failed} failed (see the Status column; “Retry failed” sends them again)")
            if unsure:
                parts.append(f"{unsure} may already be in the library (select them: Upload again "
                             "or Mark as done)")
            if left:
                parts.append(f"{left} still queued: fix the rows marked as needing attention")
            summary = "; ".join(parts) + "."
            self.run_finished.emit(summary)
            self.message.emit("warning" if failed or left or unsure else "info", summary)

    async def _upload(self, item: QueueItem, active: _Active) -> None:
        outcome = None
        try:
            client = self._run_client
            stamp = _stat(item.path)
            if stamp is None:
                outcome = self._failed(item, "The file is no longer there: it was moved or "
                                             "deleted after it was added.")
                return
            if stamp != item.stamp:
                info = await asyncio.to_thread(inspect_audio, item.path)
                item.info, item.stamp = info, stamp
                if not info.ok:
                    outcome = self._failed(item, f"The file changed after it was added: {info.reason}")
                    return
            try:
                active.entry_id = await asyncio.wrap_future(self._journal_begin(item))
            except Exception as err:
                log.exception("writing the upload's history entry failed")
                outcome = self._failed(item, f"History could not be written ({err}), so the file "
                                             "was not sent. Try again in a moment.")
                return
            # The row says "on the wire" on disk before a byte leaves: after a
            # crash from here on, it comes back as "may already be in the library".
            item.entry_id = active.entry_id
            try:
                await asyncio.wrap_future(self._write_now([item], durable=True))
            except Exception as err:
                log.exception("saving the upload queue failed")
                self._journal_finish(active, "failed", None, [
                    "Not sent: the upload queue could not be saved."])
                outcome = self._failed(item, f"The queue could not be saved ({err}), so the file "
                                             "was not sent. Try again in a moment.")
                return
            try:
                result = await client.upload_recording(
                    item.path, album_number=item.album, sort_number=item.sort,
                    display_name=item.display_name or None,
                    on_progress=lambda sent, total: self._on_progress(item, sent, total))
            except ApiError as err:
                reason = str(err)
                extra = [m for m in err.messages if m and m not in reason]
                if extra:
                    reason += " Voitex said: " + "; ".join(extra)
                unknown = err.outcome_unknown and item.status == Status.SENT
                self._journal_finish(active, "unknown" if err.outcome_unknown else "failed",
                                     None, [str(err), *err.messages])
                if unknown:
                    outcome = self._unsure(item, f"{reason} The library may already have it: "
                                                 "choose Upload again or Mark as done.")
                else:
                    outcome = self._failed(item, reason)
            except OSError as err:
                text = f"The file could not be read: {err.strerror or err}."
                self._journal_finish(active, "failed", None, [text])
                outcome = self._failed(item, text)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # the file changed under the upload, and the like
                log.warning("upload of %s failed", item.path, exc_info=True)
                text = f"The upload stopped: {err}."
                self._journal_finish(active, "failed", None, [text])
                outcome = self._failed(item, text)
            else:
                item.status = Status.DONE
                item.recording_id = result.recording_id
                item.sent = item.size
                item.finished_at = _utc_now()
                item.reason = None
                self._write_now([item])
                self._journal_finish(active, "done", result.recording_id, [])
                self._run_counts["done"] += 1
                outcome = ("done", result.recording_id)
        except asyncio.CancelledError:
            if active.abandoned:
                raise
            if item.status == Status.SENT:
                # Cancel refuses a row in this state; only closing gets here.
                self._unsure(item, UNSURE_REASON)
            else:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before all of it was sent; the library does not have it."
            if active.entry_id is not None:
                self._journal_finish(active, "unknown" if item.status == Status.UNSURE else "failed",
                                     None, [item.reason or ""])
            raise
        finally:
            self._after_upload(item, active, outcome)

    def _on_task_done(self, item: QueueItem, active: _Active, task: asyncio.Task) -> None:
        # A task cancelled before its first step never runs its own clean-up.
        if not active.cleaned:
            if task.cancelled() and item.status == Status.UPLOADING:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before it was sent."
            self._after_upload(item, active, None)

    def _after_upload(self, item: QueueItem, active: _Active,
                      outcome: tuple[str, str] | None) -> None:
        if active.cleaned or active.abandoned:
            return
        active.cleaned = True
        self._active.pop(item.id, None)
        if item.status == Status.UPLOADING:
            item.status = Status.QUEUED
        self._progress_ids.discard(item.id)
        if item.status == Status.CANCELLED:
            self._recheck_problems()  # a cancelled row no longer holds its album and sort
        if item.id in self._by_id:
            self._row_changed(item)
            self._mark_dirty([item])
        self.progress_changed.emit()
        self.state_changed.emit()
        if outcome is not None and outcome[0] == "done":
            self.upload_finished.emit(item.id, outcome[1])
        elif outcome is not None:
            self.upload_failed.emit(item.id, outcome[1])
        if self._paused and not self._active and not self._closing:
            self._tell_paused()
        self._pump()

    def _failed(self, item: QueueItem, reason: str) -> tuple[str, str]:
        item.status = Status.FAILED
        item.reason = reason
        item.sent = 0
        item.finished_at = _utc_now()
        self._run_counts["failed"] += 1
        return ("failed", reason)

    def _unsure(self, item: QueueItem, reason: str) -> tuple[str, str]:
        item.status = Status.UNSURE
        item.reason = reason
        item.finished_at = _utc_now()
        self._run_counts["unsure"] += 1
        return ("unsure", reason)

    def _on_progress(self, item: QueueItem, sent: int, total: int) -> None:
        delta = sent - item.sent
        if delta > 0:
            self._transferred += delta
        item.sent = sent
        if total and sent >= total and item.status == Status.UPLOADING:
            # The last byte has left: from now on Cancel cannot undo it. Only the
            # Status cell changes (with the next progress tick); buttons follow.
            item.status = Status.SENT
            self._mark_dirty([item])
            self.state_changed.emit()
        self._progress_ids.add(item.id)

    def _flush_progress(self) -> None:
        now = time.monotonic()
        samples = self._rate_samples
        samples.append((now, self._transferred))
        while len(samples) > 2 and now - samples[0][0] > _RATE_WINDOW_S:
            samples.popleft()
        if self._progress_ids:
            rows = [self._rows[i] for i in self._progress_ids if i in self._rows]
            self._progress_ids.clear()
            if rows:
                self.progress_rows_changed.emit(min(rows), max(rows))
        self.progress_changed.emit()
        if not self._running and not self._active:
            self._progress_timer.stop()

    # ------------------------------------------------------------------ journal
    def _journal_begin(self, item: QueueItem) -> Future:
        profile_id, profile_name = self._run_profile
        request = {"album_number": item.album, "sort_number": item.sort,
                   "display_name": item.display_name, "upload_file": str(item.path),
                   "size": item.size}
        return self._journal.begin(
            kind="upload", profile_id=profile_id, profile_name=profile_name,
            recipient=f"album {item.album} / sort {item.sort}", content=item.name,
            request=request)

    def _journal_finish(self, active: _Active, outcome: str, result_id: str | None,
                        messages: list[str]) -> None:
        if active.entry_id is None:
            return
        try:
            future = self._journal.finish(active.entry_id, outcome=outcome, result_id=result_id,
                                          messages=messages)
        except RuntimeError:  # the I/O thread is gone (closing)
            log.warning("history entry %s left pending: the queue is closing", active.entry_id)
            return
        future.add_done_callback(_log_failure)

    # ------------------------------------------------------------------ persistence
    def _mark_dirty(self, items: Iterable[QueueItem]) -> None:
        for item in items:
            self._dirty.add(item.id)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if not self._closing and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _take_writes(self) -> tuple[list, list[int], dict]:
        rows = [self._by_id[i].stored() for i in sorted(self._dirty) if i in self._by_id]
        deleted = sorted(self._dirty_deleted)
        settings = dict(self._dirty_settings)
        self._dirty.clear()
        self._dirty_deleted.clear()
        self._dirty_settings.clear()
        return rows, deleted, settings

    def _flush_writes(self) -> None:
        rows, deleted, settings = self._take_writes()
        if not (rows or deleted or settings):
            return
        future = self._io.submit(self._store.write, rows, deleted=deleted, settings=settings or None)
        future.add_done_callback(
            lambda f, r=rows, d=deleted, s=settings: self._write_done(f, r, d, s))

    def _write_done(self, future: Future, rows, deleted, settings) -> None:
        # On the I/O thread: hand a failure back to the UI thread to retry.
        if future.exception() is not None:
            log.warning("saving the upload queue failed: %s", future.exception())
            QTimer.singleShot(0, self, lambda: self._retry_writes(rows, deleted, settings))

    def _retry_writes(self, rows, deleted, settings) -> None:
        if self._closing:
            return
        for row in rows:
            if row.id in self._by_id:
                self._dirty.add(row.id)
        self._dirty_deleted.update(deleted)
        for key, value in settings.items():
            self._dirty_settings.setdefault(key, value)
        if not self._write_failed:
            self._write_failed = True
            self.message.emit("warning", "The upload queue could not be saved just now (is "
                                         "another program using the History file?). The console "
                                         "keeps trying.")
        QTimer.singleShot(_RETRY_WRITE_MS, self, self._flush_writes)

    def _write_now(self, items: Sequence[QueueItem], *, durable: bool = False) -> Future:
        """Write these rows (and anything pending) now; the future settles once committed."""
        for item in items:
            self._dirty.add(item.id)
        self._flush_timer.stop()
        rows, deleted, settings = self._take_writes()
        future = self._io.submit(self._store.write, rows, deleted=deleted,
                                 settings=settings or None, durable=durable)
        future.add_done_callback(
            lambda f, r=rows, d=deleted, s=settings: self._write_done(f, r, d, s))
        return future

    def flush(self) -> None:
        """Write everything now and wait until the store and History have it."""
        self._flush_timer.stop()
        self._flush_writes()
        self._io.submit(lambda: None).result()

    def _load(self) -> None:
        from console.store.upload_store import UploadStoreError

        try:
            stored = self._store.load()
        except UploadStoreError as err:
            self.load_warning = f"{err} The queue starts empty."
            return
        if stored.warning:
            self.load_warning = " ".join(w for w in (self.load_warning, stored.warning) if w)
        settings = stored.settings
        if settings.get("numbering") in (NUMBER_BY_ORDER, NUMBER_BY_NAME):
            self._numbering = settings["numbering"]
        next_sort = settings.get("next_sort")
        if isinstance(next_sort, int) and SORT_MIN <= next_sort <= SORT_MAX:
            self._next_sort = next_sort
        if isinstance(settings.get("concurrency"), int):
            self._concurrency = max(1, min(CONCURRENCY_MAX, settings["concurrency"]))
        confirmed = unsure = bad = 0
        changed: list[QueueItem] = []
        for row in stored.rows:
            try:
                item = QueueItem.from_stored(row)
            except (ValueError, TypeError, KeyError):
                bad += 1
                continue
            if item.status.on_the_wire:
                known = (self._journal.outcome_of(item.entry_id)
                         if item.entry_id is not None else None)
                if known is not None and known[0] == "done" and known[1]:
                    item.status = Status.DONE
                    item.recording_id = known[1]
                    item.reason = None
                    confirmed += 1
                else:
                    item.status = Status.UNSURE
                    item.reason = UNSURE_REASON
                    unsure += 1
                changed.append(item)
            self._ids = max(self._ids, item.id)
            self._rows[item.id] = len(self._items)
            self._by_id[item.id] = item
            self._items.append(item)
        if bad:
            self.load_warning = " ".join(w for w in (
                self.load_warning, f"{bad} saved upload row(s) could not be read and were left out.")
                if w)
        reread = []
        for item in self._items:
            if item.status == Status.INSPECTING:
                item.file_id = self.inspector.new_file_id()
                self._by_file_id[item.file_id] = item
                reread.append((item.file_id, item.path))
                if item.awaiting_number:
                    self._awaiting.append(item)
        if reread:
            self.inspector.reinspect(reread)
        self._recheck_problems()
        if changed:
            self._write_now(changed, durable=True)
        self.load_notice = _load_notice(
            waiting=sum(1 for i in self._items
                        if i.status in (Status.QUEUED, Status.FAILED, Status.INSPECTING)),
            unsure=unsure, confirmed=confirmed, migrated=stored.migrated)

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
                    self._journal_finish(active, "unknown", None, [
                        "The console closed before Voitex's reply arrived; the library may "
                        "already have the file."])
                else:
                    item.status = Status.QUEUED
                    item.sent = 0
                    self._journal_finish(active, "failed", None, [
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


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        log.error("writing an upload to history failed: %s", future.exception())


def _load_notice(*, waiting: int, unsure: int, confirmed: int, migrated: int) -> str | None:
    """One sentence about what the queue found at start-up, or None when nothing."""
    parts = []
    if waiting:
        parts.append(f"{plural(waiting, 'file is', 'files are')} waiting for Upload")
    if unsure:
        parts.append(f"{plural(unsure, 'file was', 'files were')} being uploaded when the console "
                     "stopped and may already be in the library (select "
                     f"{'it' if unsure == 1 else 'them'}: Upload again or Mark as done)")
    if confirmed:
        parts.append(f"{plural(confirmed, 'upload')} that History confirms "
                     f"{'was' if confirmed == 1 else 'were'} marked as done")
    if not parts:
        return None
    if len(parts) > 1:
        text = ", ".join(parts[:-1]) + " and " + parts[-1]
    else:
        text = parts[0]
    text = f"From last time: {text}."
    if migrated:
        text += " (The queue was moved into the History database.)"
    return text
