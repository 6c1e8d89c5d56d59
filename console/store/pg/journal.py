"""The History journal in the office's PostgreSQL database (`HistoryStore`).

The same rules as the SQLite `Journal` (console/store/interface.py), with what
sharing one database among desks adds:

- Every entry records its desk and operator.
- At start a desk turns only *its own* pending entries into "unknown" (another
  desk's pending entry is a request on the wire right now), and never one it
  began in this run, so that step may also run late, once the database is back.
- The change mark (`last_change`, `changed_since`) is a transaction id: the
  oldest transaction still running when a read was made. Everything older has
  been seen; what is newer is read again next time, so a write that commits late
  is never stepped over (an entry may be reported twice, which every reader
  tolerates).
- Queries run on the engine's threads (`PgEngine`); the methods wait for them,
  as the SQLite ones wait for the file. A database that is away raises
  `JournalError` at once, saying so.
"""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from console.domain.vocabulary import EntryKind, Outcome
from console.store.database import StoreError
from console.store.identity import machine_name, operator_name
from console.store.journal_entry import (
    CRASH_MESSAGE,
    ENTRY_COLUMNS,
    FINAL_OUTCOMES,
    KINDS,
    JournalEntry,
    JournalError,
    RecentSend,
    entry_of,
    found_entry,
    json_list,
    timestamp,
    utc_now,
)
from console.store.journal_export import export_csv
from console.store.journal_filters import EntryFilter, like_escape
from console.store.journal_redaction import scrub
from console.store.pending_updates import PendingUpdate, replay, sidecar_path
from console.store.pg.engine import Conn, Job, PgEngine, Session

T = TypeVar("T")

_COLUMNS = ", ".join(ENTRY_COLUMNS)
# The oldest transaction still running: every change older than it is visible now.
_MARK = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


