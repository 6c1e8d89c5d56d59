"""The send journal: every request the console makes, and how it ended.

An entry is written *before* a request goes out (outcome "pending") and
finished when the reply is in. A pending entry found at start-up therefore
means the console stopped mid-request: nobody knows whether the SMS or call
went out, so it becomes "unknown" and the user decides whether to send again.

The request's fields are stored for the detail view and for re-sending, after
removing anything secret: the account key and card verification values never
reach the disk.

The file itself (pragmas, migrations, repair of a damaged file) is
`console.store.database`; what jobs and the UI may rely on is the
`HistoryStore` interface in `console.store.interface`, which this class
implements for SQLite. Writes from sends and uploads go through
`console.store.journal_writer.JournalWriter`, off the UI thread.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from console.domain.card_data import VERIFICATION_KEYS, folded
from console.domain.csv_safe import safe_writer
from console.domain.vocabulary import EntryKind, Outcome
from console.store.database import Database, StoreError, explain, inserted_id, is_damaged
from console.store.files import atomic_write
from console.store.identity import machine_name, operator_name
from console.store.pending_updates import PendingUpdate, PendingUpdates, sidecar_path

KINDS = tuple(EntryKind)
OUTCOMES = tuple(Outcome)
FINAL_OUTCOMES = tuple(o for o in Outcome if o.is_final)

# The account key's field names, folded as console/domain/card_data.py folds names.
ACCOUNT_KEY_FIELDS = frozenset({"authkey", "key"})
# What never reaches the journal: the account key and the card verification value
# under any of its names (card_data's list). Compared folded, because the API's own
# samples carry stray spaces in key names ("cvv ", "from ").
SECRET_FIELDS = ACCOUNT_KEY_FIELDS | VERIFICATION_KEYS

CRASH_MESSAGE = (
    "The console closed before the reply arrived, so it is not known whether "
    "this went out."
)

_EXPORT_CHUNK = 2000
# Searches this long or longer use the trigram index; shorter ones read every row.
_FTS_MIN_CHARS = 3
_COLUMNS = ", ".join(f"entries.{c}" for c in (
    "id", "created_at", "updated_at", "kind", "profile_id", "profile_name", "recipient",
    "content", "request", "outcome", "result_id", "messages", "resend_of", "group_id", "desk",
    "operator"))
_UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_NEXT_SEQ = "(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM entries)"


class JournalError(StoreError):
    """The history file cannot be used; the message says what to do."""


class JournalEntry(NamedTuple):
    """One History entry. A tuple of plain values, with the request and the
    messages kept as their JSON text and read on access: 100,000 loaded
    entries then cost the garbage collector nothing to walk, so scrolling
    History never pauses for it."""

    id: int
    created_at: str  # ISO 8601, UTC
    updated_at: str
    kind: str
    profile_id: str
    profile_name: str
    recipient: str
    content: str
    request_json: str
    outcome: str
    result_id: str | None
    messages_json: str
    resend_of: int | None
    group_id: str | None = None  # the broadcast run this entry belongs to
    desk: str = ""  # the desk (computer) that wrote it; "" before desks were recorded
    operator: str = ""  # the OS user signed in there

    @property
    def created(self) -> datetime:
        try:
            return datetime.fromisoformat(str(self.created_at))
        except ValueError:
            return _UNKNOWN_TIME  # a garbled row from a repaired file is still shown

    @property
    def request(self) -> dict[str, Any]:
        """The request's fields as stored (secrets already removed)."""
        return _json_dict(self.request_json)

    @property
    def messages(self) -> list[str]:
        return _json_list(self.messages_json)


class RecentSend(NamedTuple):
    """One entry of `Journal.recent_sends`: to whom, what, when, and how it ended."""

    recipient: str
    content: str
    created_at: str  # ISO 8601, UTC
    kind: str
    outcome: str  # done, pending or unknown: never failed
    group_id: str | None  # the broadcast run, or None for a one-off send


