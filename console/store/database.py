"""The console's one SQLite file (``history.sqlite3``): opening, schema, repair.

Every durable table lives in this file: the History journal (``entries``) and
the tables other parts add with ``CREATE TABLE IF NOT EXISTS`` and a name
prefix of their own (``upload_``, ``catalogue_``, ``broadcast_``).

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
  by table, skipping over damaged pages. ``Database.notice`` then says in one
  sentence which file, where the damaged copy is and how many rows were saved.
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
import itertools
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain.wording import plural
from console.store import migrations

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
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read again inside the lock: another console may have migrated meanwhile.
        current = db.execute("PRAGMA user_version").fetchone()[0]
        for step in migrations.STEPS[current:]:
            for statement in _statements(step.sqlite):
                db.execute(statement)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
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
    db.text_factory = _tolerant_text
    try:
        db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        db.close()
        raise
    return db


def _tolerant_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


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
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

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


def _probe_writes(db: sqlite3.Connection) -> None:
    """Write an entry and search for it, then roll back: damage that only a
    write meets (a garbled trigger, a broken search index) is found at open,
    not in the middle of a send. A file locked by another program is skipped."""
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


def set_aside(path: Path) -> Path:
    """Move a damaged file and its -wal/-shm companions to `<name>.broken-<stamp>`."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    os.replace(path, backup)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, backup.with_name(backup.name + suffix))
    return backup


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_readable_rows(damaged: Path, target: sqlite3.Connection,
                       *, on_table: Callable[[str, int], None] | None = None) -> int:
    """Copy every row that can still be read from `damaged` into `target`; returns how many.

    Generic over tables: a table `target` lacks is created from the damaged
    file's own definition; columns are matched by name (so an older file's
    rows fit a newer schema). Full-text indexes are not copied: `target`'s
    triggers rebuild them from the rows. The damaged file is read from a
    temporary copy and never changed.
    """
    with tempfile.TemporaryDirectory(prefix="voitex-salvage-") as folder:
        copy = Path(folder) / "damaged.sqlite3"
        shutil.copyfile(damaged, copy)
        wal = damaged.with_name(damaged.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        source = sqlite3.connect(copy, isolation_level=None)
        source.text_factory = _tolerant_text
        try:
            return _copy_tables(source, target, on_table)
        finally:
            source.close()


def _copy_tables(source: sqlite3.Connection, target: sqlite3.Connection,
                 on_table: Callable[[str, int], None] | None) -> int:
    with contextlib.suppress(sqlite3.DatabaseError):
        # Tolerate a schema SQLite would refuse as a whole (an index or trigger
        # whose pages were lost): the tables' own rows may still be readable.
        source.execute("PRAGMA writable_schema=ON")
    schema = [(name, sql) for kind, name, sql
              in _readable_rows(source, "sqlite_master", "type, name, sql")
              if kind == "table" and isinstance(name, str)]
    virtual = [name for name, sql in schema if (sql or "").upper().startswith("CREATE VIRTUAL")]

    def skipped(name: str) -> bool:
        return (name.startswith("sqlite_") or name in virtual
                or any(name.startswith(v + "_") for v in virtual))

    saved = 0
    target.execute("PRAGMA foreign_keys=OFF")  # a row may point at one that was lost
    try:
        target.execute("BEGIN IMMEDIATE")
        try:
            for name, sql in schema:
                if skipped(name) or not sql:
                    continue
                count = _copy_table(source, target, name, sql)
                saved += count
                if on_table:
                    on_table(name, count)
            _carry_sequences(source, target)
        except BaseException:
            target.execute("ROLLBACK")
            raise
        target.execute("COMMIT")
    finally:
        target.execute("PRAGMA foreign_keys=ON")
    return saved


# When the damaged file's counters cannot be read, new ids start this far past
# the highest id saved: the newest rows are the likeliest to be lost, and their
# ids may still be known elsewhere (the upload queue, the pending-updates file).
_ID_MARGIN = 10_000


def _carry_sequences(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Never hand out again an id the damaged file had used (AUTOINCREMENT tables)."""
    try:
        tables = [name for (name,) in target.execute("SELECT name FROM sqlite_sequence")]
    except sqlite3.Error:
        return
    known: dict[str, int] = {}
    for name, seq in _readable_rows(source, "sqlite_sequence", "name, seq"):
        if isinstance(name, str) and isinstance(seq, int):
            known[name] = max(seq, known.get(name, 0))
    for name in sorted(set(tables) | set(known)):
        if not _columns(target, name):
            continue
        highest = target.execute(
            f"SELECT COALESCE(MAX(rowid), 0) FROM {_quote(name)}").fetchone()[0]
        floor = known.get(name, highest + _ID_MARGIN)
        if name in tables:
            target.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?",
                           (floor, name))
        else:
            target.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, floor))


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({_quote(table)})")]


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str,
                sql: str) -> int:
    try:
        source_columns = _columns(source, table)
    except sqlite3.DatabaseError:
        return 0
    target_columns = _columns(target, table)
    if not target_columns:
        try:
            target.execute(sql)
        except sqlite3.Error:
            return 0
        target_columns = _columns(target, table)
    columns = [c for c in source_columns if c in target_columns]
    if not columns:
        return 0
    listed = ", ".join(_quote(c) for c in columns)
    insert = (f"INSERT OR IGNORE INTO {_quote(table)} ({listed}) "
              f"VALUES ({', '.join('?' * len(columns))})")
    saved = 0
    for row in _readable_rows(source, table, listed):
        try:
            saved += target.execute(insert, row).rowcount
        except sqlite3.Error:
            continue  # a garbled value that breaks a constraint: that row is lost
    return saved


def _readable_rows(source: sqlite3.Connection, table: str, listed: str) -> Iterator[tuple[Any, ...]]:
    """Rows in rowid order, stepping over damaged pages.

    A scan stops at the first damaged page; it is resumed just past the last
    good rowid, one rowid further each time it fails (then in doubling steps,
    so a damaged interior page costs a bounded number of probes).
    """
    quoted = _quote(table)
    if not _has_rowid(source, quoted):
        with contextlib.suppress(sqlite3.DatabaseError):
            yield from itertools.islice(source.execute(f"SELECT {listed} FROM {quoted}"),
                                        _row_budget(source))
        return
    last: int | None = None
    failures = 0
    step = 1
    start: int | None = None
    # A damaged tree can loop (a page pointing back at an earlier one): rowids
    # must keep growing, and no table holds more rows than the file has bytes.
    budget = _row_budget(source)
    while True:
        try:
            if start is None:
                rows = source.execute(f"SELECT rowid, {listed} FROM {quoted} ORDER BY rowid")
            else:
                rows = source.execute(f"SELECT rowid, {listed} FROM {quoted} WHERE rowid >= ?"
                                      " ORDER BY rowid", (start,))
            for row in rows:
                rowid = row[0]
                if not isinstance(rowid, int) or (last is not None and rowid <= last):
                    raise sqlite3.DatabaseError("rowids out of order: the tree loops")
                budget -= 1
                if budget < 0:
                    return
                last = rowid
                failures, step = 0, 1
                yield row[1:]
            return
        except sqlite3.DatabaseError:
            failures += 1
            start = (last if last is not None else 0) + step
            if failures > 400 or start > 2**63 - 1:
                return
            step = step * 2 if failures > 64 else step + 1


def _row_budget(source: sqlite3.Connection) -> int:
    """More rows than a file of this size can hold (a row takes several bytes)."""
    try:
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        size = source.execute("PRAGMA page_size").fetchone()[0]
        return max(1_000, int(pages) * int(size) // 2)
    except (sqlite3.Error, TypeError, ValueError):
        return 10_000_000


def _has_rowid(source: sqlite3.Connection, quoted: str) -> bool:
    try:
        source.execute(f"SELECT rowid FROM {quoted} LIMIT 0")
    except sqlite3.OperationalError as err:
        return "no such column" not in str(err)
    except sqlite3.DatabaseError:
        return True
    return True
