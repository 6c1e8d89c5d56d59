"""The one-time import of a desk's own SQLite History and Library into the office database.

Every imported row carries where it came from (``source_key``: the SQLite
file's identity and the row's id there), and a unique index on it, so running
the import again, or after it was interrupted, adds nothing twice. The file's
identity is a random id kept in its ``store_meta`` table (made on the first
import), so it survives renaming the desk or moving the file.

- History entries keep their times, texts, outcomes and links ("sent again
  from" points to the imported entry). An entry without a desk (written before
  desks were recorded) gets this desk's name.
- Library rows keep their state where nothing newer from another desk is at
  the same place; the History entry they came from is the imported one.

Runs for a while (1,000 rows per transaction): call it off the UI thread;
`progress(done, total)` is called after each chunk.
"""
from __future__ import annotations

import functools
import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.store.catalogue import CURRENT, NewRecording
from console.store.database import Database, StoreError
from console.store.journal import ENTRY_SELECT as ENTRY_COLUMNS
from console.store.pg.catalogue import insert_recording, lock_catalogue
from console.store.pg.engine import Conn, PgEngine

CHUNK = 1000
FILE_ID_KEY = "file_id"

_CATALOGUE_COLUMNS = ("id, profile_id, album, sort, display_name, recording_id, kind, file_name,"
                      " file_path, file_size, sha256, tts_text, duration_s, format, created_at,"
                      " entry_id, state")


class OfficeImportError(StoreError):
    """The import could not run; the message says why (what was imported so far stays)."""


@dataclass(frozen=True)
class ImportResult:
    entries_added: int
    entries_known: int  # imported before
    recordings_added: int
    recordings_known: int

    def text(self) -> str:
        from console.domain.wording import plural

        parts = [f"{plural(self.entries_added, 'History entry', 'History entries')} and "
                 f"{plural(self.recordings_added, 'Library recording')} imported"]
        known = self.entries_known + self.recordings_known
        if known:
            parts.append(f"{plural(known, 'row')} were imported before and left alone")
        return "; ".join(parts) + "."


def file_identity(database: Database) -> str:
    """The file's own id (store_meta.file_id), made on first use."""
    with database.transaction() as db:
        row = db.execute("SELECT value FROM store_meta WHERE key = ?", (FILE_ID_KEY,)).fetchone()
        if row:
            return str(row[0])
        made = uuid.uuid4().hex
        db.execute("INSERT INTO store_meta (key, value) VALUES (?, ?)", (FILE_ID_KEY, made))
        return made


def import_desk(sqlite_path: Path, engine: PgEngine, *, desk: str,
                progress: Callable[[int, int], None] = lambda done, total: None) -> ImportResult:
    """Copy History and the Library from `sqlite_path` into the office database."""
    try:
        database = Database(sqlite_path, check=False, repair=False)
    except StoreError as err:
        raise OfficeImportError(f"This desk's history could not be read for the import: {err}") from err
    try:
        return _import(database, engine, desk=desk, progress=progress)
    except sqlite3.Error as err:
        raise OfficeImportError(f"This desk's history could not be read for the import ({err}). "
                           "Nothing was imported twice; run the import again later.") from err
    finally:
        database.close()


def _import(database: Database, engine: PgEngine, *, desk: str,
            progress: Callable[[int, int], None]) -> ImportResult:
    file_id = file_identity(database)
    db = database.connection
    with database.lock:
        has_catalogue = db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'catalogue_entries'").fetchone() is not None
        entries_total = int(db.execute("SELECT count(*) FROM entries").fetchone()[0])
        recordings_total = int(db.execute("SELECT count(*) FROM catalogue_entries").fetchone()[0]
                               ) if has_catalogue else 0
    total = entries_total + recordings_total
    done = 0
    progress(0, total)
    def copy(select: str, job: Callable[..., int]) -> tuple[int, int]:
        """Every row `select` reads (by id, a chunk at a time) through `job`:
        (added, known before)."""
        nonlocal done
        added = known = last = 0
        while True:
            with database.lock:
                rows = db.execute(select, (last, CHUNK)).fetchall()
            if not rows:
                return added, known
            last = int(rows[-1][0])
            count = engine.call(functools.partial(job, rows=rows))
            added += count
            known += len(rows) - count
            done += len(rows)
            progress(done, total)

    added, known = copy(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id > ? ORDER BY id LIMIT ?",
                        functools.partial(_entries, file_id=file_id, desk=desk))
    rec_added, rec_known = copy(
        f"SELECT {_CATALOGUE_COLUMNS} FROM catalogue_entries WHERE id > ? ORDER BY id LIMIT ?",
        functools.partial(_recordings, file_id=file_id)) if has_catalogue else (0, 0)
    return ImportResult(added, known, rec_added, rec_known)


def _entries(conn: Conn, rows: list[tuple[Any, ...]], file_id: str, desk: str) -> int:
    added = 0
    for row in rows:
        (entry_id, created_at, updated_at, kind, profile_id, profile_name, recipient, content,
         request, outcome, result_id, messages, resend_of, group_id, row_desk, operator) = row
        found = conn.execute(
            "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
            " recipient, content, request, outcome, result_id, messages, resend_of, group_id,"
            " desk, operator, source_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " (SELECT id FROM entries WHERE source_key = %s), %s, %s, %s, %s)"
            " ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO NOTHING RETURNING id",
            (_text(created_at), _text(updated_at), kind, _text(profile_id), _text(profile_name),
             _text(recipient), _text(content), _text(request) or "{}", outcome, result_id,
             _text(messages) or json.dumps([]),
             f"{file_id}:{resend_of}" if resend_of is not None else None,
             f"{file_id}:{group_id}" if group_id else group_id,
             _text(row_desk) or desk, _text(operator), f"{file_id}:{entry_id}")).fetchone()
        added += found is not None
    return added


def _recordings(conn: Conn, rows: list[tuple[Any, ...]], file_id: str) -> int:
    lock_catalogue(conn)
    added = 0
    for row in rows:
        (rec_id, profile_id, album, sort, display_name, recording_id, kind, file_name, file_path,
         file_size, sha256, tts_text, duration_s, form, created_at, entry_id, state) = row
        mapped = None
        if entry_id is not None:
            found = conn.execute("SELECT id FROM entries WHERE source_key = %s",
                                 (f"{file_id}:{entry_id}",)).fetchone()
            mapped = int(found[0]) if found else None
        recording = NewRecording(
            profile_id=profile_id, album=album, sort=sort, display_name=display_name,
            recording_id=recording_id, kind=kind, created_at=created_at, entry_id=mapped,
            file_name=file_name, file_path=file_path, file_size=file_size, sha256=sha256,
            tts_text=tts_text, duration_s=duration_s, format=form)
        # A current one goes through the usual rule (the newest at a place is
        # current, whichever desk put it there); a replaced one stays replaced.
        entry = insert_recording(conn, recording, state=None if state == CURRENT else state,
                                 source_key=f"{file_id}:catalogue:{rec_id}")
        added += entry is not None
    return added


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
