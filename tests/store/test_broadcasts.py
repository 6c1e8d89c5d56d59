from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from console.store.broadcasts import (
    CRASH_MESSAGE,
    BroadcastStoreError,
    DncRecord,
    NewRow,
    RunSpec,
    SqliteBroadcastStore,
)
from console.store.database import SCHEMA_VERSION
from console.store.journal import Journal


@pytest.fixture
def path(tmp_path):
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(backend):
    """The broadcast store on each engine (tests/store/backends.py)."""
    return backend.broadcast_store()


@pytest.fixture
def sqlite_store(path):
    s = SqliteBroadcastStore(path)
    yield s
    s.close()


def _spec(**kw):
    return RunSpec(**{"profile_id": "sandbox", "profile_name": "Sandbox", "kind": "sms",
                      "name": "Closed tomorrow", "settings": {"from": "8459511000"}, **kw})


def _rows(n):
    return [NewRow(source_row=i + 2, number=f"84512345{i:02d}", text=f"Hi {i}", segments=1)
            for i in range(n)]


def test_shares_the_history_file_without_touching_its_version(path):
    journal = Journal(path)
    store = SqliteBroadcastStore(path)
    run_id = store.create_run(_spec(), _rows(2))
    journal.begin(kind="sms", profile_id="p", profile_name="P", recipient="x", content="y")
    store.close()
    journal.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"entries", "broadcast_runs", "broadcast_rows", "broadcast_do_not_contact",
            "broadcast_templates"} <= tables
    assert db.execute("SELECT COUNT(*) FROM broadcast_rows WHERE run_id = ?", (run_id,)).fetchone() == (2,)
    db.close()


def test_run_life_cycle(store):
    run_id = store.create_run(_spec(), _rows(3))
    run = store.run(run_id)
    assert (run.state, run.to_send, run.settings) == ("paused", 3, {"from": "8459511000"})
    store.set_run_state(run_id, "running")
    store.mark_sending(run_id, 0)
    store.finish_row(run_id, 0, state="sent", result_id="R1")
    store.mark_sending(run_id, 1)
    rows = store.rows(run_id)
    assert [r.state for r in rows] == ["sent", "sending", "queued"]
    assert rows[0].result_id == "R1"
    assert store.run(run_id).counts == {"sent": 1, "sending": 1, "queued": 1}


def test_a_row_is_marked_sending_only_once(store):
    run_id = store.create_run(_spec(), _rows(1))
    store.mark_sending(run_id, 0)
    with pytest.raises(BroadcastStoreError, match="no longer waiting"):
        store.mark_sending(run_id, 0)
    store.finish_row(run_id, 0, state="sent")
    with pytest.raises(BroadcastStoreError):
        store.mark_sending(run_id, 0)


def test_recover_after_a_crash(path):
    store = SqliteBroadcastStore(path)
    run_id = store.create_run(_spec(), _rows(3))
    store.set_run_state(run_id, "running")
    store.mark_sending(run_id, 0)
    store.finish_row(run_id, 0, state="sent")
    store.mark_sending(run_id, 1)
    store.close()  # the process dies here

    again = SqliteBroadcastStore(path)
    assert again.recover() == (1, 1)
    rows = again.rows(run_id)
    assert [r.state for r in rows] == ["sent", "unknown", "queued"]
    assert rows[1].message == CRASH_MESSAGE
    [resumable] = again.resumable_runs()
    assert (resumable.id, resumable.state, resumable.to_send, resumable.unknown) == (run_id, "interrupted", 1, 1)
    again.close()


def test_scheduled_run_keeps_its_start(store):
    start = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    run_id = store.create_run(_spec(start_at=start), _rows(1))
    assert (store.run(run_id).state, store.run(run_id).start_at) == ("scheduled", start)


def test_waiting_rows_keep_their_time(store):
    run_id = store.create_run(_spec(), _rows(2))
    when = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    store.set_rows_state(run_id, [0, 1], state="waiting", message="Quiet hours", not_before=when)
    assert [(r.state, r.not_before) for r in store.rows(run_id)] == [("waiting", when)] * 2


def test_one_do_not_contact_list_for_the_office(store):
    assert store.add_do_not_contact([DncRecord("8451234567", "asked", "2026-01-01", "typed in"),
                                     DncRecord("8451234568", "moved", "2026-01-02")]) == 2
    # Already on the list: it keeps when and how it first arrived.
    assert store.add_do_not_contact([DncRecord("8451234567", "reply STOP", "2026-02-01")]) == 0
    assert store.do_not_contact_entry("8451234567") == DncRecord("8451234567", "asked", "2026-01-01",
                                                                 "typed in")
    assert store.do_not_contact_entry("8451234569") is None
    assert set(store.do_not_contact_map()) == {"8451234567", "8451234568"}
    store.remove_do_not_contact(["8451234568"])
    assert [r.number for r in store.do_not_contact()] == ["8451234567"]


