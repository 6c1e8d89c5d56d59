"""The Library catalogue in the office's PostgreSQL database (`CatalogueStore`).

The same rules as the SQLite `Catalogue` (console/store/catalogue.py): filled
from History's finished uploads and TTS, one row per History entry, a later
recording at the same place making the earlier one "replaced". Shared by the
desks of an office: every desk fills it from the one shared journal, so a
History entry is still recorded once (a unique index on ``entry_id``), and the
writes of all desks take one advisory lock in turn, so two desks never both
think their recording is the current one at a place.

Writes run on a worker thread of the catalogue's own (it reads the file's
SHA-256 and duration first), and their statements on the engine's threads;
reads wait for the engine, never for a write.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from console.store.catalogue_entry import (
    CatalogueEntry,
    CatalogueError,
    NewRecording,
    entry_of,
)
from console.store.catalogue_filling import SYNC_KEY, log_failure, recordings_since, with_file_facts
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
from console.store.database import StoreError
from console.store.interface import HistoryStore
from console.store.pg.engine import Conn, DatabaseUnreachable, Job, PgEngine

log = logging.getLogger(__name__)

T = TypeVar("T")

# pg_advisory_xact_lock key for catalogue writes ("vxcat" in ASCII, as a number).
CATALOGUE_LOCK = 0x7678636174

# The SQLite catalogue's orders (console/store/catalogue.py: ORDERS) in PostgreSQL:
# NOCASE becomes lower(), a number read from the start of a recording id (SQLite's
# CAST), and NULLs first when ascending as SQLite puts them.
ORDERS: Mapping[str, str] = {
    "album": "album {d}, sort IS NULL, sort {d}, id {d}",
    "sort": "sort IS NULL, sort {d}, album {d}, id {d}",
    "name": "lower(display_name) {d}, id {d}",
    "recording_id": ("COALESCE(substring(recording_id from '^[0-9]{{1,18}}')::bigint, 0) {d},"
                     " recording_id {d}"),
    "source": "lower(COALESCE(file_name, tts_text)) {d} {n}, id {d}",
    "duration": "duration_s IS NULL, duration_s {d}, id {d}",
    "format": "format IS NULL, format {d}, id {d}",
    "when": "created_at {d}, id {d}",
    "state": "state {d}, id {d}",
}


class PgCatalogue(CatalogueReads):
    """The catalogue over `engine`; `on_changed` is called (from the catalogue's
    worker thread) after every write that changed something."""

    def __init__(self, engine: PgEngine, *, on_changed: Callable[[], None] | None = None,
                 owns_engine: bool = True) -> None:
        self.engine = engine
        self._owns_engine = owns_engine
        super().__init__(self._read, POSTGRES)
        self._worker = CatalogueWorker(record_now=self._record_now, sync_now=self._sync_now,
                                       on_changed=on_changed, on_failure=_log_unless_away)
        # Writes: on the worker's thread (`CatalogueWorker`); their statements on the engine's.
        self.record, self.sync_from_history = self._worker.record, self._worker.sync_from_history
        self.wait_idle, self.set_on_changed = self._worker.wait_idle, self._worker.set_on_changed

    def _call(self, job: Job[T]) -> T:
        try:
            return self.engine.call(job)
        except StoreError as err:
            raise CatalogueError(f"The Library could not be used: {err}") from err

    # -- writing (on the worker thread) ------------------------------------------------
    def _record_now(self, recording: NewRecording) -> CatalogueEntry | None:
        recording = with_file_facts(recording)
        added = self._call(lambda conn: _insert(conn, [recording]))
        if added:
            self._worker.notify()
        return added[0] if added else None

    def _sync_now(self, journal: HistoryStore, from_start: bool = False) -> int:
        since = 0 if from_start else int(self._call(lambda conn: _meta(conn, SYNC_KEY)) or 0)
        latest, new = recordings_since(
            journal, since, lambda ids: self._call(lambda conn: _known_entry_ids(conn, ids)))
        added = self._call(lambda conn: _insert(conn, new, meta={SYNC_KEY: str(latest)}))
        if added:
            self._worker.notify()
        return len(added)

    # -- reading ---------------------------------------------------------------------
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._call(lambda conn: conn.execute(sql, params).fetchall())

    def close(self) -> None:
        if not self._worker.close():
            return
        if self._owns_engine:
            self.engine.close()

    def __enter__(self) -> PgCatalogue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _log_unless_away(future: Future[Any]) -> None:
    # The database being away is said once, by the engine's listeners; the next
    # sync from History (when it is back) records what this one could not.
    err = None if future.cancelled() else future.exception()
    cause: BaseException | None = err
    while cause is not None:  # History's error or the catalogue's, from the engine's
        if isinstance(cause, DatabaseUnreachable):
            log.info("a Library catalogue write waits for the office database: %s", err)
            return
        cause = cause.__cause__
    log_failure(future)


# -- statements (run on an engine thread, in the job's transaction) ----------------------

def insert_recording(conn: Conn, r: NewRecording, *, state: str | None = None,
                     source_key: str | None = None) -> CatalogueEntry | None:
    """One row; `state` None works out current/replaced from what is at its place.
    None when its History entry (or `source_key`) is recorded already."""
    if r.entry_id is not None and conn.execute(
            "SELECT 1 FROM catalogue_entries WHERE entry_id = %s", (r.entry_id,)).fetchone():
        return None
    if source_key is not None and conn.execute(
            "SELECT 1 FROM catalogue_entries WHERE source_key = %s", (source_key,)).fetchone():
        return None  # imported before: its place's state must not change again
    if state is None:
        state = take_place(conn.execute, POSTGRES, r)
    row = conn.execute(
        f"INSERT INTO catalogue_entries ({NEW_COLUMNS}, source_key)"
        f" VALUES ({', '.join(['%s'] * 18)}) ON CONFLICT DO NOTHING RETURNING {COLUMNS}",
        (*new_row(r, state), source_key)).fetchone()
    return entry_of(row) if row else None


def lock_catalogue(conn: Conn) -> None:
    """Catalogue writes of all desks, one at a time (until the transaction ends)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CATALOGUE_LOCK,))


def _insert(conn: Conn, recordings: Iterable[NewRecording], *,
            meta: Mapping[str, str] | None = None) -> list[CatalogueEntry]:
    lock_catalogue(conn)
    added = [entry for r in recordings if (entry := insert_recording(conn, r)) is not None]
    for key, value in (meta or {}).items():
        conn.execute("INSERT INTO catalogue_meta (key, value) VALUES (%s, %s)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
    return added


def _known_entry_ids(conn: Conn, entry_ids: Iterable[int | None]) -> set[int]:
    wanted = [i for i in entry_ids if i is not None]
    if not wanted:
        return set()
    rows = conn.execute("SELECT entry_id FROM catalogue_entries WHERE entry_id = ANY(%s)",
                        (wanted,)).fetchall()
    return {int(row[0]) for row in rows}


def _meta(conn: Conn, key: str) -> str | None:
    row = conn.execute("SELECT value FROM catalogue_meta WHERE key = %s", (key,)).fetchone()
    return str(row[0]) if row else None


def _search(text: str) -> tuple[str, list[Any]]:
    # From three characters on, the trigram index answers (m003); shorter
    # texts read every row of the profile, as in SQLite.
    pattern = f"%{like_escape(text)}%"
    return ("(display_name ILIKE %s OR recording_id ILIKE %s OR file_name ILIKE %s"
            " OR tts_text ILIKE %s)", [pattern] * 4)


POSTGRES = CatalogueDialect(mark="%s", search=_search, orders=ORDERS)
