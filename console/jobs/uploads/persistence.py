"""The queue's rows on disk: ordered writes on one I/O thread, and the start-up rules.

A mixin of `UploadQueue`. Rows changed by edits are coalesced and written a
moment later (`_mark_dirty`); a row that announces a network step is written at
once and awaited (`_write_now(durable=True)`) before the step. Every write
snapshots the rows when it is submitted, and the single I/O thread runs them in
order, so the disk always ends with the latest state. A failed write is kept
and retried, and the user is told once.

On start (`_load`), a row that was on the wire comes back done when History has
its recording id, else as "may already be in the library"; never queued again.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QTimer

from console.domain.validation import SORT_MAX, SORT_MIN
from console.domain.vocabulary import MessageLevel, Outcome
from console.domain.wording import plural
from console.jobs.uploads.host import QueueHost
from console.jobs.uploads.items import QueueItem
from console.jobs.uploads.runner import UNSURE_REASON
from console.jobs.uploads.status import Status
from console.store.upload_store import StoredRow

log = logging.getLogger(__name__)

NUMBER_BY_ORDER = "order"
NUMBER_BY_NAME = "filename"
CONCURRENCY_MAX = 16
_RETRY_WRITE_MS = 2000


class QueuePersistence(QueueHost):
    """The store's half of `UploadQueue` (see there for the attributes it uses)."""

    def _mark_dirty(self, items: Iterable[QueueItem]) -> None:
        for item in items:
            self._dirty.add(item.id)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if not self._closing and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _take_writes(self) -> tuple[list[StoredRow], list[int], dict[str, Any]]:
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
        future.add_done_callback(functools.partial(self._write_done, rows, deleted, settings))

    def _write_done(self, rows: list[StoredRow], deleted: list[int], settings: dict[str, Any],
                    future: Future[None]) -> None:
        # On the I/O thread: hand a failure back to the UI thread to retry.
        if future.exception() is not None:
            log.warning("saving the upload queue failed: %s", future.exception())
            QTimer.singleShot(0, self, lambda: self._retry_writes(rows, deleted, settings))

    def _retry_writes(self, rows: list[StoredRow], deleted: list[int],
                      settings: dict[str, Any]) -> None:
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
            self.message.emit(MessageLevel.WARNING,
                              "The upload queue could not be saved just now (is another program "
                              "using the History file?). The console keeps trying.")
        QTimer.singleShot(_RETRY_WRITE_MS, self, self._flush_writes)

    def _write_now(self, items: Sequence[QueueItem], *, durable: bool = False) -> Future[None]:
        """Write these rows (and anything pending) now; the future settles once committed."""
        for item in items:
            self._dirty.add(item.id)
        self._flush_timer.stop()
        rows, deleted, settings = self._take_writes()
        future = self._io.submit(self._store.write, rows, deleted=deleted,
                                 settings=settings or None, durable=durable)
        future.add_done_callback(functools.partial(self._write_done, rows, deleted, settings))
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
        self._ids = max(self._ids, stored.max_id)
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
            except (ValueError, TypeError, KeyError, AttributeError):
                bad += 1
                self._ids = max(self._ids, row.id)  # its id is never given to a new row
                continue
            if item.status.on_the_wire:
                known = (self._journal.outcome_of(item.entry_id)
                         if item.entry_id is not None else None)
                if known is not None and known[0] == Outcome.DONE and known[1]:
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
                self.load_warning, f"Left out {plural(bad, 'saved upload row')} that could not be "
                                   "read (untouched in the History database).")
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
