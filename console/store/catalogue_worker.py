"""The Library catalogue's writing side, for both engines' catalogues.

Writes run on one thread of the catalogue's own, in order, never on the caller's:
`record` and `sync_from_history` return futures. The engine's catalogue hands in
how a write is done (`record_now`, `sync_now`); a failure nobody waits for is
still told (`on_failure`). After a write that changed something, the engine's
code calls `notify`, which tells the listener (the UI turns it into a Qt signal);
a listener's bug never undoes a write.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from console.store.catalogue_entry import CatalogueEntry, CatalogueError, NewRecording
from console.store.interface import HistoryStore

log = logging.getLogger("console.store.catalogue")

T = TypeVar("T")


class CatalogueWorker:
    def __init__(self, *, record_now: Callable[[NewRecording], CatalogueEntry | None],
                 sync_now: Callable[[HistoryStore, bool], int],
                 on_changed: Callable[[], None] | None,
                 on_failure: Callable[[Future[Any]], None]) -> None:
        self._record_now, self._sync_now = record_now, sync_now
        self.on_changed = on_changed or (lambda: None)
        self._on_failure = on_failure
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voitex-catalogue")

    def set_on_changed(self, callback: Callable[[], None]) -> None:
        self.on_changed = callback

    def record(self, recording: NewRecording) -> Future[CatalogueEntry | None]:
        """Add a confirmed recording; the future's result is the new entry, or
        None when its History entry was recorded before."""
        return self.submit(self._record_now, recording)

    def sync_from_history(self, journal: HistoryStore, *, from_start: bool = False) -> Future[int]:
        """Record every finished upload and TTS of History not yet recorded;
        the future's result is how many were added.

        `from_start` reads all of History again rather than what changed since
        the last time: after History was repaired, what was saved from it is
        not what the catalogue last saw (entries are still recorded once)."""
        return self.submit(self._sync_now, journal, from_start)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        if self._closed:
            future: Future[T] = Future()
            future.set_exception(CatalogueError("The Library catalogue is closed."))
            return future
        future = self._executor.submit(fn, *args)
        future.add_done_callback(self._on_failure)
        return future

    def wait_idle(self, timeout: float | None = 10.0) -> None:
        """Wait for the writes submitted so far (tests, shutdown)."""
        self.submit(lambda: None).result(timeout)

    def notify(self) -> None:
        try:
            self.on_changed()
        except Exception:  # a listener's bug must not undo a write
            log.exception("a catalogue listener failed")

    def close(self) -> bool:
        """Finish the writes submitted; False when it was closed already."""
        if self._closed:
            return False
        self._closed = True
        self._executor.shutdown(wait=True)
        return True
