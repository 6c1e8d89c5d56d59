"""The Library catalogue: every recording this console put in each account's library.

The Voitex API cannot list a library, so the console keeps its own list: one
row per recording it uploaded or created by text to speech, per profile, with
its album, sort number, display name, recording id, where it came from (file
name, size and SHA-256, or the spoken text), duration and format when known,
when, and the History entry it came from. A later recording at the same album
and sort number of the same profile becomes the "current" one; the earlier row
stays, marked "replaced".

The rows live in tables prefixed ``catalogue_`` inside the History database
(``history.sqlite3``), so they share its open, salvage and backup rules: a
damaged file is set aside and its readable rows, these included, are saved by
whoever opens the database first at start-up (the journal). Its tables, indexes
and search index are defined once, in the schema steps
(console/store/migrations/m003_uploads_catalogue.py), which every open of the
file runs where they are missing.

How it is filled: from History's finished entries. Every ``done`` upload or
TTS entry carries the request fields (album, sort, display name, file path,
size, text) and the recording id; `Catalogue.sync_from_history` records each
one once (keyed by the entry id), in the order they finished. The console
calls it after every History change (immediate) and once at start (the first
start fills the catalogue from existing History; later starts catch up on
anything a crash left unrecorded). The file's SHA-256, duration and format are
read from the file when it is still there and the same size.

Writes run on one worker thread of the catalogue's own; reads use a second
connection (WAL: they never wait for a write), so the window never blocks.

The module holds the SQLite catalogue; what it holds is catalogue_entry.py, how
History fills it catalogue_filling.py, the SQL both engines share (reads,
where a new recording goes)
catalogue_sql.py, the writing thread catalogue_worker.py, the comparison with a server's listing catalogue_compare.py
(all importable from here, as before).
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from console.store.catalogue_compare import Comparison, compare_with_listing
from console.store.catalogue_entry import (
    CURRENT,
    KINDS,
    REPLACED,
    CatalogueEntry,
    CatalogueError,
    CatalogueStore,
    NewRecording,
    RecordingState,
    day_text,
    entry_of,
    place_text,
    replace_warning,
    shorten,
    tts_display_name,
    utc_text,
)
from console.store.catalogue_filling import (
    HISTORY_CHUNK,
    SYNC_KEY,
    file_sha256,
    log_failure,
    recording_from_history,
    recordings_since,
    with_file_facts,
)
from console.store.catalogue_sql import (
    COLUMNS,
    NEW_COLUMNS,
    CatalogueDialect,
    CatalogueReads,
    like_escape,
    new_row,
    take_place,
)
from console.store.catalogue_worker import CatalogueWorker
from console.store.database import Database, StoreError, explain, immediate
from console.store.interface import HistoryStore

__all__ = ["CURRENT", "KINDS", "REPLACED", "ORDERS", "SQLITE", "Catalogue", "CatalogueEntry",
           "CatalogueError", "CatalogueStore", "Comparison", "NewRecording", "RecordingState",
           "compare_with_listing", "day_text", "entry_of", "file_sha256", "place_text",
           "recording_from_history", "replace_warning", "shorten", "tts_display_name",
           "utc_text", "with_file_facts"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# Columns a list may be ordered by (the view's columns), mapped to SQL.
ORDERS: Mapping[str, str] = {
    "album": "album {d}, sort IS NULL, sort {d}, id {d}",
    "sort": "sort IS NULL, sort {d}, album {d}, id {d}",
    "name": "display_name COLLATE NOCASE {d}, id {d}",
    "recording_id": "CAST(recording_id AS INTEGER) {d}, recording_id {d}",
    "source": "COALESCE(file_name, tts_text) COLLATE NOCASE {d}, id {d}",
    "duration": "duration_s IS NULL, duration_s {d}, id {d}",
    "format": "format IS NULL, format {d}, id {d}",
    "when": "created_at {d}, id {d}",
    "state": "state {d}, id {d}",
}

_FTS_MIN_CHARS = 3


def _search(text: str) -> tuple[str, list[Any]]:
    if len(text) >= _FTS_MIN_CHARS:
        # Substrings, any case, as the LIKE below finds them, from the index.
        return ("id IN (SELECT rowid FROM catalogue_fts WHERE catalogue_fts MATCH ?)",
                ['"' + text.replace('"', '""') + '"'])
    # The trigram index needs three characters.
    pattern = f"%{like_escape(text)}%"
    return ("(display_name LIKE ? ESCAPE '\\' OR recording_id LIKE ? ESCAPE '\\'"
            " OR file_name LIKE ? ESCAPE '\\' OR tts_text LIKE ? ESCAPE '\\')", [pattern] * 4)


SQLITE = CatalogueDialect(mark="?", search=_search, orders=ORDERS,
                          by_place="catalogue_entries INDEXED BY catalogue_place")


# -- the SQLite catalogue --------------------------------------------------------------

class Catalogue(CatalogueReads):
    """The catalogue in the History database file at `path`.

    `on_changed` is called (from the catalogue's worker thread) after every
    write that changed something; the UI turns it into a Qt signal.
    """

    def __init__(self, path: Path | str, *,
                 on_changed: Callable[[], None] | None = None) -> None:
        self.path = Path(path)
        # Two handles from the database layer (its pragmas, locks and errors):
        # the worker thread writes through one, readers use the other, so a
        # read never queues behind a write. Whoever opened the file first at
        # start-up (History) has already checked and repaired it.
        opened: list[Database] = []
        try:
            # Each open runs the schema steps still missing (its tables among them).
            for _ in range(2):
                opened.append(Database(self.path, check=False, repair=False))
        except (StoreError, sqlite3.Error) as err:
            for database in opened:
                database.close()
            reason = str(err) if isinstance(err, StoreError) else explain(err, self.path,
                                                                            doing="opened")
            raise CatalogueError(f"The Library could not be opened: {reason}") from err
        self._writer, self._reader = opened
        self._writer_db, self._write_lock = self._writer.connection, self._writer.lock
        self._reader_db, self._read_lock = self._reader.connection, self._reader.lock
        super().__init__(self._read, SQLITE)
        self._worker = CatalogueWorker(record_now=self._record_now, sync_now=self._sync_now,
                                       on_changed=on_changed, on_failure=log_failure)
        # Writes: on the worker's thread (`CatalogueWorker`).
        self.record, self.sync_from_history = self._worker.record, self._worker.sync_from_history
        self.wait_idle, self.set_on_changed = self._worker.wait_idle, self._worker.set_on_changed

    def _record_now(self, recording: NewRecording) -> CatalogueEntry | None:
        with self._write_lock:
            recording = with_file_facts(recording)
            entry = self._insert([recording])
        if entry:
            self._worker.notify()
        return entry[0] if entry else None

    def _sync_now(self, journal: HistoryStore, from_start: bool = False) -> int:
        with self._write_lock:
            since = 0 if from_start else int(self._meta(SYNC_KEY) or 0)
            latest, new = recordings_since(journal, since, self._known_entry_ids)
            added = self._insert(new, meta={SYNC_KEY: str(latest)})
        if added:
            self._worker.notify()
        return len(added)

    def _insert(self, recordings: Iterable[NewRecording], *,
                meta: Mapping[str, str] | None = None) -> list[CatalogueEntry]:
        db = self._writer_db
        added: list[CatalogueEntry] = []
        with immediate(db):
            for r in recordings:
                if r.entry_id is not None and db.execute(
                        "SELECT 1 FROM catalogue_entries WHERE entry_id = ?",
                        (r.entry_id,)).fetchone():
                    continue
                # INDEXED BY (SQLITE.by_place): with no statistics yet, the planner may
                # walk the time index instead (40 s to fill 10,000 rows instead of 0.5 s).
                state = take_place(db.execute, SQLITE, r)
                cursor = db.execute(
                    f"INSERT INTO catalogue_entries ({NEW_COLUMNS})"
                    f" VALUES ({', '.join('?' * 17)})", new_row(r, state))
                added.append(entry_of(db.execute(
                    f"SELECT {COLUMNS} FROM catalogue_entries WHERE id = ?",
                    (cursor.lastrowid,)).fetchone()))
            for key, value in (meta or {}).items():
                db.execute("INSERT INTO catalogue_meta (key, value) VALUES (?, ?)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           (key, value))
        return added

    def _known_entry_ids(self, entry_ids: Iterable[int | None]) -> set[int]:
        wanted = [i for i in entry_ids if i is not None]
        known: set[int] = set()
        for start in range(0, len(wanted), HISTORY_CHUNK):
            chunk = wanted[start:start + HISTORY_CHUNK]
            rows = self._writer_db.execute(
                "SELECT entry_id FROM catalogue_entries WHERE entry_id IN"
                f" ({', '.join('?' * len(chunk))})", chunk).fetchall()
            known.update(row[0] for row in rows)
        return known

    def _meta(self, key: str) -> str | None:
        row = self._writer_db.execute("SELECT value FROM catalogue_meta WHERE key = ?",
                                      (key,)).fetchone()
        return row[0] if row else None

    # -- reading (any thread; never waits for a write) ----------------------------
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._read_lock:
            try:
                return self._reader_db.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise CatalogueError(
                    f"The Library catalogue could not be read ({err}). "
                    "Restart Voitex Console; if it happens again, check the disk.") from err

    # -- closing -----------------------------------------------------------------------
    def close(self) -> None:
        if not self._worker.close():
            return
        self._writer.close()
        self._reader.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
