"""The send journal: every request the console makes, and how it ended.

An entry is written *before* a request goes out (outcome "pending") and
finished when the reply is in. A pending entry found at start-up therefore
means the console stopped mid-request: nobody knows whether the SMS or call
went out, so it becomes "unknown" and the user decides whether to send again.

The request's fields are stored for the detail view and for re-sending, after
removing anything secret: the account key and card verification values never
reach the disk.

What an entry is (and how a row becomes one) is `console.store.journal_entry`;
what is kept out of a request `journal_redaction`; the list filters both
journals share `journal_filters`; the CSV export `journal_export`.

The file itself (pragmas, migrations, repair of a damaged file) is
`console.store.database`; what jobs and the UI may rely on is the
`HistoryStore` interface in `console.store.interface`, which this class
implements for SQLite. Writes from sends and uploads go through
`console.store.journal_writer.JournalWriter`, off the UI thread.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain.vocabulary import EntryKind, Outcome
from console.store.database import Database, StoreError, explain, inserted_id, is_damaged
from console.store.identity import machine_name, operator_name
from console.store.journal_entry import (
    CRASH_MESSAGE,
    ENTRY_COLUMNS,
    FINAL_OUTCOMES,
    KINDS,
    OUTCOMES,
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
from console.store.journal_redaction import SECRET_FIELDS, scrub
from console.store.pending_updates import PendingUpdate, replay, sidecar_path

# The names other modules have long imported from here.
__all__ = ["CRASH_MESSAGE", "FINAL_OUTCOMES", "KINDS", "OUTCOMES", "SECRET_FIELDS", "Journal",
           "JournalEntry", "JournalError", "RecentSend", "scrub", "utc_now"]

# Searches this long or longer use the trigram index; shorter ones read every row.
_FTS_MIN_CHARS = 3
_COLUMNS = ENTRY_SELECT = ", ".join(f"entries.{c}" for c in ENTRY_COLUMNS)
_NEXT_SEQ = "(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM entries)"


class Journal:
    """One SQLite connection shared by all threads, guarded by a lock.

    The first handle of a process (`replay=True`, the default) checks and, if
    need be, repairs the file (`load_warning` then says so), migrates it, and
    replays outcomes that an earlier run could not write
    (`history-pending-updates.jsonl`). `reopen()` gives a further handle with
    its own connection for another thread.
    """

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
                 replay: bool = True, check: bool = True, repair: bool = True,
                 desk: str | None = None, operator: str | None = None) -> None:
        self.path = Path(path)
        self._clock = clock
        self.desk = machine_name() if desk is None else desk
        self.operator = operator_name() if operator is None else operator
        self._batch_depth = 0
        try:
            self._database = Database(self.path, check=check, repair=repair)
        except StoreError as err:
            raise JournalError(str(err)) from err
        self._lock = self._database.lock
        self._db = self._database.connection
        self.load_warning: str | None = self._database.notice
        self.replayed = 0
        if replay:
            self.replay_pending_updates()

    @property
    def database(self) -> Database:
        return self._database

    @property
    def pending_updates_path(self) -> Path:
        return sidecar_path(self.path)

    def reopen(self) -> Journal:
        """Another handle on the same file with its own connection, so a
        thread using it never queues behind this handle's lock."""
        return Journal(self.path, clock=self._clock, replay=False, check=False, repair=False,
                       desk=self.desk, operator=self.operator)

    def replay_pending_updates(self) -> int:
        """Write outcomes kept in the sidecar file by an earlier run; returns how many landed.
        Call before mark_crashed_pending_unknown(). What cannot be written stays kept."""
        landed = replay(self.pending_updates_path, self.apply_update, JournalError)
        self.replayed += landed
        return landed

    def apply_update(self, update: PendingUpdate) -> bool:
        """Write a kept outcome to an entry still pending or unknown; True if it changed.
        An entry that no longer exists (a repaired file lost it) is skipped."""
        now = update.at or timestamp(self._clock())
        with self._lock, self._errors("updated"):
            cursor = self._db.execute(
                "UPDATE entries SET outcome = ?, result_id = ?, messages = ?, updated_at = ?,"
                f" change_seq = {_NEXT_SEQ} WHERE id = ? AND outcome IN ('pending', 'unknown')",
                (update.outcome, update.result_id,
                 json.dumps(list(update.messages), ensure_ascii=False), now, update.entry_id))
            return cursor.rowcount > 0

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        # Locked, read-only, full or damaged: one JournalError that says what
        # to do. Constraint errors are the caller's mistake and pass through.
        try:
            yield
        except sqlite3.OperationalError as err:
            if is_damaged(err):
                self._database.mark_damaged()
            raise JournalError(explain(err, self.path, doing=doing)) from err
        except sqlite3.DatabaseError as err:
            if is_damaged(err):
                self._database.mark_damaged()  # the next start repairs it
                raise JournalError(explain(err, self.path, doing=doing)) from err
            raise
        except UnicodeDecodeError as err:  # SQLite's error text held garbled schema bytes
            self._database.mark_damaged()
            raise JournalError(explain(sqlite3.DatabaseError("malformed"), self.path,
                                       doing=doing)) from err

    def close(self) -> None:
        # PRAGMA optimize on close refreshes the planner's statistics, so
        # "Failed + one profile" walks the rare outcome's index.
        self._database.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[Journal]:
        """Group many writes into one transaction (imports, bulk queues).
        Other threads wait until the batch ends."""
        with self._lock:
            outermost = self._batch_depth == 0
            if outermost:
                self._db.execute("BEGIN IMMEDIATE")
            self._batch_depth += 1
            try:
                yield self
            except BaseException:
                self._batch_depth -= 1
                if outermost:
                    self._db.execute("ROLLBACK")
                raise
            self._batch_depth -= 1
            if outermost:
                self._db.execute("COMMIT")

    # Writing

    def begin(self, *, kind: EntryKind, profile_id: str, profile_name: str, recipient: str,
              content: str, request: Mapping[str, Any] | None = None,
              resend_of: int | None = None, group_id: str | None = None) -> int:
        """Record a request about to be sent; returns the entry id. `group_id`
        ties the entry to a broadcast run (History groups them)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        now = timestamp(self._clock())
        request_json = json.dumps(scrub(dict(request or {})), ensure_ascii=False)
        with self._lock, self._errors("written"):
            cursor = self._db.execute(
                "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
                " recipient, content, request, outcome, result_id, messages, resend_of,"
                f" group_id, desk, operator, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending',"
                f" NULL, '[]', ?, ?, ?, ?, {_NEXT_SEQ})",
                (now, now, kind, profile_id, profile_name, recipient, content, request_json,
                 resend_of, group_id, self.desk, self.operator),
            )
            return inserted_id(cursor)

    def finish(self, entry_id: int, *, outcome: Outcome, result_id: str | None = None,
               messages: Sequence[str] = ()) -> None:
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(FINAL_OUTCOMES)}, not {outcome!r}")
        if isinstance(messages, str):
            raise TypeError("messages must be a list of texts, not one text")
        now = timestamp(self._clock())
        with self._lock, self._errors("updated"):
            cursor = self._db.execute(
                "UPDATE entries SET outcome = ?, result_id = ?, messages = ?, updated_at = ?,"
                f" change_seq = {_NEXT_SEQ} WHERE id = ?",
                (outcome, result_id, json.dumps([str(m) for m in messages], ensure_ascii=False),
                 now, entry_id),
            )
            if cursor.rowcount == 0:
                raise JournalError(f"There is no history entry {entry_id}.")

    def mark_crashed_pending_unknown(self) -> int:
        """At start-up, before anything is sent: turn entries left pending by
        a console that stopped mid-request into "unknown". Returns how many."""
        now = timestamp(self._clock())
        with self._lock, self._errors("updated"), self._transaction():
            rows = self._db.execute(
                "SELECT id, messages FROM entries WHERE outcome = 'pending'"
            ).fetchall()
            if not rows:
                return 0
            seq = self._db.execute(f"SELECT {_NEXT_SEQ}").fetchone()[0]
            self._db.executemany(
                "UPDATE entries SET outcome = 'unknown', messages = ?, updated_at = ?,"
                " change_seq = ? WHERE id = ?",
                [(json.dumps([*json_list(messages), CRASH_MESSAGE], ensure_ascii=False),
                  now, seq, entry_id) for entry_id, messages in rows],
            )
            return len(rows)

    # Reading

    def get(self, entry_id: int) -> JournalEntry:
        with self._lock, self._errors("read"):
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
        return found_entry(row, entry_id)

    def query(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None,
              offset: int = 0, limit: int = 200, before_id: int | None = None,
              ids: Sequence[int] | None = None,
              group_id: str | None = None) -> list[JournalEntry]:
        """Entries matching every given filter, newest first.

        `since` is inclusive, `until` exclusive. `before_id` pages by key
        (entries older than that id), which stays fast at any depth where a
        large `offset` would not. `ids` narrows to given entries, `group_id`
        to one broadcast run's.
        """
        source, where, params, id_column = _where(
            kind=kind, outcome=outcome, profile_id=profile_id, since=since, until=until,
            text=text, before_id=before_id, ids=ids, group_id=group_id)
        sql = (f"SELECT {_COLUMNS} FROM {source}{where} ORDER BY {id_column} DESC"
               " LIMIT ? OFFSET ?")
        with self._lock, self._errors("read"):
            rows = self._db.execute(sql, (*params, int(limit), int(offset))).fetchall()
        return [entry_of(row) for row in rows]

    def recent_sends(self, since: datetime, *, kinds: Sequence[str] = (EntryKind.SMS, EntryKind.CALL),
                     profile_id: str | None = None) -> list[RecentSend]:
        """What went (or may have gone) out since `since`, oldest first: every
        entry of these kinds that did not provably fail. Broadcast rows are
        journalled too, so this covers one-off sends and every broadcast."""
        marks = ",".join("?" * len(kinds))
        sql = ("SELECT recipient, content, created_at, kind, outcome, group_id FROM entries"
               f" WHERE created_at >= ? AND kind IN ({marks}) AND outcome != 'failed'")
        params: list[Any] = [timestamp(since), *kinds]
        if profile_id is not None:
            sql += " AND profile_id = ?"
            params.append(profile_id)
        with self._lock, self._errors("read"):
            rows = self._db.execute(sql + " ORDER BY created_at, id", params).fetchall()
        return [RecentSend(*row) for row in rows]

    def recent_sends_to(self, recipient: str, since: datetime, *,
                        kinds: Sequence[str] = (EntryKind.SMS, EntryKind.CALL)) -> list[str]:
        """When the messages and calls to one number since `since` went (or may have
        gone) out, oldest first, from every profile: the per-person caps of the
        calling rules count them before each broadcast row and one-off SMS."""
        marks = ",".join("?" * len(kinds))
        sql = ("SELECT created_at FROM entries WHERE recipient = ? AND created_at >= ?"
               f" AND kind IN ({marks}) AND outcome != 'failed' ORDER BY created_at, id")
        with self._lock, self._errors("read"):
            rows = self._db.execute(sql, (recipient, timestamp(since), *kinds)).fetchall()
        return [str(row[0]) for row in rows]

    def count(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None,
              group_id: str | None = None, at_most: int | None = None) -> int:
        """How many entries match; with `at_most`, counting stops there
        (cheap when a common word matches tens of thousands)."""
        source, where, params, _ = _where(
            kind=kind, outcome=outcome, profile_id=profile_id, since=since, until=until,
            text=text, group_id=group_id)
        if at_most is None:
            sql, args = f"SELECT COUNT(*) FROM {source}{where}", params
        else:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {source}{where} LIMIT ?)"
            args = [*params, int(at_most)]
        with self._lock, self._errors("read"):
            found: int = self._db.execute(sql, args).fetchone()[0]
            return found

    def last_change(self) -> int:
        """A number that grows with every write; pair with changed_since()."""
        with self._lock:
            with self._errors("read"):
                change: int = self._db.execute(
                    "SELECT COALESCE(MAX(change_seq), 0) FROM entries").fetchone()[0]
                return change

    def changed_since(self, change: int) -> tuple[int, list[int]]:
        """Ids of entries begun or finished after `change` (from last_change()
        or a previous call), and the new value to pass next time."""
        with self._lock, self._errors("read"):
            rows = self._db.execute(
                "SELECT id, change_seq FROM entries WHERE change_seq > ?", (change,)
            ).fetchall()
        latest = max((seq for _, seq in rows), default=change)
        return latest, [entry_id for entry_id, _ in rows]

    def export_csv(self, path: Path | str, **filters: Any) -> int:
        """Write the matching entries, newest first, as CSV; returns how many
        (`console.store.journal_export.export_csv`: the filters of `query`)."""
        return export_csv(self.query, path, **filters)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._batch_depth:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _where(*, kind: str | None, outcome: str | None, profile_id: str | None,
           since: datetime | None, until: datetime | None, text: str | None,
           before_id: int | None = None, ids: Sequence[int] | None = None,
           group_id: str | None = None) -> tuple[str, str, list[Any], str]:
    """(FROM source, WHERE clause, parameters, the id column to order by)."""
    f = EntryFilter.of(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                       until=until, text=text, before_id=before_id, ids=ids, group_id=group_id)
    clauses: list[str] = []
    params: list[Any] = []
    source, id_column = "entries", "entries.id"
    if len(f.text) >= _FTS_MIN_CHARS:
        # The trigram index finds substrings, case-insensitively, like the
        # LIKE below. CROSS JOIN keeps the index as the outer loop, so
        # "newest first, 200 rows" stops after 200 matches.
        source = "entries_fts CROSS JOIN entries ON entries.id = entries_fts.rowid"
        id_column = "entries_fts.rowid"
        expression = _fts_phrase(f.text)
        if f.phone_digits:
            expression += f" OR recipient : {_fts_phrase(f.phone_digits)}"
        clauses.append("entries_fts MATCH ?")
        params.append(expression)
    elif f.text:
        pattern = f"%{like_escape(f.text)}%"
        clauses.append("(entries.recipient LIKE ? ESCAPE '\\'"
                       " OR entries.content LIKE ? ESCAPE '\\')")
        params.extend([pattern, pattern])
    common, values = f.clauses("?", table="entries.", id_column=id_column)
    clauses += common
    params += values
    if f.ids is not None:
        if not f.ids:
            clauses.append("0")
        else:
            clauses.append(f"{id_column} IN ({', '.join('?' * len(f.ids))})")
            params.extend(f.ids)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return source, where, params, id_column


