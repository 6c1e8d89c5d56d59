"""The upload queue's store: both backends behind one interface, on real files."""
from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest

from console.store.upload_store import (
    MemoryUploadStore,
    SqliteUploadStore,
    StoredRow,
    UploadStore,
    open_upload_store,
)
from tests.store.backends import PgBackend, SqliteBackend


def rows():
    return [StoredRow(id=1, path="/a/01 A.wav", status="queued", album=1, sort=1,
                      display_name="A", info={"ok": True, "size": 10}, stamp=(10, 123),
                      sha256="ab" * 32),
            StoredRow(id=2, path="/a/02 B.wav", status="sent", album=1, sort=2, entry_id=7)]


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def store(request, tmp_path) -> UploadStore:
    if request.param == "memory":
        yield MemoryUploadStore()
        return
    if request.param == "sqlite":
        backend = SqliteBackend(tmp_path)
    else:
        backend = PgBackend(request.getfixturevalue("pg_server"),
                            request.getfixturevalue("pg_database"), tmp_path)
    try:
        yield backend.upload_store()
    finally:
        backend.close()


def test_each_desk_keeps_its_own_queue_in_the_office_database(pg_server, pg_database, tmp_path):
    backend = PgBackend(pg_server, pg_database, tmp_path)
    try:
        front, back = backend.upload_store(desk="Front desk"), backend.upload_store(desk="Back office")
        front.write(rows(), settings={"next_sort": 3})
        back.write([StoredRow(id=1, path="/b/x.wav", status="queued")], settings={"next_sort": 9})
        front.write(deleted=[2])
        assert [r.path for r in front.load().rows] == ["/a/01 A.wav"]
        assert front.load().settings == {"next_sort": 3}
        assert [(r.id, r.path) for r in back.load().rows] == [(1, "/b/x.wav")]
        assert back.load().settings == {"next_sort": 9}
        assert front.has_rows() and back.has_rows()
        assert not backend.upload_store(desk="Nobody").has_rows()
    finally:
        backend.close()


def test_rows_and_settings_round_trip(store):
    store.write(rows(), settings={"numbering": "filename", "concurrency": 3})
    store.write([StoredRow(id=2, path="/a/02 B.wav", status="done", album=1, sort=2,
                           recording_id="R1")], deleted=[1], durable=True)
    loaded = store.load()
    assert loaded.settings == {"numbering": "filename", "concurrency": 3}
    assert [(r.id, r.status, r.recording_id) for r in loaded.rows] == [(2, "done", "R1")]
    assert loaded.warning is None


def test_sqlite_tables_sit_beside_history_and_leave_its_version_alone(tmp_path):
    from console.store.journal import Journal

    path = tmp_path / "history.sqlite3"
    journal = Journal(path)
    store = SqliteUploadStore(path)
    try:
        store.write(rows(), durable=True)
        again = SqliteUploadStore(path)
        assert [(r.id, r.stamp, r.sha256, r.entry_id) for r in again.load().rows] == [
            (1, (10, 123), "ab" * 32, None), (2, None, None, 7)]
        again.close()
        with sqlite3.connect(path) as db:
            from console.store.database import SCHEMA_VERSION

            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION  # the journal's
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            assert {"upload_rows", "upload_settings", "entries"} <= tables
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        entry = journal.begin(kind="upload", profile_id="p", profile_name="P", recipient="r",
                              content="c")
        assert journal.get(entry).outcome == "pending"
    finally:
        store.close()
        journal.close()


@pytest.mark.expect_log("WARNING", r"left out a damaged upload queue row", logger="console.store.upload_store")
def test_a_damaged_row_is_left_out_and_the_rest_kept(tmp_path):
    path = tmp_path / "history.sqlite3"
    store = SqliteUploadStore(path)
    store.write(rows())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE upload_rows SET album = 'five', info = '[1]' WHERE id = 1")
    loaded = store.load()
    store.close()
    assert [r.id for r in loaded.rows] == [2]
    assert "Left out 1 row of" in loaded.warning and "kept the other 1." in loaded.warning


