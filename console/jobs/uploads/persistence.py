"""The queue's rows on disk: ordered writes on one I/O thread, and the start-up rules.

`QueuePersistence` owns the store (`console/store/upload_store.py`), the one
I/O thread and what is still to be written. Rows changed by edits are
coalesced and written a moment later (`mark_dirty`, when the host's flush
`Timer` fires `flush_writes`); a row that announces a network step is written
at once and awaited (`write_now(durable=True)`) before the step. Every write
snapshots the rows when it is submitted, and the single I/O thread runs them in
order, so the disk always ends with the latest state. A failed write is kept
and retried, and the user is told once. No Qt.

On start (`load`), a row that was on the wire comes back done when History has
its recording id, else as "may already be in the library"; never queued again.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.domain.vocabulary import MessageLevel, Outcome
from console.domain.wording import plural
from console.jobs.uploads.attempt import UNSURE_REASON
from console.jobs.uploads.events import Later, Timer
from console.jobs.uploads.items import QueueItem
from console.jobs.uploads.status import Status
from console.store.upload_store import StoredRow, UploadStore, UploadStoreError, open_upload_store

log = logging.getLogger(__name__)

_RETRY_WRITE_MS = 2000


def open_store(store: UploadStore | None, *, state_path: Path | None,
               database: Path | None) -> tuple[UploadStore, str | None]:
    """`store` itself, else the SQLite store in `database` (default: history.sqlite3
    beside `state_path`, the JSON file of earlier versions, which is migrated once);
    and what to tell the user about opening it."""
    if store is not None:
        return store, None
    legacy = Path(state_path) if state_path is not None else None
    if database is None:
        if legacy is None:
            raise TypeError("UploadQueue needs a store, a database or a state_path")
        database = legacy.with_name("history.sqlite3")
    return open_upload_store(database, legacy_json=legacy)


@dataclass
class Loaded:
    """What `load` read back: the rows in table order, the settings, what to tell."""

    items: list[QueueItem] = field(default_factory=list)
    max_id: int = 0  # no new row gets an id at or below it
    settings: dict[str, Any] = field(default_factory=dict)
    changed: list[QueueItem] = field(default_factory=list)  # to be written back at once
    warning: str | None = None
    notice: str | None = None


class QueuePersistence:
    def __init__(self, store: UploadStore, *, lookup: Callable[[int], QueueItem | None],
                 flush_timer: Timer, later: Later,
                 message: Callable[[str, str], None]) -> None:
        """`lookup` finds a row that is still in the queue; `flush_timer`'s timeout
        calls `flush_writes`; `later` brings a failed write back to the owner's thread."""
        self._store = store
        self._lookup = lookup
        self._flush_timer = flush_timer
        self._later = later
        self._message = message
        # One I/O thread: store writes and History calls run there, in the order given.
        self.io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voitex-queue-io")
        self._dirty: set[int] = set()
        self._dirty_deleted: set[int] = set()
        self._dirty_settings: dict[str, Any] = {}
        self._write_failed = False
        self._stopped = False

    # ------------------------------------------------------------------ writing
    def mark_dirty(self, items: Iterable[QueueItem]) -> None:
        for item in items:
            self._dirty.add(item.id)
        self._schedule_flush()

    def mark_deleted(self, item_ids: Iterable[int]) -> None:
        for item_id in item_ids:
            self._dirty.discard(item_id)
            self._dirty_deleted.add(item_id)
        self._schedule_flush()

    def save_settings(self, settings: Mapping[str, Any]) -> None:
        self._dirty_settings.update(settings)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if not self._stopped and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _take_writes(self) -> tuple[list[StoredRow], list[int], dict[str, Any]]:
        rows = []
        for item_id in sorted(self._dirty):
            item = self._lookup(item_id)
            if item is not None:
                rows.append(item.stored())
        deleted = sorted(self._dirty_deleted)
        settings = dict(self._dirty_settings)
        self._dirty.clear()
        self._dirty_deleted.clear()
        self._dirty_settings.clear()
        return rows, deleted, settings

    def flush_writes(self) -> None:
        """Write what is pending (the flush timer's timeout)."""
        rows, deleted, settings = self._take_writes()
        if not (rows or deleted or settings):
            return
        future = self.io.submit(self._store.write, rows, deleted=deleted, settings=settings or None)
        future.add_done_callback(functools.partial(self._write_done, rows, deleted, settings))

    def _write_done(self, rows: list[StoredRow], deleted: list[int], settings: dict[str, Any],
                    future: Future[None]) -> None:
        # On the I/O thread: hand a failure back to the owner's thread to retry.
        if future.exception() is not None:
            log.warning("saving the upload queue failed: %s", future.exception())
            self._later(0, lambda: self._retry_writes(rows, deleted, settings))

    def _retry_writes(self, rows: list[StoredRow], deleted: list[int],
                      settings: dict[str, Any]) -> None:
        if self._stopped:
            return
        for row in rows:
            if self._lookup(row.id) is not None:
                self._dirty.add(row.id)
        self._dirty_deleted.update(deleted)
        for key, value in settings.items():
            self._dirty_settings.setdefault(key, value)
        if not self._write_failed:
            self._write_failed = True
            self._message(MessageLevel.WARNING,
                          "The upload queue could not be saved just now (is another program "
                          "using the History file?). The console keeps trying.")
        self._later(_RETRY_WRITE_MS, self.flush_writes)

    def write_now(self, items: Sequence[QueueItem], *, durable: bool = False) -> Future[None]:
        """Write these rows (and anything pending) now; the future settles once committed."""
        for item in items:
            self._dirty.add(item.id)
        self._flush_timer.stop()
        rows, deleted, settings = self._take_writes()
        future = self.io.submit(self._store.write, rows, deleted=deleted,
                                settings=settings or None, durable=durable)
        future.add_done_callback(functools.partial(self._write_done, rows, deleted, settings))
        return future

    def flush(self) -> None:
        """Write everything now and wait until the store (and History, on the same thread) has it."""
        self._flush_timer.stop()
        self.flush_writes()
        self.io.submit(lambda: None).result()

    # ------------------------------------------------------------------ closing
    def stop(self) -> None:
        """Schedule nothing more (the queue is closing, or the process is dying)."""
        self._stopped = True
        self._flush_timer.stop()

    def close(self) -> None:
        """Write what is left, durably, then close the store and the I/O thread."""
        self.stop()
        rows, deleted, settings = self._take_writes()
        if rows or deleted or settings:
            self.io.submit(self._store.write, rows, deleted=deleted, settings=settings or None,
                           durable=True)
        self.io.submit(self._store.close)
        self.io.shutdown(wait=True)

    # ------------------------------------------------------------------ reading
    def load(self, outcome_of: Callable[[int], tuple[str, str | None] | None]) -> Loaded:
        """The stored rows, with those on the wire at the last stop settled by
        `outcome_of` (History's (outcome, recording id) of an entry, or None)."""
        try:
            stored = self._store.load()
        except UploadStoreError as err:
            return Loaded(warning=f"{err} The queue starts empty.")
        loaded = Loaded(max_id=stored.max_id, settings=dict(stored.settings), warning=stored.warning)
        confirmed = unsure = bad = 0
        for row in stored.rows:
            try:
                item = QueueItem.from_stored(row)
            except (ValueError, TypeError, KeyError, AttributeError):
                bad += 1
                loaded.max_id = max(loaded.max_id, row.id)  # its id is never given to a new row
                continue
            if item.status.on_the_wire:
                known = outcome_of(item.entry_id) if item.entry_id is not None else None
                if known is not None and known[0] == Outcome.DONE and known[1]:
                    item.status = Status.DONE
                    item.recording_id = known[1]
                    item.reason = None
                    confirmed += 1
                else:
                    item.status = Status.UNSURE
                    item.reason = UNSURE_REASON
                    unsure += 1
                loaded.changed.append(item)
            loaded.items.append(item)
        if bad:
            loaded.warning = " ".join(w for w in (
                loaded.warning, f"Left out {plural(bad, 'saved upload row')} that could not be "
                                "read (untouched in the History database).")
                if w)
        loaded.notice = load_notice(
            waiting=sum(1 for i in loaded.items
                        if i.status in (Status.QUEUED, Status.FAILED, Status.INSPECTING)),
            unsure=unsure, confirmed=confirmed, migrated=stored.migrated)
        return loaded


def load_notice(*, waiting: int, unsure: int, confirmed: int, migrated: int) -> str | None:
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
