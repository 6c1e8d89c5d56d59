"""Store reads for the window, done on a thread of their own; answers come back on the window's.

The window never waits on a store: on an office database one read is a round
trip that may stall for seconds (a cable, a VPN), and on the desk's own file a
write of another thread may hold it. A model asks `read(work, done)`: `work`
runs on the reader's thread, `done(result)` (or `failed(error)`) runs later on
the window's thread, in the order asked. `busy` says whether answers are
still to come (tests wait on it; the History tab shows "Reading…").
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

__all__ = ["StoreReader"]


class StoreReader(QObject):
    _answered = Signal(object)  # (done, failed, result, error), emitted on the reader's thread

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"voitex-{name}")
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._answered.connect(self._deliver)
        self.destroyed.connect(lambda *_: self._executor.shutdown(wait=False))

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def read(self, work: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None] | None = None) -> None:
        if self._closed:
            return
        with self._lock:
            self._pending += 1

        def run() -> None:
            try:
                result, error = work(), None
            except BaseException as err:  # handed to `failed` on the window's thread
                result, error = None, err
            self._answered.emit((done, failed, result, error))

        self._executor.submit(run)

    def close(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _deliver(self, answer: tuple[Any, ...]) -> None:
        done, failed, result, error = answer
        with self._lock:
            self._pending -= 1
        if self._closed:
            return
        if error is None:
            done(result)
        elif failed is not None:
            failed(error)
        else:
            log.warning("a store read failed: %s", error)