def test_the_json_file_is_migrated_once_and_renamed(tmp_path):
    legacy = tmp_path / "upload-queue.json"
    legacy.write_text(json.dumps({"version": 1, "settings": {"next_sort": 9}, "items": [
        {"path": "/a/x.wav", "status": "done", "album": 2, "sort": 8, "recording_id": "R9",
         "info": {"ok": True, "size": 5}},
        {"path": "/a/y.wav", "status": "uploading", "album": 2, "sort": 9}]}))
    store = SqliteUploadStore(tmp_path / "history.sqlite3", legacy_json=legacy)
    loaded = store.load()
    assert [(r.status, r.recording_id) for r in loaded.rows] == [("done", "R9"), ("unsure", None)]
    assert loaded.settings == {"next_sort": 9} and loaded.migrated == 2
    assert not legacy.exists() and (tmp_path / "upload-queue.json.migrated").exists()
    assert len(store.load().rows) == 2
    store.close()


@pytest.mark.expect_log("WARNING", r"The upload queue could not be opened", logger="console.store.upload_store")
def test_an_unusable_database_falls_back_to_memory_and_says_so(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    store, warning = open_upload_store(blocker / "history.sqlite3")
    assert isinstance(store, MemoryUploadStore)
    assert "could not be opened" in warning and "kept only until the console closes" in warning


# --- damage: whatever is in the file, the queue starts and says what it kept ---------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                       max_size=4),
    max_leaves=12)
_row_values = st.fixed_dictionaries({}, optional={
    key: _json_values | st.just("queued") | st.just("/a/b.wav")
    for key in ("path", "status", "album", "sort", "display_name", "info", "recording_id",
                "reason", "stamp", "finished_at", "awaiting_number")})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_row_values | _json_values, max_size=5), settings_value=_json_values)
@pytest.mark.expect_log("WARNING", r"left out row \d+ of", logger="console.store.upload_store")
def test_a_json_queue_with_any_values_is_salvaged_row_by_row(tmp_path_factory, items, settings_value):
    folder = tmp_path_factory.mktemp("legacy")
    legacy = folder / "upload-queue.json"
    legacy.write_text(json.dumps({"version": 1, "settings": settings_value, "items": items}))
    store = SqliteUploadStore(folder / "history.sqlite3", legacy_json=legacy)
    try:
        loaded = store.load()
    finally:
        store.close()
    assert not legacy.exists()  # migrated, or set aside and named
    if len(loaded.rows) < len(items):
        assert "could not be read" in loaded.warning
        assert list(folder.glob("upload-queue.json.broken-*"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({
    "album": _json_values, "sort": _json_values, "info": st.text(max_size=30) | st.none(),
    "stamp_size": _json_values, "status": _json_values}))
@pytest.mark.expect_log("WARNING", r"left out a damaged upload queue row", logger="console.store.upload_store")
def test_wrongly_typed_database_rows_are_left_out_not_fatal(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("db")
    store = SqliteUploadStore(folder / "history.sqlite3")
    store.write(rows())
    with sqlite3.connect(folder / "history.sqlite3") as db:
        for column, value in values.items():
            stored = value if isinstance(value, (int, float, str, type(None))) else json.dumps(value)
            if isinstance(stored, int) and not -2**63 <= stored < 2**63:
                stored = str(stored)
            with contextlib.suppress(sqlite3.IntegrityError):  # NOT NULL: the database itself refuses it
                db.execute(f"UPDATE upload_rows SET {column} = ? WHERE id = 1", (stored,))
    loaded = store.load()
    store.close()
    assert 2 in [r.id for r in loaded.rows]  # the undamaged row always survives
    if 1 not in [r.id for r in loaded.rows]:
        assert "could not be read" in loaded.warning
