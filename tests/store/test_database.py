"""The one SQLite file: pragmas, migration from version 1, and repair of damage (real files)."""
from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from console.store.database import SCHEMA_VERSION, Database
from console.store.journal import Journal, JournalError
from console.store.paths import app_paths

# The schema of the console's first release, written out here (not imported),
# so the test keeps describing the files that exist on users' disks.
V1_SCHEMA = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sms', 'call', 'tts', 'upload')),
    profile_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    recipient TEXT NOT NULL,
    content TEXT NOT NULL,
    request TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'done', 'failed', 'unknown')),
    result_id TEXT,
    messages TEXT NOT NULL,
    resend_of INTEGER REFERENCES entries(id),
    change_seq INTEGER NOT NULL
);
CREATE INDEX entries_kind ON entries (kind);
CREATE INDEX entries_outcome ON entries (outcome);
CREATE INDEX entries_profile ON entries (profile_id);
CREATE INDEX entries_created ON entries (created_at);
CREATE INDEX entries_change ON entries (change_seq);
PRAGMA user_version = 1;
"""


@pytest.fixture
def path() -> Path:
    return app_paths().journal_file


def sms(journal, n, **extra):
    return journal.begin(kind="sms", profile_id="office", profile_name="Office",
                         recipient=f"845{n:07d}", content=f"Message number {n} " + "x" * (n % 50),
                         request={"to": f"845{n:07d}", "body": f"Message number {n}"}, **extra)


def test_pragmas_are_durable_and_short_waiting(path):
    database = Database(path)
    try:
        db = database.connection
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 250
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7  # steps 6, 7: office lists
        assert database.notice is None
    finally:
        database.close()


def test_a_version_1_file_is_migrated_keeping_its_entries(path):
    old = sqlite3.connect(path)
    old.executescript(V1_SCHEMA)
    old.executemany(
        "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name, recipient,"
        " content, request, outcome, result_id, messages, resend_of, change_seq)"
        " VALUES ('2024-03-01T09:00:00.000+00:00', '2024-03-01T09:00:00.000+00:00', 'sms',"
        " 'office', 'Office', ?, ?, '{}', 'done', 'R1', '[]', NULL, ?)",
        [("8451234567", "Your order is ready", 1), ("8457654321", "Table for two", 2)])
    old.commit()
    old.close()

    journal = Journal(path)
    try:
        assert journal.database.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [e.content for e in journal.query()] == ["Table for two", "Your order is ready"]
        assert all(e.group_id is None for e in journal.query())
        # The search index covers the entries written before the migration.
        assert [e.recipient for e in journal.query(text="order is rea")] == ["8451234567"]
        assert [e.recipient for e in journal.query(text="(845) 765-43")] == ["8457654321"]
        run = journal.begin(kind="sms", profile_id="office", profile_name="Office",
                            recipient="8450000001", content="Closed Monday", group_id="run-7")
        assert journal.get(run).group_id == "run-7"
        assert [e.id for e in journal.query(group_id="run-7")] == [run]
        assert journal.count(group_id="run-7") == 1
        assert journal.load_warning is None
    finally:
        journal.close()


def test_a_file_from_a_newer_console_is_refused_and_left_alone(path):
    newer = sqlite3.connect(path)
    newer.execute("PRAGMA user_version = 99")
    newer.close()
    with pytest.raises(JournalError, match="newer version"):
        Journal(path)
    assert path.exists()
    assert not list(path.parent.glob("*.broken-*"))


def test_a_locked_file_is_not_set_aside(path):
    # A file in rollback-journal mode, held by another program's write
    # transaction: not even reads get through. That is not damage.
    other = sqlite3.connect(path, isolation_level=None)
    other.executescript(V1_SCHEMA)
    other.execute("PRAGMA journal_mode=DELETE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
                  " recipient, content, request, outcome, messages, change_seq)"
                  " VALUES ('t', 't', 'sms', 'p', 'P', 'r', 'c', '{}', 'done', '[]', 1)")
    try:
        with pytest.raises(JournalError) as caught:
            Journal(path)
        text = str(caught.value)
        assert str(path) in text and "locked" in text and "Close" in text
        assert not list(path.parent.glob("*.broken-*"))
    finally:
        other.execute("ROLLBACK")
        other.close()


def make_damageable_file(path: Path, entries: int = 400) -> dict[int, tuple]:
    """A journal with `entries` entries and another module's table; returns the entries."""
    journal = Journal(path)
    with journal.batch():
        for n in range(entries):
            entry_id = sms(journal, n, group_id=f"run-{n % 3}")
            journal.finish(entry_id, outcome="done", result_id=f"R{n}")
    db = journal.database.connection
    db.execute("CREATE TABLE IF NOT EXISTS other_rows (id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
               " state TEXT NOT NULL)")
    with journal.database.transaction():
        db.executemany("INSERT INTO other_rows (path, state) VALUES (?, ?)",
                       [(f"/music/{n}.wav", "queued") for n in range(200)])
    original = {e.id: (e.recipient, e.content, e.outcome, e.result_id, e.group_id)
                for e in journal.query(limit=entries)}
    journal.close()
    assert not path.with_name(path.name + "-wal").exists()  # all in the main file
    return original


