"""The console's one SQLite file (``history.sqlite3``): opening, schema, repair.

Every durable table lives in this file: the History journal (``entries``) and
the tables of the other parts, each with a name prefix of its own (``upload_``,
``catalogue_``, ``broadcast_``), all defined once in the schema steps
(`console.store.migrations`), which every store runs at open (`migrate`).

- **Pragmas.** WAL, so the window's reads never wait for a write;
  ``synchronous=FULL``, so a committed pending entry survives a power cut
  before its request leaves; ``busy_timeout`` of 250 ms, so a file locked by
  another program costs a quarter of a second and an error, never SQLite's
  default 5 s freeze; foreign keys on.
- **Migrations.** ``PRAGMA user_version`` counts the numbered steps of
  `console.store.migrations` (shared with the PostgreSQL engine) that have
  run; each step runs once, in one transaction with the new number. A file
  from a newer console is refused rather than guessed at.
- **Repair.** A damaged file (SQLite says "malformed" or "not a database", at
  open or in ``PRAGMA quick_check``) is set aside as
  ``history.sqlite3.broken-<stamp>`` with its ``-wal``/``-shm``, a fresh file
  is created and every readable row of every table is copied into it, table
  by table, skipping over damaged pages (`console/store/sqlite_salvage.py`).
  ``Database.notice`` then says in one sentence which file, where the damaged
  copy is and how many rows were saved.
  A file that is merely locked, read-only or missing its folder is the user's
  real data: it is never set aside; ``StoreError`` says what to do.
- **Finding damage.** At open, ``PRAGMA quick_check`` for files up to
  FULL_CHECK_MAX_BYTES; a larger file gets a cheap check (schema, newest
  rows) so start-up stays fast, and a full one when ``history.sqlite3.damaged``
  exists: that marker is left by `mark_damaged()` whenever a read or write
  meets damage while the console runs, and by `verify()` (a full check meant
  for a background thread after start-up).
"""
from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from console.domain.wording import plural
from console.store import migrations
from console.store.sqlite_salvage import copy_readable_rows, set_aside, tolerant_text

BUSY_TIMEOUT_MS = 250
# Up to this size (about 10,000 entries) the whole file is checked at open
# (~30 ms); a larger file is
# checked in full only when damage was seen while it was in use (the marker
# file below), or by verify() off the start-up path.
FULL_CHECK_MAX_BYTES = 8 * 1024 * 1024
DAMAGE_MARKER_SUFFIX = ".damaged"

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14


class StoreError(Exception):
    """The store cannot be used right now; the message says why and what to do."""


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just added (sqlite3 types it as optional)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise StoreError("The history file did not say which row it added.")
    return row_id


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on `db` (a connection in autocommit mode): BEGIN
    IMMEDIATE, then COMMIT, or ROLLBACK when the block raises. The caller holds
    whatever lock guards `db`."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# -- schema steps ----------------------------------------------------------------
# The numbered steps, shared with the PostgreSQL engine, are in
# console/store/migrations/; this file's PRAGMA user_version counts them.

SCHEMA_VERSION = migrations.SCHEMA_VERSION
_statements = migrations.sqlite_statements


def migrate(db: sqlite3.Connection, path: Path | str = "the history file") -> int:
    """Bring `db` to SCHEMA_VERSION; returns the version it had."""
    version: int = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(migrations.newer_schema_text(f"The history file {path}", version))
    if version == SCHEMA_VERSION:
        return version
    with immediate(db):
        # Read again inside the lock: another console may have migrated meanwhile.
        current = db.execute("PRAGMA user_version").fetchone()[0]
        for step in migrations.STEPS[current:]:
            for statement in _statements(step.sqlite):
                db.execute(statement)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return version


# -- errors ------------------------------------------------------------------------

