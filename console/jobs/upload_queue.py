"""The bulk upload queue: what the Recordings tab shows and drives.

A logic object in the qutebrowser style: it owns the list of queued files and
their state, emits signals when rows appear, change or go, and never touches a
widget. The table model in `console/ui/recordings/` mirrors it.

- Files arrive through `add_paths`; an `Inspector` lists folders and reads every
  file off the UI thread. Files that cannot be uploaded stay in the list as
  "rejected" with the reason.
- Sort numbers come from the drop order (starting at `next_sort`) or from the
  number a file name starts with; every album, sort number and display name
  stays editable. Rows that share an album and sort number, or lack a number,
  are flagged (`QueueItem.problem`) and `start()` refuses while any is left.
- Uploads run as asyncio tasks on the running loop (qasync in the application),
  at most `concurrency` at a time, each one a call to the active profile's
  client, which retries transient failures by its own rules. What still fails
  stays in the queue with its reason until "retry failed".
- Every state change that matters is saved to `state_path` (atomically, from a
  background thread, coalesced); progress is not saved, so a row that was
  uploading when the console stopped is simply queued again on the next start.
- Every upload is journalled (kind "upload") from a background thread, in order.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
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
from console.domain.validation import (
    SORT_MAX,
    SORT_MIN,
    leading_number,
    parse_album,
    parse_sort,
)
from console.jobs.inspector import Inspector
from console.store.files import atomic_write

log = logging.getLogger(__name__)

INSPECTING = "inspecting"
REJECTED = "rejected"
QUEUED = "queued"
UPLOADING = "uploading"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (INSPECTING, REJECTED, QUEUED, UPLOADING, DONE, FAILED, CANCELLED)

# Statuses whose album, sort number and display name may still be changed.
EDITABLE = frozenset({INSPECTING, QUEUED, FAILED, CANCELLED})
# Rows that will be, are being, or have been uploaded from this queue: their
# album and sort pairs must be unique.
_NUMBERED = frozenset({QUEUED, UPLOADING, FAILED, DONE})
# Rows that an upload run still has to send.
_TO_SEND = frozenset({QUEUED, FAILED})

NUMBER_BY_ORDER = "order"
NUMBER_BY_NAME = "filename"

STATE_VERSION = 1
CONCURRENCY_MAX = 16

_SAVE_DELAY_MS = 300
_PROGRESS_TICK_MS = 100
_RATE_WINDOW_S = 15.0


@dataclass(eq=False)
class QueueItem:
    id: int
    path: Path
    status: str
    album: int | None
    sort: int | None
    display_name: str
    info: AudioInfo | None = None
    recording_id: str | None = None
    reason: str | None = None  # why rejected, failed or cancelled
    problem: str | None = None  # numbering problem that blocks the upload
    sent: int = 0  # bytes of this file sent in the current attempt
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when inspected
    finished_at: str | None = None
    awaiting_number: bool = False  # gets a sort number once inspected (drop order)
    file_id: int | None = None  # the inspector's id while being read

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.info.size if self.info is not None else 0

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        if not self.size:
            return 0
        return min(100, int(self.sent * 100 / self.size))

    def to_dict(self) -> dict:
        return {
            "path": str(self.path), "status": self.status, "album": self.album, "sort": self.sort,
            "display_name": self.display_name,
            "info": self.info.to_dict() if self.info is not None else None,
            "recording_id": self.recording_id, "reason": self.reason,
            "stamp": list(self.stamp) if self.stamp else None, "finished_at": self.finished_at,
            "awaiting_number": self.awaiting_number,
        }


@dataclass(frozen=True)
class QueueProgress:
    files_total: int
    files_done: int
    files_failed: int
    files_uploading: int
    bytes_total: int
    bytes_done: int
    eta_s: float | None  # None while unknown (nothing running, or too early to say)
    rate_bps: float | None


@dataclass
class _Active:
    task: asyncio.Task
    entry: Future | None = None  # the journal entry id, written in the background
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


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
    # Overall progress (files, bytes, time left) changed.
    progress_changed = Signal()
    # Running, pausing, paused, idle, inspecting or problems changed.
    state_changed = Signal()
    # The numbering settings changed (next_sort moves on as rows are numbered).
    settings_changed = Signal()
    message = Signal(str, str)  # level ("info", "warning", "error"), text
    upload_finished = Signal(int, str)  # item id, recording id
    upload_failed = Signal(int, str)  # item id, reason
    run_finished = Signal(str)  # a summary in plain words
    # An upload's history entry was written (emitted on the UI thread).
    journal_changed = Signal()
    _journal_written = Signal()  # from the I/O thread; re-emitted on the UI thread

    def __init__(self, *, client_factory: Callable[[], Any], journal, state_path: Path,
                 profile: Callable[[], tuple[str, str]], concurrency: int = 4,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._run_client: VoitexClient | None = None
        self._run_profile: tuple[str, str] = ("", "")
        self._journal = journal
        self.state_path = Path(state_path)
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
        self._run_counts = {"done": 0, "failed": 0}
        self._rate_samples: deque[tuple[float, int]] = deque()
        self._transferred = 0  # bytes handed to the network this session, for the rate
        self._progress_ids: set[int] = set()  # rows whose percentage moved since the last tick
        self.load_warning: str | None = None

        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voitex-queue-io")
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_now)
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(_PROGRESS_TICK_MS)
        self._progress_timer.timeout.connect(self._flush_progress)
        self._journal_written.connect(self.journal_changed, Qt.ConnectionType.QueuedConnection)

        self.inspector = Inspector(parent=self)
        self.inspector.files_found.connect(self._on_files_found)
        self.inspector.files_inspected.connect(self._on_files_inspected)
        self.inspector.files_skipped.connect(self._on_files_skipped)
        self.inspector.busy_changed.connect(lambda _busy: self.state_changed.emit())
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
        return self._paused and any(i.status == QUEUED for i in self._items)

    @property
    def active_count(self) -> int:
        return len(self._active)

    @property
    def inspecting(self) -> bool:
        return self.inspector.busy

    def has_active_uploads(self) -> bool:
        return self._running or bool(self._active)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for item in self._items:
            counts[item.status] += 1
        return counts

    def blocking_problems(self) -> list[QueueItem]:
        """Queued rows whose numbering must be fixed before an upload can start."""
        return [i for i in self._items if i.status == QUEUED and i.problem]

    def can_start(self) -> bool:
        return (not self._running and not self.blocking_problems()
                and any(i.status in (QUEUED, INSPECTING) for i in self._items))

    def progress(self) -> QueueProgress:
        files_total = files_done = files_failed = files_uploading = 0
        bytes_total = bytes_done = 0
        for item in self._items:
            if item.status not in _NUMBERED:
                continue
            files_total += 1
            bytes_total += item.size
            if item.status == DONE:
                files_done += 1
                bytes_done += item.size
            elif item.status == UPLOADING:
                files_uploading += 1
                bytes_done += min(item.sent, item.size)
            elif item.status == FAILED:
                files_failed += 1
        rate = self._rate()
        eta = None
        if self._running and rate:
            remaining = sum(i.size - min(i.sent, i.size) for i in self._items
                            if i.status == UPLOADING or (i.status == QUEUED and not i.problem))
            eta = remaining / rate
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
            self._schedule_save()
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
            self._schedule_save()
            self.settings_changed.emit()

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
        new: list[QueueItem] = []
        for file_id, path in found:
            self._ids += 1
            sort = leading_number(path.name) if mode == NUMBER_BY_NAME else None
            if sort is not None and not SORT_MIN <= sort <= SORT_MAX:
                sort = None
            item = QueueItem(id=self._ids, path=path, status=INSPECTING, album=album,
                             sort=sort, display_name=path.stem,
                             awaiting_number=mode == NUMBER_BY_ORDER, file_id=file_id)
            new.append(item)
            self._by_file_id[file_id] = item
            if item.awaiting_number:
                self._awaiting.append(item)
        self._insert(new)
        self._schedule_save()

    def _on_files_skipped(self, _token: int, count: int) -> None:
        self.message.emit("info", f"Left out {_plural(count, 'hidden or system file')} "
                                  "found in the dropped folders.")

    def _on_files_inspected(self, results: list[tuple[int, AudioInfo]]) -> None:
        changed_rows: list[int] = []
        became_ready = False
        for file_id, info in results:
            item = self._by_file_id.pop(file_id, None)
            if item is None or item.id not in self._by_id:
                continue  # removed while it was being read
            item.file_id = None
            item.info = info
            item.stamp = _stat(item.path) if info.ok else None
            if item.status == INSPECTING:
                if info.ok:
                    item.status = QUEUED
                    became_ready = True
                else:
                    item.status = REJECTED
                    item.reason = info.reason
                    item.awaiting_number = False
            changed_rows.append(self._rows[item.id])
        changed_rows += self._assign_waiting_numbers()
        self._recheck_problems()
        if changed_rows:
            self._emit_changed(min(changed_rows), max(changed_rows))
        self._schedule_save()
        self.progress_changed.emit()
        self.state_changed.emit()
        if became_ready:
            self._pump()

    def _assign_waiting_numbers(self) -> list[int]:
        """Number inspected rows in drop order, skipping rejected ones, stopping at
        the first row still being read so the order never depends on timing."""
        rows: list[int] = []
        advanced = False
        while self._awaiting:
            item = self._awaiting[0]
            if item.id not in self._by_id or not item.awaiting_number:
                self._awaiting.popleft()
                continue
            if item.info is None:
                break
            self._awaiting.popleft()
            item.awaiting_number = False
            if item.info.ok:
                item.sort = min(self._next_sort, SORT_MAX)
                self._next_sort = min(self._next_sort + 1, SORT_MAX)
                advanced = True
                rows.append(self._rows[item.id])
        if advanced:
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
        if item.status not in EDITABLE:
            raise ValueError(f"{item.name} is {item.status}; it can no longer be changed.")
        return item

    def _edited(self, item: QueueItem) -> None:
        before = {i.id: i.problem for i in self._items}
        self._recheck_problems()
        rows = [self._rows[item.id]] + [self._rows[i.id] for i in self._items
                                         if i.problem != before.get(i.id)]
        self._emit_changed(min(rows), max(rows))
        self._schedule_save()
        self.state_changed.emit()

    def renumber(self, item_ids: Sequence[int] | None = None, *, album: int | None = None) -> int:
        """Number rows again with the current numbering (and album, if given).

        Applies to the given rows, or to every row not yet uploaded, in table
        order; returns how many rows were numbered.
        """
        if album is not None:
            album = parse_album(album)
        wanted = set(item_ids) if item_ids is not None else None
        targets = [i for i in self._items
                   if i.status in EDITABLE and (wanted is None or i.id in wanted)]
        for item in targets:
            if album is not None:
                item.album = album
            if self._numbering == NUMBER_BY_NAME:
                number = leading_number(item.name)
                item.sort = number if number is not None and SORT_MIN <= number <= SORT_MAX else None
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
            self._schedule_save()
            self.settings_changed.emit()
            self.state_changed.emit()
        return len(targets)

    def _recheck_problems(self) -> None:
        by_pair: dict[tuple[int, int], list[QueueItem]] = {}
        for item in self._items:
            item.problem = None
            if item.status not in _NUMBERED:
                continue
            if item.album is None:
                item.problem = "Needs an album number."
                continue
            if item.sort is None:
                if item.status != DONE:
                    item.problem = ("Needs a sort number: its name does not start with one. "
                                    "Type one in the Sort column.")
                continue
            by_pair.setdefault((item.album, item.sort), []).append(item)
        for (album, sort), items in by_pair.items():
            if len(items) < 2:
                continue
            for item in items:
                if item.status not in _TO_SEND:
                    continue
                others = [o for o in items if o is not item]
                first = others[0]
                more = f" and {_plural(len(others) - 1, 'other row')}" if len(others) > 1 else ""
                if first.status == DONE:
                    where = f"was already uploaded from “{first.name}”"
                else:
                    where = f"is also used by “{first.name}”"
                item.problem = (f"Album {album} / sort {sort} {where}{more}. "
                                "Change the sort number or remove one of them.")

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
        """Remove rows that are not uploading; returns how many were removed."""
        rows = sorted((self._rows[i] for i in set(item_ids)
                       if i in self._by_id and self._by_id[i].status != UPLOADING), reverse=True)
        if not rows:
            return 0
        # Remove contiguous runs from the bottom so earlier row numbers stay valid.
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
            del self._items[first:last + 1]
            self._reindex(first)
            self.rows_removed.emit()
        self._recheck_problems()
        if self._items:
            self._emit_changed(0, len(self._items) - 1)
        self._schedule_save()
        self.progress_changed.emit()
        self.state_changed.emit()
        return len(rows)

    def clear_finished(self) -> int:
        """Remove done, cancelled and rejected rows."""
        return self.remove([i.id for i in self._items if i.status in (DONE, CANCELLED, REJECTED)])

    def _reindex(self, start: int) -> None:
        for row in range(start, len(self._items)):
            self._rows[self._items[row].id] = row

    def _emit_changed(self, first: int, last: int) -> None:
        if self._items:
            self.items_changed.emit(max(0, first), min(last, len(self._items) - 1))

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
                f"Upload not started: {_plural(len(problems), 'row needs', 'rows need')} "
                f"attention first. {first.name}: {first.problem}")
            self.state_changed.emit()
            return False
        if not any(i.status in (QUEUED, INSPECTING) for i in self._items):
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
            self._run_counts = {"done": 0, "failed": 0}
            self._rate_samples.clear()
        self._progress_timer.start()
        self.state_changed.emit()
        self._pump()
        return True

    def account_changed(self) -> None:
        """The window switched profile: a running batch stops taking new files.

        Uploads under way finish on the account they started on; pressing
        Upload again continues on the new one.
        """
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
            self.message.emit("info", f"Pausing: waiting for {_plural(len(self._active), 'upload')} "
                                      "under way to finish.")
        self.state_changed.emit()
        self._schedule_save()

    def cancel(self, item_ids: Iterable[int]) -> int:
        """Cancel rows that are waiting or uploading; returns how many."""
        count = 0
        rows: list[int] = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is None:
                continue
            if item.status == UPLOADING and item_id in self._active:
                self._active[item_id].task.cancel()
                count += 1
            elif item.status in (QUEUED, INSPECTING, FAILED):
                item.status = CANCELLED
                item.reason = "Cancelled before it was uploaded."
                item.awaiting_number = False
                rows.append(self._rows[item.id])
                count += 1
        if rows:
            self._recheck_problems()
            self._emit_changed(min(rows), max(rows))
            self._schedule_save()
            self.progress_changed.emit()
            self.state_changed.emit()
        return count

    def cancel_all(self) -> int:
        """Stop the run and cancel every row waiting or uploading (failed rows stay failed)."""
        self._running = False
        self._paused = False
        count = self.cancel([i.id for i in self._items if i.status in (QUEUED, INSPECTING, UPLOADING)])
        self.state_changed.emit()
        return count

    def retry(self, item_ids: Iterable[int]) -> int:
        """Queue failed or cancelled rows again and upload them; returns how many."""
        rows = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is not None and item.status in (FAILED, CANCELLED):
                self._requeue(item)
                rows.append(self._rows[item_id])
        if rows:
            self._recheck_problems()
            self._emit_changed(min(rows), max(rows))
            self._schedule_save()
            self.progress_changed.emit()
            self.state_changed.emit()
            if self._running:
                self._pump()
            else:
                self.start()
        return len(rows)

    def retry_failed(self) -> int:
        """Queue every failed row again and start uploading."""
        return self.retry([i.id for i in self._items if i.status == FAILED])

    def _requeue(self, item: QueueItem) -> None:
        item.reason = None
        item.sent = 0
        if item.info is None:
            item.status = INSPECTING
            if item.file_id is None:
                item.file_id = self.inspector.new_file_id()
                self._by_file_id[item.file_id] = item
                self.inspector.reinspect([(item.file_id, item.path)])
        elif not item.info.ok:
            item.status = REJECTED
            item.reason = item.info.reason
        else:
            item.status = QUEUED

    def _pump(self) -> None:
        if not self._running or self._closing:
            return
        if len(self._active) < self._concurrency:
            for item in self._items:
                if len(self._active) >= self._concurrency:
                    break
                if item.status == QUEUED and not item.problem and item.id not in self._active:
                    self._launch(item)
        if not self._active and not any(i.status == INSPECTING for i in self._items):
            waiting = any(i.status == QUEUED for i in self._items)
            if not waiting or self.blocking_problems():
                self._finish_run()

    def _launch(self, item: QueueItem) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop()
        item.status = UPLOADING
        item.sent = 0
        item.reason = None
        row = self._rows[item.id]
        self._emit_changed(row, row)
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
            done, failed = self._run_counts["done"], self._run_counts["failed"]
            left = sum(1 for i in self._items if i.status == QUEUED)
            parts = [f"{_plural(done, 'file')} uploaded"]
            if failed:
                parts.append(f"{failed} failed (see the Status column; “Retry failed” sends them again)")
            if left:
                parts.append(f"{left} still queued: fix the rows marked as needing attention")
            summary = "; ".join(parts) + "."
            self.run_finished.emit(summary)
            self.message.emit("warning" if failed or left else "info", summary)

    async def _upload(self, item: QueueItem, active: _Active) -> None:
        outcome = None
        try:
            client = self._run_client
            # Inline: the client reads the file on this thread a moment later anyway,
            # and a thread hop per file costs more than the stat.
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
            active.entry = self._journal_begin(item)
            # The history entry exists before the upload leaves, so a crash
            # from here on shows as "unknown" on the next start.
            await asyncio.wrap_future(active.entry)
            try:
                result = await client.upload_recording(
                    item.path, album_number=item.album, sort_number=item.sort,
                    display_name=item.display_name or None,
                    on_progress=lambda sent, _total: self._on_progress(item, sent))
            except ApiError as err:
                reason = str(err)
                extra = [m for m in err.messages if m and m not in reason]
                if extra:
                    reason += " Voitex said: " + "; ".join(extra)
                self._journal_finish(active.entry, "unknown" if err.outcome_unknown else "failed",
                                     None, [str(err), *err.messages])
                outcome = self._failed(item, reason)
            except OSError as err:
                text = f"The file could not be read: {err.strerror or err}."
                self._journal_finish(active.entry, "failed", None, [text])
                outcome = self._failed(item, text)
            except Exception as err:  # the file changed under the upload, and the like
                log.warning("upload of %s failed", item.path, exc_info=True)
                text = f"The upload stopped: {err}."
                self._journal_finish(active.entry, "failed", None, [text])
                outcome = self._failed(item, text)
            else:
                self._journal_finish(active.entry, "done", result.recording_id, [])
                item.status = DONE
                item.recording_id = result.recording_id
                item.sent = item.size
                item.finished_at = _utc_now()
                self._run_counts["done"] += 1
                outcome = ("done", result.recording_id)
        except asyncio.CancelledError:
            if active.abandoned:
                raise
            item.status = CANCELLED
            item.reason = "Cancelled during the upload."
            if active.entry is not None:
                self._journal_finish(active.entry, "unknown", None, [
                    "Cancelled during the upload; the library may or may not have the file."])
            raise
        finally:
            self._after_upload(item, active, outcome)

    def _on_task_done(self, item: QueueItem, active: _Active, task: asyncio.Task) -> None:
        # A task cancelled before its first step never runs its own clean-up.
        if not active.cleaned:
            if task.cancelled() and item.status == UPLOADING:
                item.status = CANCELLED
                item.reason = "Cancelled during the upload."
            self._after_upload(item, active, None)

    def _after_upload(self, item: QueueItem, active: _Active,
                      outcome: tuple[str, str] | None) -> None:
        if active.cleaned or active.abandoned:
            return
        active.cleaned = True
        self._active.pop(item.id, None)
        if item.status == UPLOADING:
            item.status = QUEUED
        self._progress_ids.discard(item.id)
        if item.status == CANCELLED:
            self._recheck_problems()  # a cancelled row no longer holds its album and sort
        if item.id in self._by_id:
            row = self._rows[item.id]
            self._emit_changed(row, row)
        self._schedule_save()
        self.progress_changed.emit()
        self.state_changed.emit()
        if outcome is not None and outcome[0] == "done":
            self.upload_finished.emit(item.id, outcome[1])
        elif outcome is not None:
            self.upload_failed.emit(item.id, outcome[1])
        self._pump()

    def _failed(self, item: QueueItem, reason: str) -> tuple[str, str]:
        item.status = FAILED
        item.reason = reason
        item.sent = 0
        item.finished_at = _utc_now()
        self._run_counts["failed"] += 1
        return ("failed", reason)

    def _on_progress(self, item: QueueItem, sent: int) -> None:
        delta = sent - item.sent
        if delta > 0:
            self._transferred += delta
        item.sent = sent
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
        recipient, content = f"album {item.album} / sort {item.sort}", item.name

        def begin() -> int:
            entry_id = self._journal.begin(
                kind="upload", profile_id=profile_id, profile_name=profile_name,
                recipient=recipient, content=content, request=request)
            self._journal_written.emit()
            return entry_id

        return self._io.submit(begin)

    def _journal_finish(self, entry: Future, outcome: str, result_id: str | None,
                        messages: list[str]) -> None:
        def finish() -> None:
            try:
                self._journal.finish(entry.result(), outcome=outcome, result_id=result_id,
                                     messages=messages)
                self._journal_written.emit()
            except Exception:  # history must not stop the queue; the entry stays pending
                log.exception("writing the upload to history failed")

        self._io.submit(finish)

    # ------------------------------------------------------------------ persistence
    def _schedule_save(self) -> None:
        if not self._closing and not self._save_timer.isActive():
            self._save_timer.start()

    def _snapshot(self) -> dict:
        # Fresh dicts of plain values: the I/O thread encodes them while rows change here.
        return {
            "version": STATE_VERSION,
            "settings": {"numbering": self._numbering, "next_sort": self._next_sort,
                         "concurrency": self._concurrency},
            # Rows still being read are saved too: they are read again on the next start.
            "items": [item.to_dict() for item in self._items],
        }

    def _save_now(self) -> None:
        self._io.submit(self._write_state, self._snapshot())

    def _write_state(self, state: dict) -> None:
        try:
            with atomic_write(self.state_path) as handle:
                handle.write(json.dumps(state, ensure_ascii=False).encode("utf-8"))
        except OSError:
            log.exception("saving the upload queue failed")

    def flush(self) -> None:
        """Save now and wait until the state file and history are written."""
        self._save_timer.stop()
        self._save_now()
        self._io.submit(lambda: None).result()

    def _load(self) -> None:
        try:
            raw = self.state_path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as err:
            self.load_warning = f"The saved upload queue could not be read: {err.strerror or err}."
            return
        try:
            state = json.loads(raw)
            if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
                raise ValueError("unknown format")
            items = [self._item_from_dict(d) for d in state.get("items", [])]
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            backup = self.state_path.with_name(
                f"{self.state_path.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
            try:
                os.replace(self.state_path, backup)
            except OSError:
                backup = self.state_path
            log.warning("the saved upload queue is damaged: %s", err)
            self.load_warning = (f"The saved upload queue was damaged and could not be read; "
                                 f"it was kept as {backup.name}. The queue starts empty.")
            return
        settings = state.get("settings")
        if not isinstance(settings, dict):
            settings = {}
        if settings.get("numbering") in (NUMBER_BY_ORDER, NUMBER_BY_NAME):
            self._numbering = settings["numbering"]
        if isinstance(settings.get("next_sort"), int) and SORT_MIN <= settings["next_sort"] <= SORT_MAX:
            self._next_sort = settings["next_sort"]
        if isinstance(settings.get("concurrency"), int):
            self._concurrency = max(1, min(CONCURRENCY_MAX, settings["concurrency"]))
        for item in items:
            self._ids += 1
            item.id = self._ids
            self._rows[item.id] = len(self._items)
            self._by_id[item.id] = item
            self._items.append(item)
        reread = []
        for item in self._items:
            if item.status == INSPECTING:
                item.file_id = self.inspector.new_file_id()
                self._by_file_id[item.file_id] = item
                reread.append((item.file_id, item.path))
                if item.awaiting_number:
                    self._awaiting.append(item)
        if reread:
            self.inspector.reinspect(reread)
        self._recheck_problems()

    @staticmethod
    def _item_from_dict(d: dict) -> QueueItem:
        status = d["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if status == UPLOADING:
            # It stopped mid-upload: send it again (same album and sort: safe).
            status = QUEUED
        info = AudioInfo.from_dict(d["info"]) if d.get("info") else None
        if info is None and status != REJECTED:
            status = INSPECTING
        stamp = d.get("stamp")
        album, sort = d.get("album"), d.get("sort")
        return QueueItem(
            id=0, path=Path(d["path"]), status=status,
            album=int(album) if album is not None else None,
            sort=int(sort) if sort is not None else None,
            display_name=str(d.get("display_name") or ""), info=info,
            recording_id=d.get("recording_id"), reason=d.get("reason"),
            stamp=(int(stamp[0]), int(stamp[1])) if stamp else None,
            finished_at=d.get("finished_at"),
            awaiting_number=bool(d.get("awaiting_number")) and status == INSPECTING,
        )

    # ------------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Stop everything and save, for the application's exit.

        Uploads under way are abandoned: their rows are saved as queued, and
        their history entries say the console closed before the reply came.
        """
        if self._closing:
            return
        self._closing = True
        self._running = False
        self._save_timer.stop()
        self._progress_timer.stop()
        for item_id, active in list(self._active.items()):
            active.abandoned = True
            item = self._by_id.get(item_id)
            if item is not None:
                item.status = QUEUED
                item.sent = 0
            if active.entry is not None:
                self._journal_finish(active.entry, "unknown", None, [
                    "The console closed during the upload; it is queued again and will be "
                    "sent again on the next run."])
            active.task.cancel()
        self._active.clear()
        self.inspector.shutdown()
        self._io.submit(self._write_state, self._snapshot())
        self._io.shutdown(wait=True)
