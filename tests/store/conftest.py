"""`backend`: each store test that takes it runs on SQLite and on PostgreSQL (tests/store/backends.py)."""
from __future__ import annotations

import pytest

from tests.store.backends import PgBackend, SqliteBackend


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        opened = SqliteBackend(tmp_path)
    else:
        server = request.getfixturevalue("pg_server")
        opened = PgBackend(server, request.getfixturevalue("pg_database"), tmp_path)
    try:
        yield opened
    finally:
        opened.close()
