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
whoever opens the database first at start-up (the journal). This module never
touches ``PRAGMA user_version``: its tables are created with ``IF NOT EXISTS``.

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
"""
from __future__ import annotations

import enum
import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from console.domain.csv_safe import safe_writer
from console.domain.vocabulary import EntryKind, Outcome
from console.domain.wording import plural
from console.store.database import Database, StoreError, explain
from console.store.files import atomic_write
from console.store.interface import HistoryStore
from console.store.journal import JournalEntry

log = logging.getLogger(__name__)

_T = TypeVar("_T")

KINDS = (EntryKind.UPLOAD, EntryKind.TTS)


class RecordingState(enum.StrEnum):
    CURRENT = "current"  # what the library holds at its album and sort
    REPLACED = "replaced"  # a later recording took its place


CURRENT, REPLACED = RecordingState.CURRENT, RecordingState.REPLACED

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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS catalogue_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id TEXT NOT NULL,
    album INTEGER NOT NULL,
    sort INTEGER,
    display_name TEXT NOT NULL,
    recording_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('upload', 'tts')),
    file_name TEXT,
    file_path TEXT,
    file_size INTEGER,
    sha256 TEXT,
    tts_text TEXT,
    duration_s REAL,
    format TEXT,
    created_at TEXT NOT NULL,
    entry_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('current', 'replaced')),
    replaced_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS catalogue_entry ON catalogue_entries (entry_id)
    WHERE entry_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS catalogue_place ON catalogue_entries (profile_id, album, sort);
CREATE INDEX IF NOT EXISTS catalogue_recording ON catalogue_entries (profile_id, recording_id);
-- The Library view's usual orders walk an index (each ends in the rowid, the
-- tie-break), so the first page of 10,000 entries needs no sort step.
CREATE INDEX IF NOT EXISTS catalogue_name ON catalogue_entries
    (profile_id, display_name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS catalogue_when ON catalogue_entries (profile_id, created_at);
-- A trigram index over the searched columns: a search is a few index probes
-- rather than four LIKEs over every row (see bench/library_filter.py).
CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_fts USING fts5(
    display_name, recording_id, file_name, tts_text,
    content='catalogue_entries', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS catalogue_fts_insert AFTER INSERT ON catalogue_entries BEGIN
    INSERT INTO catalogue_fts (rowid, display_name, recording_id, file_name, tts_text)
        VALUES (new.id, new.display_name, new.recording_id, new.file_name, new.tts_text);
END;
CREATE TRIGGER IF NOT EXISTS catalogue_fts_delete AFTER DELETE ON catalogue_entries BEGIN
    INSERT INTO catalogue_fts (catalogue_fts, rowid, display_name, recording_id, file_name,
                               tts_text)
        VALUES ('delete', old.id, old.display_name, old.recording_id, old.file_name,
                old.tts_text);
END;
CREATE TRIGGER IF NOT EXISTS catalogue_fts_update AFTER UPDATE OF display_name, recording_id,
        file_name, tts_text ON catalogue_entries BEGIN
    INSERT INTO catalogue_fts (catalogue_fts, rowid, display_name, recording_id, file_name,
                               tts_text)
        VALUES ('delete', old.id, old.display_name, old.recording_id, old.file_name,
                old.tts_text);
    INSERT INTO catalogue_fts (rowid, display_name, recording_id, file_name, tts_text)
        VALUES (new.id, new.display_name, new.recording_id, new.file_name, new.tts_text);
END;
CREATE TABLE IF NOT EXISTS catalogue_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_COLUMNS = ("id, profile_id, album, sort, display_name, recording_id, kind, file_name, "
            "file_path, file_size, sha256, tts_text, duration_s, format, created_at, entry_id, "
            "state, replaced_at")
_SYNC_KEY = "history_change"
_HISTORY_CHUNK = 400
_FTS_MIN_CHARS = 3


class CatalogueError(Exception):
    """The catalogue cannot be read or written now; the message says what to do."""


@dataclass(frozen=True)
class CatalogueEntry:
    id: int
    profile_id: str
    album: int
    sort: int | None
    display_name: str
    recording_id: str
    kind: str  # "upload" | "tts"
    file_name: str | None
    file_path: str | None
    file_size: int | None
    sha256: str | None
    tts_text: str | None
    duration_s: float | None
    format: str | None
    created_at: str  # ISO 8601, UTC: when the recording was confirmed
    entry_id: int | None  # the History entry
    state: str  # "current" | "replaced"
    replaced_at: str | None

    @property
    def place(self) -> str:
        """ "album 1 / sort 5" (or "album 1, sort chosen by Voitex")."""
        return place_text(self.album, self.sort)

    @property
    def label(self) -> str:
        """ "Welcome — album 1 / sort 5 — id 918357": how a picker shows it."""
        return f"{self.display_name} — {self.place} — id {self.recording_id}"

    @property
    def source(self) -> str:
        """Where it came from, in a few words: the file name, or the spoken text."""
        if self.kind == EntryKind.TTS:
            return f"Text to speech: “{shorten(self.tts_text or '', 60)}”"
        return self.file_name or "a file"

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


@dataclass(frozen=True)
class NewRecording:
    """A confirmed upload or TTS, as it goes into the catalogue."""

    profile_id: str
    album: int
    sort: int | None
    display_name: str
    recording_id: str
    kind: str
    created_at: str
    entry_id: int | None = None
    file_name: str | None = None
    file_path: str | None = None
    file_size: int | None = None
    sha256: str | None = None
    tts_text: str | None = None
    duration_s: float | None = None
    format: str | None = None


@runtime_checkable
class CatalogueStore(Protocol):
    """What the jobs and the UI use; an SQLite file today, a shared database later.

    Writes return futures and never run on the caller's thread; reads return
    at once and never wait for a write.
    """

    def record(self, recording: NewRecording) -> Future[CatalogueEntry | None]: ...

    def sync_from_history(self, journal: HistoryStore, *, from_start: bool = False) -> Future[int]: ...

    def entries(self, profile_id: str, *, text: str | None = None, album: int | None = None,
                include_replaced: bool = False, order_by: str = "album",
                descending: bool = False, limit: int | None = None) -> list[CatalogueEntry]: ...

    def rows(self, profile_id: str, *, text: str | None = None, album: int | None = None,
             include_replaced: bool = False, order_by: str = "album",
             descending: bool = False, offset: int = 0,
             limit: int | None = None) -> list[tuple[Any, ...]]: ...

    def at(self, profile_id: str, album: int, sort: int) -> CatalogueEntry | None: ...

    def by_recording_id(self, profile_id: str, recording_id: str) -> CatalogueEntry | None: ...

    def albums(self, profile_id: str) -> list[int]: ...

    def count(self, profile_id: str, *, text: str | None = None, album: int | None = None,
              include_replaced: bool = False) -> int: ...

    def export_csv(self, path: Path | str, profile_id: str, **filters: Any) -> int: ...

    def close(self) -> None: ...


# -- small pure helpers ------------------------------------------------------------

def place_text(album: int, sort: int | None) -> str:
    if sort is None:
        return f"album {album}, sort chosen by Voitex"
    return f"album {album} / sort {sort}"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tts_display_name(text: str) -> str:
    """A TTS has no display name of its own: its first words stand for it."""
    return shorten(text, 40) or "Text to speech"


def utc_text(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("a catalogue time must carry its time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def day_text(iso: str) -> str:
    """ "3 Nov" (this year) or "3 Nov 2025", in local time, for sentences."""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    text = f"{moment.day} {moment:%b}"
    return text if moment.year == datetime.now().year else f"{text} {moment.year}"


def replace_warning(existing: CatalogueEntry, *, sha256: str | None = None) -> str:
    """What the Recordings row and the TTS form say before going over `existing`.

    "Album 1 / sort 5 holds 'Welcome', uploaded 3 Nov from welcome.wav; this
    replaces it." The same content (same SHA-256) is said to be there already.
    """
    place = existing.place[0].upper() + existing.place[1:]
    if existing.kind == EntryKind.TTS:
        origin = f"created {day_text(existing.created_at)} by text to speech"
    else:
        origin = f"uploaded {day_text(existing.created_at)} from {existing.file_name or 'a file'}"
    if sha256 and existing.sha256 and sha256.lower() == existing.sha256.lower():
        return (f"{place} already holds this same file ('{existing.display_name}', "
                f"{origin}); uploading it again only gives it a new recording id.")
    return f"{place} holds '{existing.display_name}', {origin}; this replaces it."


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recording_from_history(entry: JournalEntry) -> NewRecording | None:
    """The catalogue row a finished History entry stands for, or None.

    Only ``done`` uploads and TTS with a recording id count. The file's
    content facts (SHA-256, duration, format) are added by `with_file_facts`.
    """
    if entry.kind not in KINDS or entry.outcome != Outcome.DONE:
        return None
    request = entry.request if isinstance(entry.request, Mapping) else {}
    recording_id = (entry.result_id or "").strip()
    album = _int_or_none(request.get("album_number"))
    if not recording_id or album is None:
        return None
    sort = _int_or_none(request.get("sort_number"))
    place = NewRecording(profile_id=entry.profile_id, album=album, sort=sort, display_name="",
                         recording_id=recording_id, kind=entry.kind, created_at=entry.updated_at,
                         entry_id=entry.id)
    if entry.kind == EntryKind.TTS:
        text = str(request.get("text") or entry.content or "")
        return replace(place, kind=EntryKind.TTS, display_name=tts_display_name(text),
                        tts_text=text)
    path_text = str(request.get("upload_file") or "")
    file_name = Path(path_text).name if path_text else (entry.content or None)
    display = str(request.get("display_name") or "").strip() or Path(file_name or "").stem
    return replace(place, kind=EntryKind.UPLOAD, display_name=display or "Recording",
                    file_name=file_name, file_path=path_text or None,
                    file_size=_int_or_none(request.get("size")))


def with_file_facts(recording: NewRecording) -> NewRecording:
    """Add the SHA-256, duration and format, read from the file when it is still
    there and the same size; unchanged otherwise (a moved file, a TTS)."""
    if recording.kind != EntryKind.UPLOAD or not recording.file_path or recording.sha256:
        return recording
    path = Path(recording.file_path)
    try:
        size = path.stat().st_size
        if recording.file_size is not None and size != recording.file_size:
            return recording
        digest = file_sha256(path)
    except OSError:
        return recording
    duration, form = recording.duration_s, recording.format
    try:
        from console.domain.audio import inspect_audio

        info = inspect_audio(path)
        if info.ok:
            duration, form = info.duration_s, info.format
    except Exception:  # an odd file must not stop the catalogue
        log.debug("audio facts of %s could not be read", path, exc_info=True)
    return replace(recording, sha256=digest, file_size=size, duration_s=duration, format=form)


def _log_failure(future: Future[Any]) -> None:
    # Nobody may be waiting on a background write: its failure must still be seen.
    # The next sync from History records what this one could not.
    if not future.cancelled() and future.exception() is not None:
        log.error("a Library catalogue write failed", exc_info=future.exception())


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(profile_id: str, *, text: str | None, album: int | None,
           include_replaced: bool) -> tuple[str, list[Any]]:
    clauses = ["profile_id = ?"]
    params: list[Any] = [profile_id]
    if not include_replaced:
        clauses.append("state = 'current'")
    if album is not None:
        clauses.append("album = ?")
        params.append(int(album))
    text = (text or "").strip()
    if len(text) >= _FTS_MIN_CHARS:
        # Substrings, any case, as the LIKE below finds them, from the index.
        clauses.append("id IN (SELECT rowid FROM catalogue_fts WHERE catalogue_fts MATCH ?)")
        params.append('"' + text.replace('"', '""') + '"')
    elif text:  # the trigram index needs three characters
        pattern = f"%{_like_escape(text)}%"
        clauses.append("(display_name LIKE ? ESCAPE '\\' OR recording_id LIKE ? ESCAPE '\\'"
                       " OR file_name LIKE ? ESCAPE '\\' OR tts_text LIKE ? ESCAPE '\\')")
        params += [pattern] * 4
    return " WHERE " + " AND ".join(clauses), params


def _order(order_by: str, descending: bool) -> str:
    if order_by not in ORDERS:
        raise ValueError(f"order_by must be one of {', '.join(ORDERS)}, not {order_by!r}")
    return " ORDER BY " + ORDERS[order_by].format(d="DESC" if descending else "ASC")


def _create_schema(db: sqlite3.Connection) -> None:
    """The tables, indexes and search index, created where missing. A search
    index created next to existing rows (a file repaired from a damaged one
    keeps the rows, never the index) is filled from them."""
    had_index = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'catalogue_fts'").fetchone()
    db.executescript(_SCHEMA)
    if not had_index:
        db.execute("INSERT INTO catalogue_fts (catalogue_fts) VALUES ('rebuild')")


def entry_of(row: Sequence[Any]) -> CatalogueEntry:
    return CatalogueEntry(*row)


# -- the SQLite catalogue --------------------------------------------------------------

class Catalogue:
    """The catalogue in the History database file at `path`.

    `on_changed` is called (from the catalogue's worker thread) after every
    write that changed something; the UI turns it into a Qt signal.
    """

    def __init__(self, path: Path | str, *,
                 on_changed: Callable[[], None] | None = None) -> None:
        self.path = Path(path)
        self._on_changed = on_changed or (lambda: None)
        self._closed = False
        # Two handles from the database layer (its pragmas, locks and errors):
        # the worker thread writes through one, readers use the other, so a
        # read never queues behind a write. Whoever opened the file first at
        # start-up (History) has already checked and repaired it.
        opened: list[Database] = []
        try:
            for _ in range(2):
                opened.append(Database(self.path, check=False, repair=False))
            _create_schema(opened[0].connection)
        except (StoreError, sqlite3.Error) as err:
            for database in opened:
                database.close()
            reason = str(err) if isinstance(err, StoreError) else explain(err, self.path,
                                                                            doing="opened")
            raise CatalogueError(f"The Library could not be opened: {reason}") from err
        self._writer, self._reader = opened
        self._writer_db, self._write_lock = self._writer.connection, self._writer.lock
        self._reader_db, self._read_lock = self._reader.connection, self._reader.lock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voitex-catalogue")

    def set_on_changed(self, callback: Callable[[], None]) -> None:
        self._on_changed = callback

    # -- writing (on the worker thread) ---------------------------------------------
    def record(self, recording: NewRecording) -> Future[CatalogueEntry | None]:
        """Add a confirmed recording; the future's result is the new entry, or
        None when its History entry was recorded before."""
        return self._submit(self._record_now, recording)

    def sync_from_history(self, journal: HistoryStore, *, from_start: bool = False) -> Future[int]:
        """Record every finished upload and TTS of History not yet recorded;
        the future's result is how many were added.

        `from_start` reads all of History again rather than what changed since
        the last time: after History was repaired, what was saved from it is
        not what the catalogue last saw (entries are still recorded once)."""
        return self._submit(self._sync_now, journal, from_start)

    def wait_idle(self, timeout: float | None = 10.0) -> None:
        """Wait for the writes submitted so far (tests, shutdown)."""
        self._submit(lambda: None).result(timeout)

    def _submit(self, fn: Callable[..., _T], *args: Any) -> Future[_T]:
        if self._closed:
            future: Future[_T] = Future()
            future.set_exception(CatalogueError("The Library catalogue is closed."))
            return future
        future = self._executor.submit(fn, *args)
        future.add_done_callback(_log_failure)
        return future

    def _record_now(self, recording: NewRecording) -> CatalogueEntry | None:
        with self._write_lock:
            recording = with_file_facts(recording)
            entry = self._insert([recording])
        if entry:
            self._notify()
        return entry[0] if entry else None

    def _sync_now(self, journal: HistoryStore, from_start: bool = False) -> int:
        with self._write_lock:
            since = 0 if from_start else int(self._meta(_SYNC_KEY) or 0)
            latest, ids = journal.changed_since(since)
            found = []
            for start in range(0, len(ids), _HISTORY_CHUNK):
                chunk = ids[start:start + _HISTORY_CHUNK]
                for entry in journal.query(ids=chunk, limit=len(chunk)):
                    recording = recording_from_history(entry)
                    if recording is not None:
                        found.append(recording)
            known = self._known_entry_ids([r.entry_id for r in found])
            new = [with_file_facts(r) for r in found if r.entry_id not in known]
            # In the order they finished, so the latest at a place is the current one.
            new.sort(key=lambda r: (r.created_at, r.entry_id or 0))
            added = self._insert(new, meta={_SYNC_KEY: str(latest)})
        if added:
            self._notify()
        return len(added)

    def _insert(self, recordings: Iterable[NewRecording], *,
                meta: Mapping[str, str] | None = None) -> list[CatalogueEntry]:
        db = self._writer_db
        added: list[CatalogueEntry] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for r in recordings:
                if r.entry_id is not None and db.execute(
                        "SELECT 1 FROM catalogue_entries WHERE entry_id = ?",
                        (r.entry_id,)).fetchone():
                    continue
                state = CURRENT
                if r.sort is not None:
                    newer = db.execute(
                        # INDEXED BY: with no statistics yet, the planner may walk the
                        # time index instead (40 s to fill 10,000 rows instead of 0.5 s).
                        "SELECT 1 FROM catalogue_entries INDEXED BY catalogue_place"
                        " WHERE profile_id = ? AND album = ?"
                        " AND sort = ? AND state = 'current' AND created_at > ?",
                        (r.profile_id, r.album, r.sort, r.created_at)).fetchone()
                    if newer:
                        state = REPLACED  # an older one found late (filled from History)
                    else:
                        db.execute(
                            "UPDATE catalogue_entries INDEXED BY catalogue_place"
                            " SET state = 'replaced', replaced_at = ?"
                            " WHERE profile_id = ? AND album = ? AND sort = ?"
                            " AND state = 'current'",
                            (r.created_at, r.profile_id, r.album, r.sort))
                cursor = db.execute(
                    "INSERT INTO catalogue_entries (profile_id, album, sort, display_name,"
                    " recording_id, kind, file_name, file_path, file_size, sha256, tts_text,"
                    " duration_s, format, created_at, entry_id, state, replaced_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (r.profile_id, r.album, r.sort, r.display_name, r.recording_id, r.kind,
                     r.file_name, r.file_path, r.file_size, r.sha256, r.tts_text, r.duration_s,
                     r.format, r.created_at, r.entry_id, state,
                     r.created_at if state == REPLACED else None))
                added.append(entry_of(db.execute(
                    f"SELECT {_COLUMNS} FROM catalogue_entries WHERE id = ?",
                    (cursor.lastrowid,)).fetchone()))
            for key, value in (meta or {}).items():
                db.execute("INSERT INTO catalogue_meta (key, value) VALUES (?, ?)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           (key, value))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return added

    def _known_entry_ids(self, entry_ids: Sequence[int | None]) -> set[int]:
        wanted = [i for i in entry_ids if i is not None]
        known: set[int] = set()
        for start in range(0, len(wanted), _HISTORY_CHUNK):
            chunk = wanted[start:start + _HISTORY_CHUNK]
            rows = self._writer_db.execute(
                "SELECT entry_id FROM catalogue_entries WHERE entry_id IN"
                f" ({', '.join('?' * len(chunk))})", chunk).fetchall()
            known.update(row[0] for row in rows)
        return known

    def _meta(self, key: str) -> str | None:
        row = self._writer_db.execute("SELECT value FROM catalogue_meta WHERE key = ?",
                                      (key,)).fetchone()
        return row[0] if row else None

    def _notify(self) -> None:
        try:
            self._on_changed()
        except Exception:  # a listener's bug must not undo a write
            log.exception("a catalogue listener failed")

    # -- reading (any thread; never waits for a write) ----------------------------
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._read_lock:
            try:
                return self._reader_db.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise CatalogueError(
                    f"The Library catalogue could not be read ({err}). "
                    "Restart Voitex Console; if it happens again, check the disk.") from err

    def rows(self, profile_id: str, *, text: str | None = None, album: int | None = None,
             include_replaced: bool = False, order_by: str = "album",
             descending: bool = False, offset: int = 0,
             limit: int | None = None) -> list[tuple[Any, ...]]:
        """Matching rows as plain tuples in `entry_of` order (what a view model keeps);
        `offset` and `limit` page through them."""
        where, params = _where(profile_id, text=text, album=album,
                               include_replaced=include_replaced)
        sql = f"SELECT {_COLUMNS} FROM catalogue_entries{where}{_order(order_by, descending)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        return self._read(sql, params)

    def entries(self, profile_id: str, *, text: str | None = None, album: int | None = None,
                include_replaced: bool = False, order_by: str = "album",
                descending: bool = False, limit: int | None = None) -> list[CatalogueEntry]:
        where, params = _where(profile_id, text=text, album=album,
                               include_replaced=include_replaced)
        sql = f"SELECT {_COLUMNS} FROM catalogue_entries{where}{_order(order_by, descending)}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [entry_of(row) for row in self._read(sql, params)]

    def at(self, profile_id: str, album: int, sort: int) -> CatalogueEntry | None:
        """The current recording at album/sort, or None when the console put none there."""
        rows = self._read(
            f"SELECT {_COLUMNS} FROM catalogue_entries WHERE profile_id = ? AND album = ?"
            " AND sort = ? AND state = 'current' ORDER BY id DESC LIMIT 1",
            (profile_id, int(album), int(sort)))
        return entry_of(rows[0]) if rows else None

    def by_recording_id(self, profile_id: str, recording_id: str) -> CatalogueEntry | None:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM catalogue_entries WHERE profile_id = ?"
            " AND recording_id = ? ORDER BY state = 'current' DESC, id DESC LIMIT 1",
            (profile_id, str(recording_id).strip()))
        return entry_of(rows[0]) if rows else None

    def albums(self, profile_id: str) -> list[int]:
        return [row[0] for row in self._read(
            "SELECT DISTINCT album FROM catalogue_entries WHERE profile_id = ?"
            " AND state = 'current' ORDER BY album", (profile_id,))]

    def count(self, profile_id: str, *, text: str | None = None, album: int | None = None,
              include_replaced: bool = False) -> int:
        where, params = _where(profile_id, text=text, album=album,
                               include_replaced=include_replaced)
        found: int = self._read(f"SELECT COUNT(*) FROM catalogue_entries{where}", params)[0][0]
        return found

    def export_csv(self, path: Path | str, profile_id: str, *, text: str | None = None,
                   album: int | None = None, include_replaced: bool = False,
                   order_by: str = "album", descending: bool = False) -> int:
        """Write the matching entries as CSV (formula-safe cells); returns how many.

        Written to a temporary file first, so a failed export never leaves a
        half file under the chosen name.
        """
        rows = self.entries(profile_id, text=text, album=album,
                            include_replaced=include_replaced, order_by=order_by,
                            descending=descending)
        # utf-8-sig: spreadsheet programs then read accents and emoji correctly.
        with atomic_write(Path(path), "w", make_folders=False, encoding="utf-8-sig",
                          newline="") as handle:
            writer = safe_writer(handle)  # every cell formula-safe
            writer.writerow(["album", "sort", "name", "recording id", "kind", "source",
                             "size", "sha256", "duration (s)", "format", "when", "state",
                             "history entry"])
            for e in rows:
                writer.writerow([
                    e.album, "" if e.sort is None else e.sort, e.display_name,
                    e.recording_id, e.kind,
                    (e.tts_text or "") if e.kind == EntryKind.TTS else (e.file_name or ""),
                    "" if e.file_size is None else e.file_size, e.sha256 or "",
                    "" if e.duration_s is None else f"{e.duration_s:.2f}", e.format or "",
                    e.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"), e.state,
                    "" if e.entry_id is None else e.entry_id,
                ])
        return len(rows)

    # -- closing -----------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        self._writer.close()
        self._reader.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# -- comparing with a server's own listing (the sandbox) ---------------------------------

@dataclass(frozen=True)
class Comparison:
    """The catalogue's current entries against a library listing (the sandbox's)."""

    matching: int
    missing: tuple[CatalogueEntry, ...]  # listed here, not there
    different: tuple[tuple[CatalogueEntry, str], ...]  # there under another recording id
    unknown: tuple[Mapping[str, Any], ...]  # there, not listed here

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.different or self.unknown)

    def text(self) -> str:
        if self.agrees:
            return (f"The sandbox holds the same {plural(self.matching, 'recording')} as this list, "
                    "at the same albums and sort numbers.")
        parts = [f"{self.matching} match"]
        if self.missing:
            parts.append(f"{len(self.missing)} listed here are not in the sandbox ("
                         + ", ".join(e.place for e in self.missing[:5])
                         + (", …" if len(self.missing) > 5 else "") + ")")
        if self.different:
            parts.append(f"{len(self.different)} hold another recording in the sandbox ("
                         + ", ".join(f"{e.place}: id {rid} there, {e.recording_id} here"
                                     for e, rid in self.different[:5])
                         + (", …" if len(self.different) > 5 else "") + ")")
        if self.unknown:
            parts.append(f"{len(self.unknown)} in the sandbox were not put there by this "
                         "console (or History lost them)")
        return "; ".join(parts) + "."


def compare_with_listing(entries: Iterable[CatalogueEntry],
                         listing: Iterable[Mapping[str, Any]]) -> Comparison:
    """Match by recording id first, then by album and sort number."""
    ours = [e for e in entries if e.state == CURRENT]
    theirs = [dict(item) for item in listing]
    by_id = {str(item.get("recording_id")): item for item in theirs}
    by_place = {(_int_or_none(item.get("album")), _int_or_none(item.get("sort"))): item
                for item in theirs if item.get("sort") is not None}
    used: set[str] = set()
    matching = 0
    missing: list[CatalogueEntry] = []
    different: list[tuple[CatalogueEntry, str]] = []
    for entry in ours:
        if entry.recording_id in by_id:
            matching += 1
            used.add(entry.recording_id)
            continue
        there = by_place.get((entry.album, entry.sort)) if entry.sort is not None else None
        if there is not None:
            rid = str(there.get("recording_id"))
            used.add(rid)
            different.append((entry, rid))
        else:
            missing.append(entry)
    unknown = tuple(item for item in theirs if str(item.get("recording_id")) not in used)
    return Comparison(matching, tuple(missing), tuple(different), unknown)
