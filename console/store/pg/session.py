"""Several jobs in one transaction of the office database (`PgEngine.transaction`)."""
from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
import psycopg_pool

from console.store.pg.conn import Conn, Job
from console.store.pg.errors import DatabaseUnreachable, translate, unreachable_text

if TYPE_CHECKING:
    from console.store.pg.engine import PgEngine

T = TypeVar("T")


_END = object()


class Session:
    """The jobs of one `PgEngine.transaction()`, run in order on one engine thread."""

    def __init__(self, engine: PgEngine) -> None:
        self._engine = engine
        self._jobs: queue.Queue[tuple[Any, Any]] = queue.Queue()
        self._started = threading.Event()
        self._holder: Future[None] | None = None

    def serve(self, conn: Conn) -> None:
        """The engine job that holds the connection and runs what `call` hands it."""
        self._started.set()
        while True:
            job, outcome = self._jobs.get()
            if job is _END:
                if not outcome:
                    raise RolledBack()
                return  # the engine's job commits
            try:
                outcome.set_result(job(conn))
            except BaseException as err:
                outcome.set_exception(err)
                if isinstance(err, psycopg.Error):
                    raise  # the transaction is aborted: nothing more can run in it

    def wait_started(self, holder: Future[None], timeout: float) -> None:
        self._holder = holder
        end = time.monotonic() + timeout
        while not self._started.wait(0.02):
            if holder.done():
                holder.result()  # the engine's error (unreachable, closed, ...)
            if time.monotonic() > end:
                self.finish(commit=False)
                raise DatabaseUnreachable(unreachable_text(self._engine.where, "no answer in time"))

    def call(self, job: Job[T]) -> T:
        outcome: Future[T] = Future()
        self._jobs.put((job, outcome))
        while True:
            try:
                return outcome.result(0.05)
            except (psycopg.Error, psycopg_pool.PoolTimeout) as err:
                raise translate(err, self._engine.where) from err
            except FutureTimeout:
                holder = self._holder
                if holder is not None and holder.done() and not outcome.done():
                    holder.result()  # the transaction ended under us: its error
                    raise DatabaseUnreachable(unreachable_text(self._engine.where)) from None

    def finish(self, *, commit: bool) -> None:
        self._jobs.put((_END, commit))


class RolledBack(Exception):
    """Raised inside the engine's job so that the pool rolls the transaction back."""
