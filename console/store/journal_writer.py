"""One thread that writes the History journal for every send and upload.

The window never waits for the history file: sends and uploads hand their
writes to `JournalWriter` and get a `concurrent.futures.Future` back (await it
with ``asyncio.wrap_future``).

- ``begin(**kwargs) -> Future[int]``: the pending entry (same keywords as
  ``Journal.begin``). If it cannot be written within about a second (the file
  is locked by another program, read-only, the disk is full), the future
  fails with ``JournalError`` saying what happened and what to do, and the
  caller must not send.
- ``finish(entry_id, *, outcome, result_id=None, messages=()) -> Future[None]``:
  the outcome. It is retried, with growing pauses, until it lands; after the
  first failed attempt it is also kept in ``history-pending-updates.jsonl``
  beside the history file (fsync'd), so a console closed or killed meanwhile
  writes it on its next start, before pending entries are turned into
  "unknown". The future completes when the update has landed (or fails when
  the writer is closed first, the update then being kept for the next start).
  Never let it decide what the user is told about the request itself.
- ``flush(timeout=None) -> bool``: wait until everything handed over so far
  has been tried; True if it all landed (False: some is waiting for a retry).
- ``close(timeout=5.0)``: try what is queued once more, keep what did not
  land in the sidecar file, stop the thread.
- ``on_changed``: called from the writer thread after each write that landed
  (a UI re-posts it to its own thread).
- ``retrying``: how many outcomes are waiting to be written.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from console.domain.vocabulary import EntryKind, Outcome
from console.store.database import is_busy
from console.store.interface import HistoryStore
from console.store.journal_entry import FINAL_OUTCOMES, JournalError, timestamp, utc_now
from console.store.pending_updates import PendingUpdate, PendingUpdates

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
BEGIN_WAIT_S = 1.0

_STOP = object()


@dataclass
class _Finish:
    update: PendingUpdate
    future: Future[None]
    # From an earlier run: written only over pending/unknown (replaying is idempotent).
    conditional: bool = False
    attempts: int = 0
    kept: bool = False  # written to the sidecar file
    first_try: bool = False  # flush() waits for this job's first attempt


@dataclass
class _Begin:
    write: Callable[[HistoryStore], int]  # the begin() call, for the writer's own handle
    future: Future[int]


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    job: _Finish = field(compare=False)


class JournalWriter:
    def __init__(self, store: HistoryStore, *, on_changed: Callable[[], None] | None = None,
                 retry_delays: Sequence[float] = RETRY_DELAYS_S,
                 begin_wait_s: float = BEGIN_WAIT_S) -> None:
        self._store = store
        self._on_changed = on_changed
        self._retry_delays = tuple(retry_delays)
        self._begin_wait_s = begin_wait_s
        self._sidecar = PendingUpdates(store.pending_updates_path)
        self._jobs: queue.Queue[_Begin | _Finish | object] = queue.Queue()  # or _STOP
        self._due: list[_Due] = []
        self._seq = itertools.count()
        self._handle: HistoryStore | None = None
        self._closed = False
        self._state = threading.Condition()
        self._unsettled = 0
        self._waiting: set[int] = set()  # ids of jobs whose update has not landed yet
        for update in self._sidecar.load():
            # Kept by an earlier run: tried first thing, counted by flush().
            job = _Finish(update, Future(), conditional=True, kept=True, first_try=True)
            self._unsettled += 1
            self._schedule(job, at=0.0)
        self._thread = threading.Thread(target=self._run, name="journal-writer", daemon=True)
        self._thread.start()

    # -- public API --------------------------------------------------------------

    def begin(self, *, kind: EntryKind, profile_id: str, profile_name: str, recipient: str,
              content: str, request: Mapping[str, Any] | None = None,
              resend_of: int | None = None, group_id: str | None = None) -> Future[int]:
        """Record a request about to be sent (see `Journal.begin`); the future gives the entry id."""
        future: Future[int] = Future()
        if self._closed:
            future.set_exception(JournalError(
                "History is closing, so nothing more can be recorded. Start the console again."))
            return future
        self._submit(_Begin(lambda store: store.begin(
            kind=kind, profile_id=profile_id, profile_name=profile_name, recipient=recipient,
            content=content, request=request, resend_of=resend_of, group_id=group_id), future))
        return future

    def finish(self, entry_id: int, *, outcome: Outcome, result_id: str | None = None,
               messages: Sequence[str] = ()) -> Future[None]:
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(FINAL_OUTCOMES)}, not {outcome!r}")
        if isinstance(messages, str):
            raise TypeError("messages must be a list of texts, not one text")
        update = PendingUpdate(entry_id=int(entry_id), outcome=Outcome(outcome), result_id=result_id,
                               messages=tuple(str(m) for m in messages),
                               at=timestamp(utc_now()))
        job = _Finish(update, Future())
        if self._closed:
            self._keep(job)
            job.future.set_exception(JournalError(_kept_text(self._store)))
            return job.future
        self._submit(job)
        return job.future

    @property
    def retrying(self) -> int:
        """How many outcomes wait for a retry (kept in the sidecar file meanwhile)."""
        with self._state:
            return len(self._waiting)

    def flush(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while self._unsettled:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._state.wait(remaining)
            return not self._waiting

    def close(self, timeout: float = 5.0) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(_STOP)
        self._thread.join(timeout)

    # -- the thread ----------------------------------------------------------------

    def _submit(self, job: _Begin | _Finish) -> None:
        with self._state:
            self._unsettled += 1
        self._jobs.put(job)

    def _settled(self) -> None:
        with self._state:
            self._unsettled -= 1
            self._state.notify_all()

    def _schedule(self, job: _Finish, *, at: float) -> None:
        with self._state:
            heapq.heappush(self._due, _Due(at, next(self._seq), job))

    def _run(self) -> None:
        try:
            while True:
                with self._state:
                    wait = (max(0.0, self._due[0].at - time.monotonic())
                            if self._due else None)
                try:
                    item = self._jobs.get(timeout=wait)
                except queue.Empty:
                    item = None
                if item is _STOP:
                    self._drain()
                    return
                if item is not None:
                    self._do(item)
                    self._settled()
                self._retry_due()
        finally:
            if self._handle is not None:
                try:
                    self._handle.close()
                except Exception:  # closing must not hide why the thread ended
                    log.exception("closing the journal writer's connection failed")

    def _do(self, item: object) -> None:
        if isinstance(item, _Finish):
            self._attempt(item)
        elif isinstance(item, _Begin):
            self._begin(item.write, item.future)

    def _retry_due(self) -> None:
        now = time.monotonic()
        while True:
            with self._state:
                if not self._due or self._due[0].at > now:
                    return
                job = heapq.heappop(self._due).job
            self._attempt(job)
            if job.first_try:
                job.first_try = False
                self._settled()

    def _drain(self) -> None:
        # Closing: what is still queued is tried once; what is waiting for a
        # retry gets one last try; the rest stays in the sidecar file.
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                self._do(item)
                self._settled()
        with self._state:
            waiting = [due.job for due in self._due]
            self._due.clear()
        for job in waiting:
            self._attempt(job, last=True)
            if job.first_try:
                job.first_try = False
                self._settled()

    def _open(self) -> HistoryStore:
        if self._handle is None:
            self._handle = self._store.reopen()
        return self._handle

    def _begin(self, write: Callable[[HistoryStore], int], future: Future[int]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        deadline = time.monotonic() + self._begin_wait_s
        while True:
            try:
                entry_id = write(self._open())
            except JournalError as err:
                # A lock held for a moment (a backup program, another reader
                # checkpointing) is worth a short wait; anything else is not.
                cause = err.__cause__
                if cause is not None and is_busy(cause) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                future.set_exception(err)
                return
            except Exception as err:  # ValueError for a wrong kind, IntegrityError...
                future.set_exception(err)
                return
            future.set_result(entry_id)
            self._changed()
            return

    def _attempt(self, job: _Finish, *, last: bool = False) -> None:
        update = job.update
        job.attempts += 1
        try:
            store = self._open()
            if job.conditional:
                store.apply_update(update)
            else:
                store.finish(update.entry_id, outcome=update.outcome,
                             result_id=update.result_id, messages=update.messages)
        except JournalError as err:
            if err.__cause__ is None:
                # "There is no history entry N": retrying cannot help.
                self._landed_or_dropped(job)
                _fail(job.future, err)
                return
            log.warning("history update for entry %s not written yet (attempt %s): %s",
                        update.entry_id, job.attempts, err)
            self._keep(job)
            with self._state:
                self._waiting.add(id(job))
            if last:
                _fail(job.future, JournalError(_kept_text(self._store)))
                return
            delay = self._retry_delays[min(job.attempts - 1, len(self._retry_delays) - 1)]
            self._schedule(job, at=time.monotonic() + delay)
            return
        except Exception as err:  # a bug: say so once, do not retry forever
            log.exception("history update for entry %s failed", update.entry_id)
            self._landed_or_dropped(job)
            _fail(job.future, err)
            return
        self._landed_or_dropped(job)
        if not job.future.done():
            job.future.set_result(None)
        self._changed()

    def _landed_or_dropped(self, job: _Finish) -> None:
        with self._state:
            self._waiting.discard(id(job))
        self._forget(job)

    def _keep(self, job: _Finish) -> None:
        if job.kept:
            return
        try:
            self._sidecar.add(job.update)
            job.kept = True
        except OSError:
            log.exception("could not keep the history update for entry %s", job.update.entry_id)

    def _forget(self, job: _Finish) -> None:
        if not job.kept:
            return
        try:
            self._sidecar.remove([job.update.entry_id])
            job.kept = False
        except OSError:
            log.exception("could not update %s", self._sidecar.path)

    def _changed(self) -> None:
        if self._on_changed is None:
            return
        try:
            self._on_changed()
        except Exception:
            log.exception("on_changed failed")


def _fail(future: Future[Any], err: BaseException) -> None:
    if not future.done():
        future.set_exception(err)


def _kept_text(store: HistoryStore) -> str:
    return (f"History could not be updated yet; the update was kept in "
            f"{store.pending_updates_path} and is written at the next start.")
