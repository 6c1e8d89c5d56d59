"""Works out the pre-flight off the UI thread, so a list of 100,000 rows never freezes the window.

Each request supersedes the ones before it (typing in the message asks again):
an older computation is told to stop, and its result is dropped. A small list
is worked out at once, on the spot (a few milliseconds), so the check follows
every keystroke without flicker.

The inputs that live in the stores are read in the same thread: the office's
do-not-contact list, its calling-rule settings, and from History the
messages each number got lately (for the per-person caps).
"""
from __future__ import annotations

import asyncio
import dataclasses
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, Signal

from console.domain.broadcast.preflight import Preflight, PreflightInput, build_preflight
from console.domain.caps import group_send_times
from console.domain.office_rules import OfficeRules
from console.store.broadcasts import BroadcastStore

__all__ = ["PreflightRunner", "INLINE_ROWS", "collector_paused"]

INLINE_ROWS = 300  # up to this many rows, the check is worked out on the spot


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a worker thread builds a big list (a table of
    100,000 rows, their decisions), and what it built kept out of later full scans.

    A full collection walks every object and holds the interpreter while it does:
    over a list of 100,000 rows that stalled the window's event loop for 150-350 ms
    (bench/preflight.py). The rows hold no reference cycles, so they are still freed
    as soon as nothing refers to them (console/app.py freezes what it builds the same
    way)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class PreflightRunner(QObject):
    finished = Signal(object)  # Preflight
    failed = Signal(str)  # what went wrong, in words

    def __init__(self, *, store: BroadcastStore, history: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.history = history
        # An office History is another machine's: even a short list is checked off this thread.
        self.inline_rows = 0 if getattr(history, "remote", False) else INLINE_ROWS
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self.busy = False

    def _complete(self, given: PreflightInput, cancelled: Callable[[], bool]) -> Preflight:
        if len(given.table.rows) <= self.inline_rows:
            return self._work_out(given, cancelled)
        with collector_paused():
            return self._work_out(given, cancelled)

    def _work_out(self, given: PreflightInput, cancelled: Callable[[], bool]) -> Preflight:
        dnc = {r.number: (r.reason, r.added) for r in self.store.do_not_contact_map().values()}
        office = OfficeRules.from_json(self.store.office_rules())
        periods = [c.period for rule in given.rules.rules.values() for c in rule.caps]
        periods += [s.cap.period for s in office.settings.values() if s.cap]
        times = {}
        if periods and self.history is not None:
            since = given.start - max(periods) - timedelta(seconds=1)
            sends = self.history.recent_sends(since, profile_id=None)
            times = dict(group_send_times((s.recipient, s.created_at) for s in sends))
        full = dataclasses.replace(given, do_not_contact=dnc, office=office, send_times=times)
        return build_preflight(full, cancelled=cancelled)

    def request(self, given: PreflightInput) -> None:
        """Work it out and emit finished (or failed); supersedes any request still running."""
        self._generation += 1
        generation = self._generation
        if len(given.table.rows) <= self.inline_rows:
            self._deliver(generation, *self._guarded(given, lambda: False))
            return
        self.busy = True
        self._task = asyncio.ensure_future(self._in_thread(given, generation))

    async def compute_now(self, given: PreflightInput) -> Preflight:
        """The check for `given`, awaited (Start works with a fresh one). Raises what it meets."""
        self._generation += 1
        generation = self._generation
        if len(given.table.rows) <= self.inline_rows:
            result = self._complete(given, lambda: False)
        else:
            self.busy = True
            try:
                result = await asyncio.to_thread(self._complete, given,
                                                 lambda: generation != self._generation)
            finally:
                if generation == self._generation:
                    self.busy = False
        if generation == self._generation:
            self.finished.emit(result)
        return result

    def _guarded(self, given: PreflightInput,
                 cancelled: Callable[[], bool]) -> tuple[Preflight | None, str]:
        from console.domain.broadcast.recipients import MappingError
        from console.domain.broadcast.template import TemplateError
        from console.store.broadcasts import BroadcastStoreError
        from console.store.journal import JournalError

        try:
            return self._complete(given, cancelled), ""
        except (MappingError, TemplateError) as err:
            return None, str(err)
        except (BroadcastStoreError, JournalError) as err:
            return None, (f"The check could not read the do-not-contact list or History ({err}). "
                          "Close other programs using the history file, then change anything to "
                          "check again.")

    async def _in_thread(self, given: PreflightInput, generation: int) -> None:
        result, error = await asyncio.to_thread(self._guarded, given,
                                                lambda: generation != self._generation)
        self._deliver(generation, result, error)

    def _deliver(self, generation: int, result: Preflight | None, error: str) -> None:
        if generation != self._generation:
            return  # a newer request is under way
        self.busy = False
        if result is None:
            self.failed.emit(error)
        else:
            self.finished.emit(result)
