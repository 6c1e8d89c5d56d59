"""Where the upload queue's rows and settings live between runs.

The queue talks to an `UploadStore` (a Protocol), so a second backend (a
PostgreSQL database shared by the desks of one office) can be added without
touching the queue. Two backends here:

- `SqliteUploadStore`: tables prefixed `upload_` in the same SQLite file as
  History (`history.sqlite3`), on a connection of its own. Every `write` is one
  transaction; `durable=True` writes (a row marked as going on the wire)
  commit with `synchronous=FULL`, so the mark survives a power cut before the
  first byte leaves. The tables are schema step 3's: opening runs the steps the
  file still lacks (`console.store.database.migrate`), as every store of the file does.
- `MemoryUploadStore`: for a session whose database cannot be opened (the
  console still starts, and says the queue is not kept), and for tests.

Neither is thread-safe: the queue calls its store from one I/O thread only.
Rows are plain values (`StoredRow`); the store knows nothing of Qt or of the
queue's logic. An earlier version kept the queue in `upload-queue.json`; the
first start migrates that file and renames it `upload-queue.json.migrated`.
How a row is stored (both engines) is console/store/upload_rows.py.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from console.domain.wording import plural
from console.store.database import StoreError, immediate, migrate
from console.store.upload_rows import (
    COLUMNS,
    StoredQueue,
    StoredRow,
    opt_int,
    opt_str,
    row_to_db,
    stored_queue,
)

__all__ = ["MemoryUploadStore", "SqliteUploadStore", "StoredQueue", "StoredRow", "UploadStore",
           "UploadStoreError", "open_upload_store", "read_legacy_json"]

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 2000


class UploadStoreError(Exception):
    """The queue's store cannot be used; the message says what to do."""


class UploadStore(Protocol):
    def load(self) -> StoredQueue:
        """Every row in table order, and the settings."""

    def write(self, rows: Sequence[StoredRow] = (), *, deleted: Sequence[int] = (),
              settings: Mapping[str, Any] | None = None, durable: bool = False) -> None:
        """Insert or replace `rows`, delete `deleted`, merge `settings`: all or nothing."""

    def close(self) -> None: ...


class MemoryUploadStore:
    """Keeps the queue for this session only."""

    def __init__(self, warning: str | None = None) -> None:
        self._rows: dict[int, StoredRow] = {}
        self._settings: dict[str, Any] = {}
        self._warning = warning

    def load(self) -> StoredQueue:
        return StoredQueue(dict(self._settings), [self._rows[i] for i in sorted(self._rows)],
                           self._warning)

    def write(self, rows: Sequence[StoredRow] = (), *, deleted: Sequence[int] = (),
              settings: Mapping[str, Any] | None = None, durable: bool = False) -> None:
        for row in rows:
            self._rows[row.id] = row
        for row_id in deleted:
            self._rows.pop(row_id, None)
        if settings:
            self._settings.update(settings)

    def close(self) -> None:
        """Nothing to release: the rows live only in this object."""


class SqliteUploadStore:
    """The queue in `upload_*` tables of the History database."""

    def __init__(self, path: Path | str, *, legacy_json: Path | str | None = None) -> None:
        self.path = Path(path)
        self.legacy_json = Path(legacy_json) if legacy_json is not None else None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False: opened on the UI thread, then used only by
            # the queue's single I/O thread.
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                       timeout=_BUSY_TIMEOUT_MS / 1000)
            self._db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._synchronous = "NORMAL"
            self._db.execute("PRAGMA synchronous=NORMAL")
            # The tables are schema step 3's (migrations/m003_uploads_catalogue.py).
            migrate(self._db, self.path)
        except (sqlite3.Error, OSError, StoreError) as err:
            raise UploadStoreError(
                f"The upload queue could not be opened in {self.path} ({err}).") from err

    # -- reading ---------------------------------------------------------------
    def load(self) -> StoredQueue:
        try:
            settings = dict(self._db.execute("SELECT key, value FROM upload_settings").fetchall())
            raw_rows = self._db.execute(
                f"SELECT {', '.join(COLUMNS)} FROM upload_rows ORDER BY id").fetchall()
        except sqlite3.Error as err:
            raise UploadStoreError(
                f"The upload queue in {self.path} could not be read ({err}).") from err
        loaded = stored_queue(settings.items(), raw_rows, kept_in=self.path.name)
        if self.legacy_json is not None and self.legacy_json.exists():
            self._migrate(loaded)
        return loaded

    def _migrate(self, loaded: StoredQueue) -> None:
        assert self.legacy_json is not None
        settings, rows, warning = read_legacy_json(self.legacy_json)
        first_id = max(loaded.max_id, max((r.id for r in loaded.rows), default=0)) + 1
        for n, row in enumerate(rows):
            row.id = first_id + n
        try:
            self.write(rows, settings=settings if not loaded.rows else None, durable=True)
        except sqlite3.Error as err:
            log.warning("migrating %s failed: %s", self.legacy_json, err)
            loaded.warning = (f"The upload queue from {self.legacy_json} could not be moved into "
                              f"the database ({err}); it was left where it is.")
            return
        if warning is None:
            try:
                os.replace(self.legacy_json,
                           self.legacy_json.with_name(self.legacy_json.name + ".migrated"))
            except OSError:
                log.warning("could not rename %s after migrating it", self.legacy_json)
        if not loaded.rows:
            loaded.settings.update(settings)
        loaded.rows.extend(rows)
        loaded.migrated = len(rows)
        loaded.max_id = max([loaded.max_id, *(r.id for r in rows)])
        if warning:
            loaded.warning = warning

    # -- writing ---------------------------------------------------------------
    def write(self, rows: Sequence[StoredRow] = (), *, deleted: Sequence[int] = (),
              settings: Mapping[str, Any] | None = None, durable: bool = False) -> None:
        wanted = "FULL" if durable else "NORMAL"
        if wanted != self._synchronous:
            # Per connection, outside a transaction: the next commit follows it.
            self._db.execute(f"PRAGMA synchronous={wanted}")
            self._synchronous = wanted
        with immediate(self._db):
            if rows:
                self._db.executemany(
                    f"INSERT OR REPLACE INTO upload_rows ({', '.join(COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(COLUMNS))})",
                    [row_to_db(row) for row in rows])
            if deleted:
                self._db.executemany("DELETE FROM upload_rows WHERE id = ?",
                                     [(row_id,) for row_id in deleted])
            if settings:
                self._db.executemany(
                    "INSERT OR REPLACE INTO upload_settings (key, value) VALUES (?, ?)",
                    [(key, json.dumps(value)) for key, value in settings.items()])

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