class _DeskRun:
    """What the handles of one run share: the entries it began before it had
    turned the desk's leftover pending entries into "unknown"."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recovered = False
        self.began: set[int] = set()


class PgJournal:
    """A `HistoryStore` over `engine`. `folder` is this desk's own folder for the
    office database (the outcomes not yet written wait there, in
    ``history-pending-updates.jsonl``)."""

    # Each read is a round trip to another machine: the window asks it off its own thread.
    remote = True

    def __init__(self, engine: PgEngine, *, folder: Path | str, desk: str | None = None,
                 operator: str | None = None, clock: Callable[[], datetime] = utc_now,
                 replay: bool = True, owns_engine: bool = True,
                 _run: _DeskRun | None = None) -> None:
        self.engine = engine
        self.path = Path(folder) / "history"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.desk = machine_name() if desk is None else desk
        self.operator = operator_name() if operator is None else operator
        self.load_warning: str | None = None
        self.replayed = 0
        self._clock = clock
        self._owns_engine = owns_engine
        self._run = _run or _DeskRun()
        self._local = threading.local()  # the batch() session of this thread, if any
        if replay:
            # Away now: the journal writer replays the kept outcomes once it is back.
            with contextlib.suppress(JournalError):
                self.replay_pending_updates()

    # -- plumbing -------------------------------------------------------------------
    @property
    def pending_updates_path(self) -> Path:
        return sidecar_path(self.path)

    def reopen(self) -> PgJournal:
        """Another handle for another thread: it shares the engine (each query gets a
        connection of the pool), never the caller's batch."""
        return PgJournal(self.engine, folder=self.path.parent, desk=self.desk,
                         operator=self.operator, clock=self._clock, replay=False,
                         owns_engine=False, _run=self._run)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.close()

    def __enter__(self) -> PgJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, job: Job[T]) -> T:
        session: Session | None = getattr(self._local, "session", None)
        try:
            return session.call(job) if session is not None else self.engine.call(job)
        except StoreError as err:
            raise JournalError(str(err)) from err

    @contextmanager
    def batch(self) -> Iterator[PgJournal]:
        """Group many writes of this thread into one transaction (imports, bulk queues)."""
        if getattr(self._local, "session", None) is not None:
            yield self
            return
        try:
            with self.engine.transaction() as session:
                self._local.session = session
                try:
                    yield self
                finally:
                    self._local.session = None
        except StoreError as err:
            raise JournalError(str(err)) from err

    # -- writing --------------------------------------------------------------------
    def begin(self, *, kind: EntryKind, profile_id: str, profile_name: str, recipient: str,
              content: str, request: Mapping[str, Any] | None = None,
              resend_of: int | None = None, group_id: str | None = None) -> int:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        now = timestamp(self._clock())
        request_json = json.dumps(scrub(dict(request or {})), ensure_ascii=False)
        params = (now, now, kind, profile_id, profile_name, recipient, content, request_json,
                  resend_of, group_id, self.desk, self.operator)

        def job(conn: Conn) -> int:
            row = conn.execute(
                "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
                " recipient, content, request, outcome, result_id, messages, resend_of,"
                " group_id, desk, operator) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending',"
                " NULL, '[]', %s, %s, %s, %s) RETURNING id", params).fetchone()
            assert row is not None
            return int(row[0])

        entry_id = self._call(job)
        with self._run.lock:
            if not self._run.recovered:
                self._run.began.add(entry_id)
        return entry_id

    def finish(self, entry_id: int, *, outcome: Outcome, result_id: str | None = None,
               messages: Sequence[str] = ()) -> None:
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(FINAL_OUTCOMES)}, not {outcome!r}")
        if isinstance(messages, str):
            raise TypeError("messages must be a list of texts, not one text")
        now = timestamp(self._clock())
        params = (outcome, result_id, json.dumps([str(m) for m in messages], ensure_ascii=False),
                  now, entry_id)
        changed = self._call(lambda conn: conn.execute(
            "UPDATE entries SET outcome = %s, result_id = %s, messages = %s, updated_at = %s,"
            " change_xid = pg_current_xact_id() WHERE id = %s", params).rowcount)
        if changed == 0:
            raise JournalError(f"There is no history entry {entry_id}.")

    def apply_update(self, update: PendingUpdate) -> bool:
        now = update.at or timestamp(self._clock())
        params = (update.outcome, update.result_id,
                  json.dumps(list(update.messages), ensure_ascii=False), now, update.entry_id)
        changed = self._call(lambda conn: conn.execute(
            "UPDATE entries SET outcome = %s, result_id = %s, messages = %s, updated_at = %s,"
            " change_xid = pg_current_xact_id()"
            " WHERE id = %s AND outcome IN ('pending', 'unknown')", params).rowcount)
        return changed > 0

    def replay_pending_updates(self) -> int:
        # The same steps as the SQLite journal's (the sidecar file, apply_update).
        landed = replay(self.pending_updates_path, self.apply_update, JournalError)
        self.replayed += landed
        return landed

    def mark_crashed_pending_unknown(self) -> int:
        """This desk's entries left pending by an earlier run become "unknown"."""
        now = timestamp(self._clock())
        with self._run.lock:
            began = sorted(self._run.began)

        def job(conn: Conn) -> int:
            rows = conn.execute(
                "SELECT id, messages FROM entries WHERE outcome = 'pending' AND desk = %s"
                " AND NOT (id = ANY(%s)) FOR UPDATE", (self.desk, began)).fetchall()
            if rows:
                conn.cursor().executemany(
                    "UPDATE entries SET outcome = 'unknown', messages = %s, updated_at = %s,"
                    " change_xid = pg_current_xact_id() WHERE id = %s",
                    [(json.dumps([*json_list(messages), CRASH_MESSAGE], ensure_ascii=False),
                      now, entry_id) for entry_id, messages in rows])
            return len(rows)

        found = self._call(job)
        with self._run.lock:
            self._run.recovered = True
            self._run.began.clear()
        return found

    # -- reading --------------------------------------------------------------------
    def get(self, entry_id: int) -> JournalEntry:
        row = self._call(lambda conn: conn.execute(
            f"SELECT {_COLUMNS} FROM entries WHERE id = %s", (entry_id,)).fetchone())
        return found_entry(row, entry_id)

    def query(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None,
              offset: int = 0, limit: int = 200, before_id: int | None = None,
              ids: Sequence[int] | None = None,
              group_id: str | None = None) -> list[JournalEntry]:
        where, params = _where(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                               until=until, text=text, before_id=before_id, ids=ids,
                               group_id=group_id)
        sql = f"SELECT {_COLUMNS} FROM entries{where} ORDER BY id DESC LIMIT %s OFFSET %s"
        rows = self._call(lambda conn: conn.execute(
            sql, (*params, int(limit), int(offset))).fetchall())
        return [entry_of(row) for row in rows]

    def recent_sends(self, since: datetime, *, kinds: Sequence[str] = (EntryKind.SMS, EntryKind.CALL),
                     profile_id: str | None = None) -> list[RecentSend]:
        sql = ("SELECT recipient, content, created_at, kind, outcome, group_id FROM entries"
               " WHERE created_at >= %s AND kind = ANY(%s) AND outcome != 'failed'")
        params: list[Any] = [timestamp(since), [str(k) for k in kinds]]
        if profile_id is not None:
            sql += " AND profile_id = %s"
            params.append(profile_id)
        rows = self._call(lambda conn: conn.execute(
            sql + " ORDER BY created_at, id", params).fetchall())
        return [RecentSend(*row) for row in rows]

    def recent_sends_to(self, recipient: str, since: datetime, *,
                        kinds: Sequence[str] = (EntryKind.SMS, EntryKind.CALL)) -> list[str]:
        """As `Journal.recent_sends_to`: when what went to one number since `since` left,
        oldest first, from every profile and every desk."""
        sql = ("SELECT created_at FROM entries WHERE recipient = %s AND created_at >= %s"
               " AND kind = ANY(%s) AND outcome != 'failed' ORDER BY created_at, id")
        params = [recipient, timestamp(since), [str(k) for k in kinds]]
        rows = self._call(lambda conn: conn.execute(sql, params).fetchall())
        return [str(row[0]) for row in rows]

    def count(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None,
              group_id: str | None = None, at_most: int | None = None) -> int:
        where, params = _where(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                               until=until, text=text, group_id=group_id)
        if at_most is None:
            sql, args = f"SELECT count(*) FROM entries{where}", params
        else:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM entries{where} LIMIT %s) AS found"
            args = [*params, int(at_most)]
        row = self._call(lambda conn: conn.execute(sql, args).fetchone())
        return int(row[0]) if row else 0

    def last_change(self) -> int:
        row = self._call(lambda conn: conn.execute(f"SELECT {_MARK}").fetchone())
        return int(row[0]) if row else 0

    def changed_since(self, change: int) -> tuple[int, list[int]]:
        def job(conn: Conn) -> tuple[int, list[int]]:
            mark = conn.execute(f"SELECT {_MARK}").fetchone()
            rows = conn.execute("SELECT id FROM entries WHERE change_xid >= %s::text::xid8",
                                (str(int(change)),)).fetchall()
            latest = int(mark[0]) if mark else change
            return max(latest, change), [int(r[0]) for r in rows]

        return self._call(job)

    def export_csv(self, path: Path | str, **filters: Any) -> int:
        # The same writer as the SQLite journal's: it pages through query().
        return export_csv(self.query, path, **filters)


def _where(*, kind: str | None, outcome: str | None, profile_id: str | None,
           since: datetime | None, until: datetime | None, text: str | None,
           before_id: int | None = None, ids: Sequence[int] | None = None,
           group_id: str | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters; the same filters as the SQLite journal's."""
    f = EntryFilter.of(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                       until=until, text=text, before_id=before_id, ids=ids, group_id=group_id)
    clauses: list[str] = []
    params: list[Any] = []
    if f.text:
        # ILIKE finds substrings in any case; from three characters on, the
        # trigram indexes answer it (console/store/migrations/m002_search.py).
        pattern = f"%{like_escape(f.text)}%"
        alternatives = ["recipient ILIKE %s", "content ILIKE %s"]
        params.extend([pattern, pattern])
        if f.phone_digits:
            alternatives.append("recipient LIKE %s")
            params.append(f"%{f.phone_digits}%")
        clauses.append("(" + " OR ".join(alternatives) + ")")
    common, values = f.clauses("%s")
    clauses += common
    params += values
    if f.ids is not None:
        clauses.append("id = ANY(%s)")
        params.append(list(f.ids))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
