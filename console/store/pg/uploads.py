"""The upload queue's rows and settings in the office's PostgreSQL database (`UploadStore`).

The queue is each desk's own: its rows name files on that desk's disk, so every
row and setting is keyed by the desk's name and a desk loads only its own. Each
`write` is one transaction, committed durably (the engine's commits always are,
so `durable` asks nothing more). Called from the queue's one I/O thread; the
statements run on the engine's threads.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from console.store.database import StoreError
from console.store.pg.engine import Conn, PgEngine
from console.store.upload_rows import COLUMNS, StoredQueue, StoredRow, row_to_db, stored_queue
from console.store.upload_store import UploadStoreError

log = logging.getLogger(__name__)

_LISTED = ", ".join(COLUMNS)
_UPDATES = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")


Raw = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


class PgUploadStore:
    """`preload=True` starts reading the desk's queue at once, on an engine thread: the upload
    queue loads its store synchronously when it is built (with the Recordings tab, right after
    the first paint), and takes that read then instead of a round trip of its own."""

    def __init__(self, engine: PgEngine, *, desk: str, owns_engine: bool = True,
                 preload: bool = False) -> None:
        self.engine = engine
        self.desk = desk
        self._owns_engine = owns_engine
        self._preload: Future[Raw] | None = engine.submit(self._read) if preload else None

    def _read(self, conn: Conn) -> Raw:
        settings = conn.execute("SELECT key, value FROM upload_settings WHERE desk = %s",
                                (self.desk,)).fetchall()
        rows = conn.execute(f"SELECT {_LISTED} FROM upload_rows WHERE desk = %s ORDER BY id",
                            (self.desk,)).fetchall()
        return settings, rows

    def load(self) -> StoredQueue:
        preload, self._preload = self._preload, None
        try:
            if preload is not None:
                # Read before any write of the queue (it did not exist yet): still what is stored.
                started = time.monotonic()
                settings, raw_rows = preload.result(self.engine.timeout_s)
                waited = time.monotonic() - started
                if waited > 0.005:
                    log.info("the upload queue waited %.0f ms for its rows", waited * 1000)
            else:
                settings, raw_rows = self.engine.call(self._read)
        except FutureTimeout as err:
            raise UploadStoreError("The upload queue could not be read: the office database did "
                                   "not answer in time.") from err
        except StoreError as err:
            raise UploadStoreError(f"The upload queue could not be read: {err}") from err
        return stored_queue(settings, raw_rows)

    def write(self, rows: Sequence[StoredRow] = (), *, deleted: Sequence[int] = (),
              settings: Mapping[str, Any] | None = None, durable: bool = False) -> None:
        def job(conn: Conn) -> None:
            cursor = conn.cursor()
            if rows:
                cursor.executemany(
                    f"INSERT INTO upload_rows (desk, {_LISTED}) VALUES (%s, "
                    f"{', '.join(['%s'] * len(COLUMNS))}) ON CONFLICT (desk, id) DO UPDATE"
                    f" SET {_UPDATES}", [(self.desk, *row_to_db(row)) for row in rows])
            if deleted:
                cursor.execute("DELETE FROM upload_rows WHERE desk = %s AND id = ANY(%s)",
                               (self.desk, [int(i) for i in deleted]))
            if settings:
                cursor.executemany(
                    "INSERT INTO upload_settings (desk, key, value) VALUES (%s, %s, %s)"
                    " ON CONFLICT (desk, key) DO UPDATE SET value = excluded.value",
                    [(self.desk, key, json.dumps(value)) for key, value in settings.items()])

        try:
            self.engine.call(job)
        except StoreError as err:
            raise UploadStoreError(f"The upload queue could not be saved: {err}") from err

    def has_rows(self) -> bool:
        """Whether this desk has anything queued (start-up asks before building the queue)."""
        try:
            row = self.engine.call(lambda conn: conn.execute(
                "SELECT EXISTS (SELECT 1 FROM upload_rows WHERE desk = %s)",
                (self.desk,)).fetchone())
        except StoreError:
            return True  # let the queue itself open and say what is wrong
        return bool(row and row[0])

    def close(self) -> None:
        if self._owns_engine:
            self.engine.close()
