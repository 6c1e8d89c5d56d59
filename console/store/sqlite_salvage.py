"""Saving what can still be read from a damaged SQLite file.

`set_aside` moves the damaged file (with its ``-wal``/``-shm``) out of the way;
`copy_readable_rows` copies every row that can still be read from it into a
fresh file, table by table, stepping over damaged pages. `Database`
(`console/store/database.py`) decides when: at open, when SQLite says the file
is damaged. Damaged JSON state files are `console/store/salvage.py`'s.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any


def tolerant_text(data: bytes) -> str:
    """The text factory for a file that may hold garbled text: U+FFFD for broken bytes."""
    return data.decode("utf-8", "replace")


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
        source.text_factory = tolerant_text
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