def open_upload_store(path: Path | str, *, legacy_json: Path | str | None = None
                      ) -> tuple[UploadStore, str | None]:
    """The SQLite store, or a memory one with the reason when the file cannot be used."""
    try:
        return SqliteUploadStore(path, legacy_json=legacy_json), None
    except UploadStoreError as err:
        log.warning("%s", err)
        return MemoryUploadStore(), (
            f"{err} Files queued now are kept only until the console closes; close any other "
            "Voitex Console and check the disk, then start again.")


# --- the JSON file of earlier versions -----------------------------------------------


def read_legacy_json(path: Path) -> tuple[dict[str, Any], list[StoredRow], str | None]:
    """Settings, rows (ids from 1) and a warning, salvaging every row that parses.

    A file that cannot be read at all is renamed `.broken-<time>` and named in the warning.
    """
    try:
        state = json.loads(path.read_bytes())
        if not isinstance(state, dict) or not isinstance(state.get("items", []), list):
            raise ValueError("unknown format")
    except (OSError, ValueError) as err:
        backup = path.with_name(f"{path.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
        try:
            os.replace(path, backup)
        except OSError:
            backup = path
        log.warning("the saved upload queue %s is damaged: %s", path, err)
        return {}, [], (f"The saved upload queue {path.name} was damaged and could not be read; "
                        f"it was kept as {backup.name}. The queue starts empty.")
    settings: dict[str, Any] = {}
    raw_settings = state.get("settings")
    if isinstance(raw_settings, dict):
        for key in ("numbering", "next_sort", "concurrency"):
            if key in raw_settings:
                settings[key] = raw_settings[key]
    rows: list[StoredRow] = []
    skipped = 0
    for n, item in enumerate(state.get("items", []), start=1):
        try:
            if not isinstance(item, dict):
                raise TypeError("a row is not an object")
            status = opt_str(item["status"])
            if status == "uploading":
                # The JSON lagged reality and kept no History link: it may have arrived.
                status = "unsure"
            stamp = item.get("stamp")
            info = item.get("info")
            if info is not None and not isinstance(info, dict):
                raise TypeError("info is not an object")
            rows.append(StoredRow(
                id=n, path=str(opt_str(item["path"])), status=str(status),
                album=opt_int(item.get("album")), sort=opt_int(item.get("sort")),
                display_name=opt_str(item.get("display_name")) or "", info=info,
                recording_id=opt_str(item.get("recording_id")),
                reason=opt_str(item.get("reason")),
                stamp=(int(stamp[0]), int(stamp[1])) if stamp else None,
                finished_at=opt_str(item.get("finished_at")),
                awaiting_number=bool(item.get("awaiting_number"))))
        except (KeyError, TypeError, ValueError, IndexError) as err:
            log.warning("left out row %d of %s: %s", n, path, err)
            skipped += 1
    warning = None
    if skipped:
        backup = path.with_name(f"{path.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
        try:
            os.replace(path, backup)
        except OSError:
            backup = path
        warning = (f"Left out {plural(skipped, 'row')} of the saved upload queue {path.name} "
                   f"that could not be read (the file was kept as {backup.name}); "
                   f"kept the other {len(rows):,}.")
    return settings, rows, warning