def scrub(value: Any) -> Any:
    """A copy of `value` without secret fields, at any depth (payment_info
    is a list of objects). Values that JSON cannot hold become text."""
    if isinstance(value, Mapping):
        return {
            str(k): scrub(v)
            for k, v in value.items()
            if folded(k) not in SECRET_FIELDS
        }
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a journal time must carry its time zone")
    # One fixed format, so text comparison in SQL orders and filters correctly.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
        sidecar = PendingUpdates(self.pending_updates_path)
        updates = sidecar.load()
        landed = []
        for update in updates:
            try:
                self.apply_update(update)
            except JournalError:
                break  # locked or full: the writer tries again later
            landed.append(update.entry_id)
        if landed:
            with contextlib.suppress(OSError):  # replaying again is harmless: apply_update is idempotent
                sidecar.remove(landed)
        self.replayed += len(landed)
        return len(landed)

    def apply_update(self, update: PendingUpdate) -> bool:
        """Write a kept outcome to an entry still pending or unknown; True if it changed.
        An entry that no longer exists (a repaired file lost it) is skipped."""
        now = update.at or _timestamp(self._clock())
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
        now = _timestamp(self._clock())
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
        now = _timestamp(self._clock())
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
        now = _timestamp(self._clock())
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
                [(json.dumps([*_json_list(messages), CRASH_MESSAGE], ensure_ascii=False),
                  now, seq, entry_id) for entry_id, messages in rows],
            )
            return len(rows)

    # Reading

    def get(self, entry_id: int) -> JournalEntry:
        with self._lock, self._errors("read"):
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"There is no history entry {entry_id}.")
        return _entry(row)

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
        return [_entry(row) for row in rows]

    def recent_sends(self, since: datetime, *, kinds: Sequence[str] = (EntryKind.SMS, EntryKind.CALL),
                     profile_id: str | None = None) -> list[RecentSend]:
        """What went (or may have gone) out since `since`, oldest first: every
        entry of these kinds that did not provably fail. Broadcast rows are
        journalled too, so this covers one-off sends and every broadcast."""
        marks = ",".join("?" * len(kinds))
        sql = ("SELECT recipient, content, created_at, kind, outcome, group_id FROM entries"
               f" WHERE created_at >= ? AND kind IN ({marks}) AND outcome != 'failed'")
        params: list[Any] = [_timestamp(since), *kinds]
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
            rows = self._db.execute(sql, (recipient, _timestamp(since), *kinds)).fetchall()
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

    def export_csv(self, path: Path | str, *, kind: str | None = None,
                   outcome: str | None = None, profile_id: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   text: str | None = None, group_id: str | None = None) -> int:
        """Write the matching entries, newest first, as CSV; returns how many.

        The stored request is left out (it is for re-sending, not reporting).
        Written to a temporary file first, so a failed export never leaves a
        half file under the chosen name.
        """
        path = Path(path)
        written = 0
        # utf-8-sig: spreadsheet programs then read accents and emoji correctly.
        with atomic_write(path, "w", make_folders=False, encoding="utf-8-sig",
                          newline="") as handle:
            # Every cell is formula-safe (console/domain/csv_safe.py), replies from Voitex included.
            writer = safe_writer(handle)
            writer.writerow(["id", "time", "kind", "profile", "recipient", "content",
                             "outcome", "result id", "messages"])
            before_id = None
            while True:
                # Chunks, so a long export does not hold the lock against
                # the UI recording a new send.
                chunk = self.query(kind=kind, outcome=outcome, profile_id=profile_id,
                                   since=since, until=until, text=text, group_id=group_id,
                                   before_id=before_id, limit=_EXPORT_CHUNK)
                for entry in chunk:
                    writer.writerow([
                        entry.id,
                        entry.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                        entry.kind,
                        entry.profile_name,
                        entry.recipient,
                        entry.content,
                        entry.outcome,
                        entry.result_id or "",
                        "\n".join(entry.messages),
                    ])
                written += len(chunk)
                if len(chunk) < _EXPORT_CHUNK:
                    break
                before_id = chunk[-1].id
        return written

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


_DIGITS_ONLY = re.compile(r"[\d\s().+\-]+")


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _where(*, kind: str | None, outcome: str | None, profile_id: str | None,
           since: datetime | None, until: datetime | None, text: str | None,
           before_id: int | None = None, ids: Sequence[int] | None = None,
           group_id: str | None = None) -> tuple[str, str, list[Any], str]:
    """(FROM source, WHERE clause, parameters, the id column to order by)."""
    clauses: list[str] = []
    params: list[Any] = []
    text = (text or "").strip()
    source, id_column = "entries", "entries.id"
    if text:
        digits = re.sub(r"\D", "", text)
        # Numbers are stored as 10 digits; "(845) 951-1000" should find them.
        phone = len(digits) >= 3 and digits != text and _DIGITS_ONLY.fullmatch(text)
        if len(text) >= _FTS_MIN_CHARS:
            # The trigram index finds substrings, case-insensitively, like the
            # LIKE below. CROSS JOIN keeps the index as the outer loop, so
            # "newest first, 200 rows" stops after 200 matches.
            source = "entries_fts CROSS JOIN entries ON entries.id = entries_fts.rowid"
            id_column = "entries_fts.rowid"
            expression = _fts_phrase(text)
            if phone:
                expression += f" OR recipient : {_fts_phrase(digits)}"
            clauses.append("entries_fts MATCH ?")
            params.append(expression)
        else:
            pattern = f"%{_like_escape(text)}%"
            clauses.append("(entries.recipient LIKE ? ESCAPE '\\'"
                           " OR entries.content LIKE ? ESCAPE '\\')")
            params.extend([pattern, pattern])
    if kind is not None:
        clauses.append("entries.kind = ?")
        params.append(kind)
    if outcome is not None:
        clauses.append("entries.outcome = ?")
        params.append(outcome)
    if profile_id is not None:
        clauses.append("entries.profile_id = ?")
        params.append(profile_id)
    if group_id is not None:
        clauses.append("entries.group_id = ?")
        params.append(group_id)
    if since is not None:
        clauses.append("entries.created_at >= ?")
        params.append(_timestamp(since))
    if until is not None:
        clauses.append("entries.created_at < ?")
        params.append(_timestamp(until))
    if before_id is not None:
        clauses.append(f"{id_column} < ?")
        params.append(int(before_id))
    if ids is not None:
        wanted = [int(i) for i in ids]
        if not wanted:
            clauses.append("0")
        else:
            clauses.append(f"{id_column} IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return source, where, params, id_column


def _json_list(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return [str(text)]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _json_dict(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


_TEXT_FIELDS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15)
_OPTIONAL_TEXT_FIELDS = (10, 13)
_OPTIONAL_INT_FIELDS = (12,)


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    for i in _TEXT_FIELDS:
        if type(row[i]) is not str:
            return JournalEntry._make(_coerced(row))
    return JournalEntry._make(row)


def _coerced(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row from a repaired file whose values are not of their column's type
    (garbled bytes can turn a text into a number or a blob): still showable."""
    def text(value: Any) -> str:
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return "" if value is None else str(value)

    values = list(row)
    for i in _TEXT_FIELDS:
        values[i] = text(values[i])
    for i in _OPTIONAL_TEXT_FIELDS:
        if values[i] is not None:
            values[i] = text(values[i])
    for i in _OPTIONAL_INT_FIELDS:
        if values[i] is not None and not isinstance(values[i], int):
            values[i] = None
    return tuple(values)
