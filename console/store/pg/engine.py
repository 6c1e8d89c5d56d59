"""The office database's connections: a psycopg pool used from worker threads of its own.

Every store on PostgreSQL (`PgJournal`, `PgCatalogue`, `PgUploadStore`, and the
broadcasts in a later step) talks to the database through one `PgEngine`:

- **Own threads.** A job is a function ``fn(conn) -> T``; `submit` runs it on
  one of the engine's worker threads and returns a `Future`, `call` waits for
  it (at most `timeout_s`). The pool's connections are used only there, never
  on the caller's thread, never on the UI's event loop (psycopg's async mode
  does not run on the Proactor loop qasync uses on Windows).
- **One job, one transaction.** The connection a job gets is in a transaction
  that commits when the job returns and rolls back when it raises. Commits are
  durable (``synchronous_commit = on``, whatever the server's default);
  ``lock_timeout`` is short (`LOCK_TIMEOUT_MS`), so nothing waits long for a
  row another desk holds.
- **Reachable or not.** A connection failure marks the engine *down*, tells the
  listeners (`add_listener`), and starts a reconnect loop with growing pauses
  (`RECONNECT_DELAYS_S`). While down, jobs fail at once with
  `DatabaseUnreachable` (no caller waits for a timeout again and again); when a
  probe connects, the engine is *up* again, listeners are told, and work goes on
  without a restart.
- **Schema.** The first connection migrates the database (or refuses one from a
  newer console: `NewerSchemaError`, which never counts as unreachable).

The errors are console/store/pg/errors.py, a transaction of several jobs
console/store/pg/session.py (both importable from here).

Errors: `DatabaseUnreachable` (the network, the server, the password) and
`NewerSchemaError` are `StoreError`s whose text says what happened and what to
do; the stores re-raise them as their own error class. Constraint errors
(psycopg's `IntegrityError`) pass through: they are the caller's mistake.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import TypeVar

import psycopg
import psycopg_pool

from console.store.migrations import NewerSchemaError, migrate_postgres
from console.store.pg.conn import Conn, Job
from console.store.pg.errors import (
    DatabaseBusy,
    DatabaseFailed,
    DatabaseUnreachable,
    SchemaRefused,
    is_connection_error,
    short,
    translate,
    unreachable_text,
)
from console.store.pg.session import Session

# The names the stores import from here.
__all__ = ["CONNECT_TIMEOUT_S", "KEEPALIVES", "LOCK_TIMEOUT_MS", "RECONNECT_DELAYS_S",
           "STATEMENT_TIMEOUT_MS", "Conn", "DatabaseBusy", "DatabaseFailed",
           "DatabaseUnreachable", "Job", "PgEngine", "SchemaRefused", "Session",
           "is_connection_error", "translate", "unreachable_text"]

log = logging.getLogger(__name__)
# The pool warns at every failed connection attempt (every few seconds while the
# database is away); the engine says once, at INFO, when it goes and comes back.
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)

T = TypeVar("T")

LOCK_TIMEOUT_MS = 1000
STATEMENT_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 5
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# A link that drops without a word (a cable, a VPN): noticed in about 15 s, not TCP's minutes.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 2, "tcp_user_timeout": 15_000}


class PgEngine:
    """The pool, the worker threads and the reachable/unreachable state of one database.

    `conninfo` is a libpq connection string or URL, password included, or a
    function that returns one: it is then called on the engine's own thread at the
    first connection (the password comes from the keyring, which may block or
    prompt; never on the caller's thread, never logged). `where` names the database in messages
    ("voitex on db.office.lan"). `application_name` shows the desk to IT in
    ``pg_stat_activity``.
    """

    def __init__(self, conninfo: str | Callable[[], str], *, where: str, application_name: str = "voitex-console",
                 min_size: int = 1, max_size: int = 4, workers: int = 3,
                 timeout_s: float = 10.0,
                 reconnect_delays: Sequence[float] = RECONNECT_DELAYS_S) -> None:
        self.where = where
        self.timeout_s = timeout_s
        self._conninfo_source = conninfo
        self._conninfo = ""
        self._min_size, self._max_size = min_size, max_size
        self._pool: psycopg_pool.ConnectionPool[Conn] | None = None
        self._application_name = application_name[:63]
        self._reconnect_delays = tuple(reconnect_delays)
        self._listeners: list[Callable[[bool], None]] = []
        self._state_lock = threading.Lock()
        self._up = False
        self._known = threading.Event()  # set once the first probe has answered
        self._reconnecting = False
        self._closed = threading.Event()
        self._migrated = False
        self._last_error = ""
        self._migrate_lock = threading.Lock()
        # The window's thread: a caller there never waits for the database (see forbid_waits_on).
        self._forbidden: threading.Thread | None = None
        self.waits_on_forbidden = 0
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voitex-pg")
        # The first probe, at once and in the background: a server that is away at
        # start does not stop it; the pool is made once a probe has connected.
        self._start_reconnect(first=True)

    # -- state -------------------------------------------------------------------
    @property
    def reachable(self) -> bool:
        return self._up

    @property
    def last_error(self) -> str:
        """Why the last connection attempt failed ("" when it did not)."""
        return "" if self._up else self._last_error

    @property
    def known(self) -> bool:
        """False until the first connection attempt has answered."""
        return self._known.is_set()

    def add_listener(self, listener: Callable[[bool], None]) -> None:
        """`listener(reachable)` is called, from an engine thread, on every change."""
        self._listeners.append(listener)

    def _set_up(self, up: bool) -> None:
        with self._state_lock:
            changed = self._up != up or not self._known.is_set()
            self._up = up
            first = not self._known.is_set()
            self._known.set()
            if not changed or (first and up):
                return  # reachable from the start is no news
        log.info("office database %s is %s", self.where, "reachable again" if up else "unreachable")
        for listener in list(self._listeners):
            try:
                listener(up)
            except Exception:  # a listener's bug must not stop the engine
                log.exception("an office database listener failed")

    def _went_down(self, err: BaseException) -> None:
        self._set_up(False)
        self._start_reconnect()

    def _suspect(self) -> None:
        """A pooled connection was found broken: probe now, and say "down" if the probe fails
        (a job waiting for a connection then stops waiting)."""
        self._start_reconnect(first=True)

    def _start_reconnect(self, *, first: bool = False) -> None:
        with self._state_lock:
            if self._reconnecting or self._closed.is_set():
                return
            self._reconnecting = True
        threading.Thread(target=self._reconnect, args=(first,), name="voitex-pg-reconnect",
                         daemon=True).start()

    def _reconnect(self, first: bool) -> None:
        attempt = 0
        try:
            while not self._closed.is_set():
                if attempt or not first:  # the first probe at start goes at once
                    delay = self._reconnect_delays[min(attempt, len(self._reconnect_delays) - 1)]
                    if self._closed.wait(delay):
                        return
                attempt += 1
                try:
                    if self._pool is None:  # until connected, ask again each time (a new password)
                        source = self._conninfo_source
                        self._conninfo = source() if callable(source) else source
                    with psycopg.connect(self._conninfo, connect_timeout=CONNECT_TIMEOUT_S,
                                         application_name=self._application_name) as probe:
                        probe.execute("SELECT 1")
                except psycopg.Error as err:
                    log.debug("office database unreachable: %s", short(err))
                    self._last_error = short(err)
                    self._set_up(False)
                    continue
                except Exception as err:  # the keyring, say: the next attempt asks again
                    log.warning("office database connection details unavailable: %s", short(err))
                    self._last_error = short(err)
                    self._set_up(False)
                    continue
                self._open_pool()
                self._set_up(True)
                return
        finally:
            with self._state_lock:
                self._reconnecting = False

    # -- connections ---------------------------------------------------------------
    def _open_pool(self) -> None:
        if self._pool is not None:
            with contextlib.suppress(Exception):
                self._pool.check()  # drop the connections the outage broke
            return
        pool: psycopg_pool.ConnectionPool[Conn] = psycopg_pool.ConnectionPool(
            self._conninfo, open=False, name="voitex",
            kwargs={"autocommit": False, "connect_timeout": CONNECT_TIMEOUT_S,
                    "application_name": self._application_name, **KEEPALIVES},
            configure=self._configure, check=self._check,
            timeout=self.timeout_s, reconnect_timeout=max(60.0, sum(self._reconnect_delays)),
            min_size=self._min_size, max_size=self._max_size)
        pool.open(wait=False)
        self._pool = pool

    def _configure(self, conn: Conn) -> None:
        conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        conn.execute("SET synchronous_commit = on")
        conn.commit()

    def _ensure_migrated(self, conn: Conn) -> None:
        if self._migrated:
            return
        with self._migrate_lock:
            if not self._migrated:
                conn.rollback()
                migrate_postgres(conn, f"The office database {self.where}")
                self._migrated = True

    def _run(self, job: Job[T]) -> T:
        if self._closed.is_set():
            raise DatabaseUnreachable(f"The office database {self.where} is closed.")
        self._known.wait(self.timeout_s)
        if not self._up:
            raise DatabaseUnreachable(unreachable_text(self.where, self._last_error))
        pool = self._pool
        if pool is None:
            raise DatabaseUnreachable(unreachable_text(self.where, self._last_error))
        try:
            conn = self._getconn(pool)
            try:
                self._ensure_migrated(conn)
                result = job(conn)
                conn.commit()
                return result
            except BaseException:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
                raise
            finally:
                pool.putconn(conn)
        except NewerSchemaError as err:
            raise SchemaRefused(str(err)) from err
        except (psycopg.Error, psycopg_pool.PoolTimeout) as err:
            if is_connection_error(err):
                self._went_down(err)
            raise translate(err, self.where) from err

    def _check(self, conn: Conn) -> None:
        try:
            psycopg_pool.ConnectionPool.check_connection(conn)
        except psycopg.Error:
            self._suspect()
            raise

    def _getconn(self, pool: psycopg_pool.ConnectionPool[Conn]) -> Conn:
        """A connection from the pool; the wait ends early once a probe says the database is away."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                return pool.getconn(timeout=max(0.01, min(0.25, deadline - time.monotonic())))
            except psycopg_pool.PoolTimeout:
                if not self._up:
                    raise DatabaseUnreachable(unreachable_text(self.where, self._last_error)) from None
                if time.monotonic() >= deadline:
                    raise

    def submit(self, job: Job[T]) -> Future[T]:
        """Run `job(conn)` on an engine thread, in one transaction; the future gives its result."""
        if self._closed.is_set():
            failed: Future[T] = Future()
            failed.set_exception(DatabaseUnreachable(f"The office database {self.where} is closed."))
            return failed
        return self._executor.submit(self._run, job)

    def forbid_waits_on(self, thread: threading.Thread | None) -> None:
        """Say so (a WARNING in the log, which fails any test) whenever `thread` waits for the
        database: the window's thread must only submit jobs, or ask a copy in memory."""
        self._forbidden = thread

    def _check_waiter(self, job: object) -> None:
        if self._forbidden is not None and threading.current_thread() is self._forbidden:
            self.waits_on_forbidden += 1
            name = getattr(job, "__qualname__", type(job).__name__)
            log.warning("the window's thread waited for the office database (%s)", name)

    def call(self, job: Job[T], *, timeout: float | None = None) -> T:
        """`submit` and wait for the result (at most `timeout`, default `timeout_s`)."""
        self._check_waiter(job)
        future = self.submit(job)
        try:
            # Longer than the pool's own wait, which then says what happened.
            return future.result(self.timeout_s + CONNECT_TIMEOUT_S if timeout is None else timeout)
        except FutureTimeout as err:
            raise DatabaseUnreachable(unreachable_text(self.where, "no answer in time")) from err

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One connection and one transaction for several jobs (an import, a batch of
        writes): ``with engine.transaction() as tx: tx.call(job)``. The jobs still run
        on an engine thread, one after the other; the transaction commits when the
        block ends and rolls back when it raises."""
        self._check_waiter(self.transaction)
        session = Session(self)
        holder = self.submit(session.serve)
        try:
            session.wait_started(holder, self.timeout_s)
            yield session
        except BaseException:
            session.finish(commit=False)
            with contextlib.suppress(Exception):
                holder.result(self.timeout_s)
            raise
        session.finish(commit=True)
        holder.result(self.timeout_s + STATEMENT_TIMEOUT_MS / 1000)

    def wait_reachable(self, timeout: float) -> bool:
        """Block until a connection and the schema check succeed (tests, start-up probes)."""
        try:
            self.call(lambda conn: None, timeout=timeout)
        except DatabaseUnreachable:
            return False
        return True

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._executor.shutdown(wait=True)
        if self._pool is not None:
            self._pool.close(timeout=5.0)