def _code(err: sqlite3.Error) -> int | None:
    code = getattr(err, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_damaged(err: BaseException) -> bool:
    """True for errors that mean the file's content is broken (not locked, not full)."""
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    if _code(err) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(err).lower()
    return any(sign in text for sign in (
        "not a database", "malformed", "corrupt", "vtable constructor failed"))


def is_busy(err: BaseException) -> bool:
    if getattr(err, "busy", False) is True:  # another engine's "held by someone else, retry"
        return True
    if not isinstance(err, sqlite3.Error):
        return False
    return _code(err) in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in str(err).lower()


def explain(err: BaseException, path: Path | str, *, doing: str = "used") -> str:
    """One sentence for an office worker: what happened to the file and what to do."""
    code = _code(err) if isinstance(err, sqlite3.Error) else None
    if is_busy(err):
        return (f"The history file {path} is locked by another program, so it could not be "
                f"{doing}. Close any other Voitex Console or program that has the file open, "
                "then try again.")
    read_only = code == _SQLITE_READONLY or "readonly" in str(err).lower()
    if read_only or isinstance(err, PermissionError):
        return (f"The history file {path} could not be {doing} because it is read-only. "
                "Check that you may write to that folder, then try again.")
    if code == _SQLITE_FULL or "disk is full" in str(err).lower():
        return (f"The history file {path} could not be {doing} because the disk is full. "
                "Free some space, then try again.")
    if code == _SQLITE_CANTOPEN:
        return (f"The history file {path} could not be opened. Check that its folder exists "
                "and that you may write to it, then try again.")
    if is_damaged(err):
        return (f"The history file {path} is damaged. Restart Voitex Console: it sets the "
                "damaged file aside and keeps every readable entry.")
    return (f"The history file {path} could not be {doing} ({err}). Check the disk, "
            "then try again.")


# -- connections -------------------------------------------------------------------

def connect(path: Path | str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """A connection with the pragmas every user of the file needs."""
    # isolation_level=None: statements commit on their own unless a
    # transaction is opened explicitly.
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                         timeout=busy_timeout_ms / 1000)
    # Damage inside a text (which no integrity check sees) must not make a
    # whole page of History unreadable: show U+FFFD for the broken bytes.
    db.text_factory = tolerant_text
    try:
        db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        db.close()
        raise
    return db


class Database:
    """One open handle on the store file, repaired and migrated.

    `check=True` (the first handle at start-up) runs ``PRAGMA quick_check`` so
    damage anywhere is found and repaired now rather than mid-send; later
    handles on the same file (`check=False`, `repair=False`) skip that.
    The connection may be used from several threads under `lock`.
    """

    def __init__(self, path: Path | str, *, check: bool = True, repair: bool = True,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.notice: str | None = None
        self.damaged_copy: Path | None = None
        self.rows_saved: int | None = None
        self._busy_timeout_ms = busy_timeout_ms
        try:
            self.connection = self._open(check=check)
        except UnicodeDecodeError:
            # SQLite's own error text held garbled schema bytes: damage.
            if not repair:
                raise StoreError(explain(sqlite3.DatabaseError("malformed"), self.path,
                                         doing="opened")) from None
            self.connection = self._salvage()
        except sqlite3.DatabaseError as err:
            if not (repair and is_damaged(err)):
                raise StoreError(explain(err, self.path, doing="opened")) from err
            self.connection = self._salvage()
        except OSError as err:
            raise StoreError(explain(err, self.path, doing="opened")) from err
        if check:
            self.marker.unlink(missing_ok=True)

    @property
    def marker(self) -> Path:
        return damage_marker(self.path)

    def mark_damaged(self) -> None:
        """Remember that damage was seen, so the next start checks and repairs the file."""
        with contextlib.suppress(OSError):
            self.marker.touch()

    def verify(self) -> bool:
        """Check the whole file on a connection of its own (seconds for a huge
        file: call it off the UI thread). False, and the marker set, if damaged."""
        try:
            db = connect(self.path, busy_timeout_ms=self._busy_timeout_ms)
        except sqlite3.Error:
            return True  # not openable now is not damage
        try:
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as err:
            verdict = "ok" if not is_damaged(err) else str(err)
        finally:
            db.close()
        if verdict != "ok":
            self.mark_damaged()
            return False
        return True

    def _open(self, *, check: bool) -> sqlite3.Connection:
        db = connect(self.path, busy_timeout_ms=self._busy_timeout_ms)
        try:
            if check:
                self._check(db)
            migrate(db, self.path)
            if check:
                _probe_writes(db)
        except BaseException:
            db.close()
            raise
        return db

    def _check(self, db: sqlite3.Connection) -> None:
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        if size <= FULL_CHECK_MAX_BYTES or self.marker.exists():
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")
            return
        # Cheap: the schema, and the rows History shows first.
        db.execute("SELECT name, sql FROM sqlite_master").fetchall()
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'entries'").fetchone():
            db.execute("SELECT * FROM entries ORDER BY id DESC LIMIT 200").fetchall()

    def close(self) -> None:
        with self.lock:
            with contextlib.suppress(sqlite3.Error):
                # SQLite's advice for long-lived connections: refresh the
                # planner's statistics on close.
                self.connection.execute("PRAGMA optimize")
            self.connection.close()

    def ensure_tables(self, script: str) -> None:
        """Create another part's tables (``CREATE TABLE IF NOT EXISTS upload_...``,
        indexes likewise) in this file, in one transaction."""
        with self.transaction() as db:
            for statement in _statements(script):
                db.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock, immediate(self.connection) as db:
            yield db

    # -- repair ------------------------------------------------------------------

    def _salvage(self) -> sqlite3.Connection:
        backup = set_aside(self.path)
        db = self._open(check=False)
        try:
            saved = copy_readable_rows(backup, db)
        except sqlite3.Error:
            saved = 0
        self.damaged_copy = backup
        self.rows_saved = saved
        self.notice = (
            f"The history file {self.path} was damaged: it was kept as {backup}, and "
            f"{plural(saved, 'readable row')} from it went into a new history file.")
        return db


@functools.cache
def _entry_columns() -> tuple[str, ...]:
    """The columns of ``entries`` as the schema steps make them (read from a
    database in memory that ran every step)."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for step in migrations.STEPS:
            for statement in _statements(step.sqlite):
                db.execute(statement)
        return tuple(str(row[1]) for row in db.execute("PRAGMA table_info(entries)"))
    finally:
        db.close()


def _probe_writes(db: sqlite3.Connection) -> None:
    """Write an entry, read it back by every column and search for it, then roll
    back: damage that only a write or a read meets (a garbled trigger, a broken
    search index, a column name garbled in the schema) is found at open, not in
    the middle of a send. A file locked by another program is skipped."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as err:
        if is_busy(err):
            return
        raise
    try:
        db.execute(
            "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
            " recipient, content, request, outcome, messages, change_seq)"
            " VALUES ('', '', 'sms', '', '', 'probe', 'probe', '{}', 'pending', '[]', 0)")
        db.execute(f"SELECT {', '.join(_entry_columns())} FROM entries"
                   " WHERE id = last_insert_rowid()").fetchall()
        db.execute("SELECT rowid FROM entries_fts WHERE entries_fts MATCH '\"probe\"'").fetchall()
    except sqlite3.OperationalError as err:
        if is_busy(err):
            return
        raise sqlite3.DatabaseError(f"database disk image is malformed: {err}") from err
    except UnicodeDecodeError as err:
        raise sqlite3.DatabaseError("database disk image is malformed") from err
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def damage_marker(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.name + DAMAGE_MARKER_SUFFIX)
