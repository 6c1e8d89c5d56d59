"""The send journal: every request the console makes, and how it ended.

An entry is written *before* a request goes out (outcome "pending") and
finished when the reply is in. A pending entry found at start-up therefore
means the console stopped mid-request: nobody knows whether the SMS or call
went out, so it becomes "unknown" and the user decides whether to send again.

The request's fields are stored for the detail view and for re-sending, after
removing anything secret: the account key and card verification values never
reach the disk.
"""
from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from console.store.files import atomic_write

KINDS = ("sms", "call", "tts", "upload")
OUTCOMES = ("pending", "done", "failed", "unknown")
FINAL_OUTCOMES = ("done", "failed", "unknown")

# Compared after trimming and lower-casing, because the API's own samples carry
# stray spaces in key names ("cvv ", "from ").
SECRET_FIELDS = frozenset({"auth_key", "key", "cvv", "cvv2", "cvc"})

CRASH_MESSAGE = (
    "The console closed before the reply arrived, so it is not known whether "
    "this went out."
)

_EXPORT_CHUNK = 2000
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sms', 'call', 'tts', 'upload')),
    profile_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    recipient TEXT NOT NULL,
    content TEXT NOT NULL,
    request TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'done', 'failed', 'unknown')),
    result_id TEXT,
    messages TEXT NOT NULL,
    resend_of INTEGER REFERENCES entries(id),
    change_seq INTEGER NOT NULL
);
-- Each index ends implicitly in the rowid, so "WHERE kind = ? ORDER BY id DESC"
-- walks the index in order with no sort step: newest-first paging stays cheap.
CREATE INDEX IF NOT EXISTS entries_kind ON entries (kind);
CREATE INDEX IF NOT EXISTS entries_outcome ON entries (outcome);
CREATE INDEX IF NOT EXISTS entries_profile ON entries (profile_id);
CREATE INDEX IF NOT EXISTS entries_created ON entries (created_at);
CREATE INDEX IF NOT EXISTS entries_change ON entries (change_seq);
"""
_COLUMNS = (
    "id, created_at, updated_at, kind, profile_id, profile_name, recipient, content, "
    "request, outcome, result_id, messages, resend_of"
)
_NEXT_SEQ = "(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM entries)"


class JournalError(Exception):
    """The history file cannot be used; the message says what to do."""


@dataclass(frozen=True)
class JournalEntry:
    id: int
    created_at: str  # ISO 8601, UTC
    updated_at: str
    kind: str
    profile_id: str
    profile_name: str
    recipient: str
    content: str
    request: dict
    outcome: str
    result_id: str | None
    messages: list[str]
    resend_of: int | None

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


def scrub(value: Any) -> Any:
    """A copy of `value` without secret fields, at any depth (payment_info
    is a list of objects). Values that JSON cannot hold become text."""
    if isinstance(value, Mapping):
        return {
            str(k): scrub(v)
            for k, v in value.items()
            if str(k).strip().lower() not in SECRET_FIELDS
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
    return datetime.now(timezone.utc)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a journal time must carry its time zone")
    # One fixed format, so text comparison in SQL orders and filters correctly.
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _is_damaged(err: sqlite3.DatabaseError) -> bool:
    text = str(err).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


class Journal:
    """One SQLite connection shared by all threads, guarded by a lock."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.RLock()
        self._batch_depth = 0
        self.load_warning: str | None = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as err:
            # Only a damaged file is set aside (not deleted, so it can still be
            # looked at). A locked, read-only or unreachable file is the user's
            # real history: that error goes up and the console says so.
            if not _is_damaged(err):
                raise JournalError(
                    f"The history file {self.path} could not be opened ({err}). "
                    "Close any other Voitex Console and check the disk, then start again."
                ) from err
            backup = self._set_aside()
            self._db = self._open()
            self.load_warning = (
                f"The history file was damaged and could not be read. It was kept as {backup}; "
                "a new, empty history was started."
            )

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: statements commit on their own unless batch()
        # opens a transaction explicitly.
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise JournalError(
                    f"The history file {self.path} was written by a newer version of the console."
                )
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        os.replace(self.path, backup)
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                os.replace(companion, backup.with_name(backup.name + suffix))
        return backup

    @classmethod
    def default(cls) -> Journal:
        from console.store.paths import app_paths

        return cls(app_paths().journal_file)

    def close(self) -> None:
        with self._lock:
            # SQLite's advice for long-lived connections: refresh the planner's
            # statistics on close, so "Failed + one profile" walks the rare
            # outcome's index rather than the common profile's.
            try:
                self._db.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self._db.close()

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

    def begin(self, *, kind: str, profile_id: str, profile_name: str, recipient: str,
              content: str, request: Mapping[str, Any] | None = None,
              resend_of: int | None = None) -> int:
        """Record a request about to be sent; returns the entry id."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        now = _timestamp(self._clock())
        request_json = json.dumps(scrub(dict(request or {})), ensure_ascii=False)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
                " recipient, content, request, outcome, result_id, messages, resend_of, change_seq)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, '[]', ?, {_NEXT_SEQ})",
                (now, now, kind, profile_id, profile_name, recipient, content, request_json,
                 resend_of),
            )
            return cursor.lastrowid

    def finish(self, entry_id: int, *, outcome: str, result_id: str | None = None,
               messages: Sequence[str] = ()) -> None:
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(FINAL_OUTCOMES)}, not {outcome!r}")
        if isinstance(messages, str):
            raise TypeError("messages must be a list of texts, not one text")
        now = _timestamp(self._clock())
        with self._lock:
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
        with self._lock, self._transaction():
            rows = self._db.execute(
                "SELECT id, messages FROM entries WHERE outcome = 'pending'"
            ).fetchall()
            if not rows:
                return 0
            seq = self._db.execute(f"SELECT {_NEXT_SEQ}").fetchone()[0]
            self._db.executemany(
                "UPDATE entries SET outcome = 'unknown', messages = ?, updated_at = ?,"
                " change_seq = ? WHERE id = ?",
                [(json.dumps([*json.loads(messages), CRASH_MESSAGE], ensure_ascii=False),
                  now, seq, entry_id) for entry_id, messages in rows],
            )
            return len(rows)

    # Reading

    def get(self, entry_id: int) -> JournalEntry:
        with self._lock:
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
              ids: Sequence[int] | None = None) -> list[JournalEntry]:
        """Entries matching every given filter, newest first.

        `since` is inclusive, `until` exclusive. `before_id` pages by key
        (entries older than that id), which stays fast at any depth where a
        large `offset` would not. `ids` narrows to given entries.
        """
        where, params = _where(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                               until=until, text=text, before_id=before_id, ids=ids)
        sql = f"SELECT {_COLUMNS} FROM entries{where} ORDER BY id DESC LIMIT ? OFFSET ?"
        with self._lock:
            rows = self._db.execute(sql, (*params, int(limit), int(offset))).fetchall()
        return [_entry(row) for row in rows]

    def count(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None) -> int:
        where, params = _where(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                               until=until, text=text)
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM entries{where}", params).fetchone()[0]

    def last_change(self) -> int:
        """A number that grows with every write; pair with changed_since()."""
        with self._lock:
            return self._db.execute("SELECT COALESCE(MAX(change_seq), 0) FROM entries").fetchone()[0]

    def changed_since(self, change: int) -> tuple[int, list[int]]:
        """Ids of entries begun or finished after `change` (from last_change()
        or a previous call), and the new value to pass next time."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, change_seq FROM entries WHERE change_seq > ?", (change,)
            ).fetchall()
        latest = max((seq for _, seq in rows), default=change)
        return latest, [entry_id for entry_id, _ in rows]

    def export_csv(self, path: Path | str, *, kind: str | None = None,
                   outcome: str | None = None, profile_id: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   text: str | None = None) -> int:
        """Write the matching entries, newest first, as CSV; returns how many.

        The stored request is left out (it is for re-sending, not reporting).
        Written to a temporary file first, so a failed export never leaves a
        half file under the chosen name.
        """
        path = Path(path)
        filters = dict(kind=kind, outcome=outcome, profile_id=profile_id, since=since,
                       until=until, text=text)
        written = 0
        # utf-8-sig: spreadsheet programs then read accents and emoji correctly.
        with atomic_write(path, "w", make_folders=False, encoding="utf-8-sig",
                          newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "time", "kind", "profile", "recipient", "content",
                             "outcome", "result id", "messages"])
            before_id = None
            while True:
                # Chunks, so a long export does not hold the lock against
                # the UI recording a new send.
                chunk = self.query(**filters, before_id=before_id, limit=_EXPORT_CHUNK)
                for entry in chunk:
                    writer.writerow([
                        entry.id,
                        entry.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                        entry.kind,
                        _cell(entry.profile_name),
                        _cell(entry.recipient),
                        _cell(entry.content),
                        entry.outcome,
                        _cell(entry.result_id or ""),
                        _cell("\n".join(entry.messages)),
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


def _cell(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs;
    # message texts and server replies must not be able to do that.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


_DIGITS_ONLY = re.compile(r"[\d\s().+\-]+")


def _where(*, kind, outcome, profile_id, since, until, text, before_id=None, ids=None):
    clauses: list[str] = []
    params: list[Any] = []
    if kind is not None:
        clauses.append("kind = ?")
        params.append(kind)
    if outcome is not None:
        clauses.append("outcome = ?")
        params.append(outcome)
    if profile_id is not None:
        clauses.append("profile_id = ?")
        params.append(profile_id)
    if since is not None:
        clauses.append("created_at >= ?")
        params.append(_timestamp(since))
    if until is not None:
        clauses.append("created_at < ?")
        params.append(_timestamp(until))
    if before_id is not None:
        clauses.append("id < ?")
        params.append(int(before_id))
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            clauses.append("0")
        else:
            clauses.append(f"id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
    text = (text or "").strip()
    if text:
        pattern = f"%{_like_escape(text)}%"
        alternatives = ["recipient LIKE ? ESCAPE '\\'", "content LIKE ? ESCAPE '\\'"]
        params.extend([pattern, pattern])
        digits = re.sub(r"\D", "", text)
        # Numbers are stored as 10 digits; "(845) 951-1000" should find them.
        if len(digits) >= 3 and digits != text and _DIGITS_ONLY.fullmatch(text):
            alternatives.append("recipient LIKE ? ESCAPE '\\'")
            params.append(f"%{digits}%")
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _entry(row: tuple) -> JournalEntry:
    (entry_id, created_at, updated_at, kind, profile_id, profile_name, recipient, content,
     request, outcome, result_id, messages, resend_of) = row
    return JournalEntry(
        id=entry_id,
        created_at=created_at,
        updated_at=updated_at,
        kind=kind,
        profile_id=profile_id,
        profile_name=profile_name,
        recipient=recipient,
        content=content,
        request=json.loads(request),
        outcome=outcome,
        result_id=result_id,
        messages=json.loads(messages),
        resend_of=resend_of,
    )