def test_per_profile_lists_of_an_earlier_version_move_to_the_office_list_without_loss(path):
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE broadcast_do_not_contact (profile_id TEXT NOT NULL, number TEXT NOT NULL,
            reason TEXT NOT NULL, added TEXT NOT NULL, PRIMARY KEY (profile_id, number)) WITHOUT ROWID;
        INSERT INTO broadcast_do_not_contact VALUES ('sandbox', '8451234567', 'asked', '2026-03-01');
        INSERT INTO broadcast_do_not_contact VALUES ('main', '8451234567', 'complained', '2026-01-05');
        INSERT INTO broadcast_do_not_contact VALUES ('main', '8451234568', 'deceased', '2026-02-01');
    """)
    db.commit()
    db.close()
    store = SqliteBroadcastStore(path)
    try:
        assert store.do_not_contact() == [
            DncRecord("8451234567", "complained; asked", "2026-01-05",
                      "moved from the list of profile 'main', 'sandbox'"),
            DncRecord("8451234568", "deceased", "2026-02-01", "moved from the list of profile 'main'")]
        store.remove_do_not_contact(["8451234568"])
    finally:
        store.close()
    again = SqliteBroadcastStore(path)  # moved once: a removed number does not come back
    try:
        assert [r.number for r in again.do_not_contact()] == ["8451234567"]
    finally:
        again.close()


def test_a_run_keeps_the_rows_left_out_and_each_rows_place(store):
    from console.store.broadcasts import LeftOutRow

    rows = [NewRow(source_row=2, number="3055550001", text="Hi", segments=1, name="Ann",
                   us_state="FL", place="Florida (state column 'state')", zones="America/New_York",
                   preflight="sends now")]
    left = [LeftOutRow(3, "nope", "", "Bob", "", "", "invalid", "not a number")]
    run_id = store.create_run(_spec(), rows, left)
    [row] = store.rows(run_id)
    assert (row.name, row.us_state, row.zones, row.preflight) == ("Ann", "FL", "America/New_York",
                                                                  "sends now")
    assert store.left_out(run_id) == left


def test_rows_of_an_earlier_version_gain_the_new_columns(path):
    store = SqliteBroadcastStore(path)
    run_id = store.create_run(_spec(), _rows(1))
    store._db.execute("ALTER TABLE broadcast_rows DROP COLUMN preflight")
    store.close()
    again = SqliteBroadcastStore(path)
    try:
        assert again.rows(run_id)[0].preflight == ""
    finally:
        again.close()


def test_office_rules_are_kept(store):
    assert store.office_rules() == {}
    store.save_office_rules({"FL": {"cap": {"messages": 2, "hours": 24}}})
    assert store.office_rules() == {"FL": {"cap": {"messages": 2, "hours": 24}}}


def test_templates(store):
    store.save_template("Closed", "The office is closed {date}.")
    store.save_template("appointment", "See you {date}")
    store.save_template("Closed", "Closed on {date}.")
    assert store.templates() == {"appointment": "See you {date}", "Closed": "Closed on {date}."}
    store.delete_template("Closed")
    assert list(store.templates()) == ["appointment"]
    with pytest.raises(ValueError, match="Template name"):
        store.save_template("  ", "x")


def test_locked_file_is_a_clear_error(path, sqlite_store):
    store = sqlite_store
    run_id = store.create_run(_spec(), _rows(1))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        store._db.execute("PRAGMA busy_timeout=50")
        with pytest.raises(BroadcastStoreError, match="could not be saved"):
            store.mark_sending(run_id, 0)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.rows(run_id)[0].state == "queued"


def test_numbers_in_open_runs_are_those_still_to_send(store):
    waiting = store.create_run(_spec(), _rows(3))
    store.set_run_state(waiting, "running")
    store.mark_sending(waiting, 0)
    store.finish_row(waiting, 0, state="sent", result_id="R1")
    store.mark_sending(waiting, 1)  # in the air: it may still reach the customer
    over = store.create_run(_spec(), _rows(2))
    store.set_run_state(over, "finished")
    other = store.create_run(_spec(profile_id="other"), _rows(1))
    store.set_run_state(other, "running")
    assert store.numbers_in_open_runs("sandbox") == {"8451234501": waiting, "8451234502": waiting}
    assert store.numbers_in_open_runs("other") == {"8451234500": other}