def garble(path: Path, offset_fraction: float, seed: int, length: int = 4096) -> None:
    data = bytearray(path.read_bytes())
    offset = int(len(data) * offset_fraction)
    noise = random.Random(seed).randbytes(length)
    data[offset:offset + length] = noise[: max(0, min(length, len(data) - offset))]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    ("garble", 0.15, 1), ("garble", 0.35, 2), ("garble", 0.5, 3), ("garble", 0.7, 4),
    ("garble", 0.9, 5), ("truncate", 0.6, 0), ("truncate", 0.85, 0),
])
def test_readable_rows_of_a_damaged_file_come_back(path, damage):
    how, where, seed = damage
    original = make_damageable_file(path)
    if how == "garble":
        garble(path, where, seed)
    else:
        with open(path, "r+b") as handle:
            handle.truncate(int(path.stat().st_size * where))

    journal = Journal(path)
    try:
        [copy] = path.parent.glob("history.sqlite3.broken-*")
        notice = journal.load_warning
        assert notice is not None
        assert str(path) in notice and str(copy) in notice
        saved = journal.database.rows_saved
        assert f"{saved:,} readable row" in notice
        entries = journal.query(limit=1000)
        uploads = journal.database.connection.execute("SELECT path FROM other_rows").fetchall()
        assert saved == len(entries) + len(uploads)
        assert entries, "some History entries are readable and must come back"
        for entry in entries:
            # What comes back is what was written, not garbage.
            assert (entry.recipient, entry.content, entry.outcome, entry.result_id,
                    entry.group_id) == original[entry.id]
        # The new file works: search, a new entry after the highest old id.
        some = entries[len(entries) // 2]
        assert some.id in [e.id for e in journal.query(text=some.content)]
        new_id = sms(journal, 10_000)
        assert new_id > max(original)  # an id of a lost entry is never handed out again
        assert journal.database.connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        journal.close()


def test_a_file_with_a_garbled_header_is_replaced_and_says_nothing_was_saved(path):
    make_damageable_file(path, entries=20)
    garble(path, 0.0, seed=9, length=200)
    journal = Journal(path)
    try:
        [copy] = path.parent.glob("history.sqlite3.broken-*")
        assert journal.load_warning == (
            f"The history file {path} was damaged: it was kept as {copy}, and 0 readable rows "
            "from it went into a new history file.")
        assert journal.count() == 0
        assert sms(journal, 1) >= 1
    finally:
        journal.close()


def test_a_column_name_garbled_in_the_schema_is_repaired_at_open(path):
    # One byte of the schema text turned into a space: "result_id TEXT" reads as a
    # column "result" of type "id TEXT". quick_check sees nothing; every History
    # read would fail on the missing column.
    journal = Journal(path)
    entry_id = journal.begin(kind="sms", profile_id="p", profile_name="P",
                             recipient="8451234567", content="kept")
    journal.finish(entry_id, outcome="done", result_id="R1")
    journal.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema=ON")
    db.execute("UPDATE sqlite_master SET sql = replace(sql, 'result_id TEXT', 'result id TEXT')"
               " WHERE name = 'entries'")
    db.commit()
    db.close()
    journal = Journal(path)
    try:
        assert journal.load_warning and "was damaged" in journal.load_warning
        [entry] = journal.query()
        assert (entry.id, entry.content, entry.outcome) == (entry_id, "kept", "done")
        assert sms(journal, 1) >= 1
    finally:
        journal.close()


def test_a_whole_file_that_is_not_a_database_is_set_aside(path):
    path.write_bytes(b"this is not a database" * 100)
    journal = Journal(path)
    try:
        assert "was damaged" in journal.load_warning
        assert journal.count() == 0
    finally:
        journal.close()


def test_a_large_file_is_checked_in_full_once_damage_was_seen(path, monkeypatch):
    """Above the size checked at every start, damage met while the console runs
    leaves a marker, and the next start repairs the file."""
    import console.store.database as database

    original = make_damageable_file(path)
    # Damage the page holding an old entry: History's newest rows stay readable.
    data = path.read_bytes()
    garble(path, data.index(b"Message number 50 ") / len(data), seed=11)
    monkeypatch.setattr(database, "FULL_CHECK_MAX_BYTES", 0)

    journal = Journal(path)  # the cheap check at start does not read the damaged page
    try:
        assert journal.load_warning is None
        assert journal.database.verify() is False  # what a background check would find
        with pytest.raises(JournalError, match="damaged. Restart"):
            journal.query(limit=1000)
        assert database.damage_marker(path).exists()
    finally:
        journal.close()

    repaired = Journal(path)
    try:
        assert "was damaged" in repaired.load_warning
        assert 0 < repaired.count() < len(original)
        assert not database.damage_marker(path).exists()
    finally:
        repaired.close()


def test_other_parts_add_their_tables_to_the_same_file(path):
    database = Database(path)
    try:
        database.ensure_tables("""
            CREATE TABLE IF NOT EXISTS other_rows (id INTEGER PRIMARY KEY, path TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS other_rows_path ON other_rows (path);
        """)
        database.ensure_tables("CREATE TABLE IF NOT EXISTS other_rows (id INTEGER PRIMARY KEY);")
        with database.transaction() as db:
            db.execute("INSERT INTO other_rows (path) VALUES ('/music/a.wav')")
    finally:
        database.close()
    journal = Journal(path)
    try:
        rows = journal.database.connection.execute("SELECT path FROM other_rows").fetchall()
        assert rows == [("/music/a.wav",)]
    finally:
        journal.close()
