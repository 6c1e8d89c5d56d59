"""One schema, numbered steps, both engines: a file of the previous release upgrades in
place, and a store from a newer console is refused with words, on either engine."""
from __future__ import annotations

import sqlite3

import pytest

from console.store import migrations
from console.store.catalogue import Catalogue
from console.store.journal import Journal, JournalError
from console.store.upload_store import SqliteUploadStore

# What the release before this change wrote (PRAGMA user_version 2): the journal
# with its search index (steps 1 and 2), and beside it the upload queue's and the
# Library's tables, which those modules created themselves then (step 3 holds
# their statements as they were).
RELEASED_V2 = "".join(step.sqlite for step in migrations.STEPS[:3])


def released_file(path):
    db = sqlite3.connect(path, isolation_level=None)
    for statement in migrations.sqlite_statements(RELEASED_V2):
        db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name, recipient,"
        " content, request, outcome, result_id, messages, resend_of, change_seq, group_id)"
        " VALUES ('2026-03-01T09:00:00.000+00:00', '2026-03-01T09:00:02.000+00:00', 'upload',"
        " 'office', 'Office', 'album 1 / sort 5', 'hello.wav',"
        " '{\"album_number\": 1, \"sort_number\": 5, \"upload_file\": \"/x/hello.wav\"}',"
        " 'done', '918357', '[]', NULL, 1, NULL)")
    db.execute("INSERT INTO upload_rows (id, path, status) VALUES (1, '/x/queued.wav', 'queued')")
    db.close()


def test_steps_are_numbered_and_each_has_both_engines():
    assert [s.number for s in migrations.STEPS] == list(range(1, migrations.SCHEMA_VERSION + 1))
    for step in migrations.STEPS:
        assert step.name.startswith(f"m{step.number:03d}_")
        assert step.sqlite.strip() and step.postgres.strip()


def test_a_file_of_the_previous_release_is_upgraded_in_place_without_loss(tmp_path):
    path = tmp_path / "history.sqlite3"
    released_file(path)
    journal = Journal(path, desk="Front desk", operator="anna")
    try:
        version = journal.database.connection.execute("PRAGMA user_version").fetchone()[0]
        assert version == migrations.SCHEMA_VERSION
        [old] = journal.query()
        assert (old.content, old.outcome, old.result_id) == ("hello.wav", "done", "918357")
        assert (old.desk, old.operator) == ("", "")  # written before desks were recorded
        assert [e.id for e in journal.query(text="hello.w")] == [old.id]
        new = journal.begin(kind="sms", profile_id="office", profile_name="Office",
                            recipient="8451234567", content="Open today")
        assert (journal.get(new).desk, journal.get(new).operator) == ("Front desk", "anna")
        with Catalogue(path) as catalogue:
            assert catalogue.sync_from_history(journal).result(10) == 1
            assert catalogue.at("office", 1, 5).recording_id == "918357"
        uploads = SqliteUploadStore(path)
        assert [r.path for r in uploads.load().rows] == ["/x/queued.wav"]
        uploads.close()
    finally:
        journal.close()


def test_a_file_newer_than_this_console_is_refused_by_name(tmp_path):
    path = tmp_path / "history.sqlite3"
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(JournalError) as caught:
        Journal(path)
    text = str(caught.value)
    assert str(path) in text and "newer version of Voitex Console" in text
    assert f"schema version {migrations.SCHEMA_VERSION + 1}" in text


def test_postgres_is_migrated_from_empty_to_the_same_version(pg_server, pg_database):
    import psycopg

    with psycopg.connect(pg_server.conninfo(pg_database)) as conn:
        assert migrations.migrate_postgres(conn, "the test database") == 0
        assert migrations.postgres_version(conn) == migrations.SCHEMA_VERSION
        assert migrations.migrate_postgres(conn, "the test database") == migrations.SCHEMA_VERSION
        columns = {row[0] for row in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'entries'")}
        assert {"desk", "operator", "group_id", "source_key", "change_xid"} <= columns
        conn.execute("UPDATE voitex_schema SET version = 99")
        conn.commit()
        with pytest.raises(migrations.NewerSchemaError, match="schema version 99"):
            migrations.migrate_postgres(conn, "the test database")
