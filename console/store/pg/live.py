"""What other desks change, as it happens: the office database's news, and a poll behind it.

A thread of its own keeps one connection outside the pool that ``LISTEN``s on
the channel ``voitex``; every change to a shared table sends the table's name
there (schema step 7's triggers). A notification only wakes the desk: what
changed is then read like anything else. Notifications can be lost (the
connection drops, the desk sleeps), so every `poll_s` the thread also looks
at the change counters (``voitex_topics``) and History's change mark, and
tells the same subscribers. Either way a change made at another desk is seen
within about `poll_s` (a notification: within a few hundredths of a second).

Subscribers are called on this thread with the set of tables that changed
(``"tick"`` on every poll, for those that look at something of their own each
time); they read what they need here and hand the window its share.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import psycopg
import psycopg.conninfo

from console.store.pg.engine import CONNECT_TIMEOUT_S, KEEPALIVES, Conn, PgEngine

log = logging.getLogger(__name__)

__all__ = ["OfficeNews", "POLL_S", "CHANNEL", "TICK"]

CHANNEL = "voitex"
POLL_S = 1.0
TICK = "tick"
_SETTLE_S = 0.05  # notifications that come together are told together
_RECONNECT_S = (0.5, 1.0, 2.0, 5.0, 10.0)
_MARK = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"

Subscriber = Callable[[frozenset[str]], None]


class OfficeNews:
    def __init__(self, engine: PgEngine, conninfo: Callable[[], str], *, poll_s: float = POLL_S,
                 application_name: str = "voitex-console news") -> None:
        self.engine = engine
        self.poll_s = poll_s
        self._conninfo = conninfo
        self._application_name = application_name[:63]
        self._subscribers: list[Subscriber] = []
        self._closed = threading.Event()
        self._topics: dict[str, int] | None = None
        self._entries_mark: int | None = None
        self._thread: threading.Thread | None = None
        self._conn: Conn | None = None
        self.notifications = 0  # how many arrived (tests, diagnostics)
        self.polls = 0

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="voitex-office-news", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._closed.set()
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.cancel_safe(timeout=1.0)
        if self._thread is not None:
            self._thread.join(timeout=5.0)

    # -- the thread ----------------------------------------------------------------------
    def _loop(self) -> None:
        attempt = 0
        next_poll = 0.0
        while not self._closed.is_set():
            if self._conn is None:
                self._conn = self._listen()
                if self._conn is None:
                    # No news now: polling alone, until a connection answers again.
                    self._poll_and_tell()
                    self._closed.wait(_RECONNECT_S[min(attempt, len(_RECONNECT_S) - 1)])
                    attempt += 1
                    continue
                attempt = 0
            heard: set[str] = set()
            try:
                wait = max(0.0, next_poll - time.monotonic())
                for note in self._conn.notifies(timeout=wait or 0.001):
                    heard.add(note.payload)
                    self.notifications += 1
                    break
                if heard:  # a few more may follow from the same transaction or the next
                    for note in self._conn.notifies(timeout=_SETTLE_S):
                        heard.add(note.payload)
                        self.notifications += 1
            except psycopg.Error as err:
                if not self._closed.is_set():
                    log.debug("office news connection lost: %s", err)
                self._drop()
                continue
            if heard:
                self._tell(frozenset(heard))
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + self.poll_s
                self._poll_and_tell()

    def _listen(self) -> Conn | None:
        if not self.engine.reachable:
            return None
        try:
            info = psycopg.conninfo.make_conninfo(self._conninfo(), **KEEPALIVES)
            conn: Conn = psycopg.connect(info, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                         application_name=self._application_name)
            conn.execute(f"LISTEN {CHANNEL}")
            return conn
        except Exception as err:  # the network, the password, the keyring: polling goes on
            log.debug("office news: not listening (%s)", err)
            return None

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _poll_and_tell(self) -> None:
        self.polls += 1
        changed = set(self._poll())
        changed.add(TICK)
        self._tell(frozenset(changed))

    def _poll(self) -> set[str]:
        """What changed since the last poll, from the counters (no notification needed)."""
        mark = self._entries_mark

        def job(conn: Conn) -> tuple[dict[str, int], int, bool]:
            topics = {str(t): int(v) for t, v in conn.execute(
                "SELECT topic, version FROM voitex_topics").fetchall()}
            now = conn.execute(f"SELECT {_MARK}").fetchone()
            entries = False
            if mark is not None:
                found = conn.execute("SELECT EXISTS (SELECT 1 FROM entries WHERE change_xid >="
                                     " %s::text::xid8)", (str(mark),)).fetchone()
                entries = bool(found and found[0])
            return topics, int(now[0]) if now else 0, entries

        try:
            topics, latest, entries = self.engine.call(job, timeout=self.poll_s * 5)
        except Exception as err:  # away: the engine says so; news resumes when it is back
            log.debug("office news: poll failed: %s", err)
            return set()
        changed = {t for t, v in topics.items()
                   if self._topics is not None and self._topics.get(t) != v}
        if self._topics is not None:
            changed |= set(self._topics) - set(topics)
        self._topics = topics
        if entries:
            changed.add("entries")
        self._entries_mark = max(latest, mark or 0)
        return changed

    def _tell(self, changed: frozenset[str]) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(changed)
            except Exception:  # one subscriber's bug must not stop the news
                log.exception("an office news subscriber failed")
