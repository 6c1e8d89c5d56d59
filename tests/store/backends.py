"""The store's engines side by side, so one test runs against SQLite and PostgreSQL.

`backend` (see tests/store/conftest.py) is an `SqliteBackend` or a `PgBackend`,
each opening the real thing: a file in the test's folder, or a fresh database
on the session's own PostgreSQL server (tests/pg_server.py). Handles opened
through a backend are closed when the test ends.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from console.store.broadcasts import SqliteBroadcastStore
from console.store.catalogue import Catalogue
from console.store.journal import Journal
from console.store.upload_store import SqliteUploadStore


class SqliteBackend:
    name = "sqlite"
    IntegrityError: type[Exception] = sqlite3.IntegrityError

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "history.sqlite3"
        self._opened: list[Any] = []

    def _keep(self, handle: Any) -> Any:
        self._opened.append(handle)
        return handle

    def journal(self, *, desk: str = "Front desk", operator: str = "anna", **kwargs: Any) -> Journal:
        return self._keep(Journal(self.path, desk=desk, operator=operator, **kwargs))

    def catalogue(self, **kwargs: Any) -> Catalogue:
        return self._keep(Catalogue(self.path, **kwargs))

    def upload_store(self, **kwargs: Any) -> SqliteUploadStore:
        return self._keep(SqliteUploadStore(self.path, **kwargs))

    def broadcast_store(self, **kwargs: Any) -> SqliteBroadcastStore:
        return self._keep(SqliteBroadcastStore(self.path, **kwargs))

    def everything_stored(self) -> bytes:
        """Every byte the engine keeps (to look for what must never be there)."""
        return b"".join(p.read_bytes() for p in self.folder.glob("history.sqlite3*"))

    def close(self) -> None:
        for handle in reversed(self._opened):
            handle.close()
        self._opened.clear()


class PgBackend:
    name = "postgres"

    def __init__(self, server: Any, dbname: str, folder: Path) -> None:
        import psycopg

        self.IntegrityError = psycopg.IntegrityError
        self.server = server
        self.dbname = dbname
        self.folder = folder
        self._opened: list[Any] = []

    @property
    def conninfo(self) -> str:
        from tests.pg_server import DESK_PASSWORD, DESK_ROLE

        return self.server.conninfo(self.dbname, tcp=True, user=DESK_ROLE, password=DESK_PASSWORD)

    def _keep(self, handle: Any) -> Any:
        self._opened.append(handle)
        return handle

    def engine(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        from console.store.pg.engine import PgEngine

        return self._keep(PgEngine(self.conninfo, where=f"{self.dbname} on loopback", **kwargs))

    def journal(self, *, desk: str = "Front desk", operator: str = "anna", **kwargs: Any):  # type: ignore[no-untyped-def]
        from console.store.pg.journal import PgJournal

        return self._keep(PgJournal(self.engine(), folder=self.folder / "office", desk=desk,
                                    operator=operator, **kwargs))

    def catalogue(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        from console.store.pg.catalogue import PgCatalogue

        return self._keep(PgCatalogue(self.engine(), **kwargs))

    def upload_store(self, *, desk: str = "Front desk", **kwargs: Any):  # type: ignore[no-untyped-def]
        from console.store.pg.uploads import PgUploadStore

        return self._keep(PgUploadStore(self.engine(), desk=desk, **kwargs))

    def broadcast_store(self, *, desk: str = "Front desk", **kwargs: Any):  # type: ignore[no-untyped-def]
        from console.store.pg.broadcasts import PgBroadcastStore

        return self._keep(PgBroadcastStore(self.engine(), desk=desk, operator="anna", **kwargs))

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement as the database's owner, outside the console's code."""
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            cursor = conn.execute(statement.encode(), params)
            return cursor.fetchall() if cursor.description else []

    def everything_stored(self) -> bytes:
        rows = self.sql("SELECT string_agg(e::text, ' ') FROM entries AS e")
        return (rows[0][0] or "").encode() if rows else b""

    def close(self) -> None:
        for handle in reversed(self._opened):
            handle.close()
        self._opened.clear()
