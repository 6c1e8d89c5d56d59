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
def store(path):
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


def test_do_not_contact_per_profile(store):
    assert store.add_do_not_contact("a", [DncRecord("8451234567", "asked", "2026-01-01"),
                                          DncRecord("8451234568", "moved", "2026-01-02")]) == 2
    assert store.add_do_not_contact("a", [DncRecord("8451234567", "asked twice", "2026-02-01")]) == 0
    assert store.do_not_contact_map("a") == {"8451234567": "asked twice", "8451234568": "moved"}
    assert store.do_not_contact_map("b") == {}
    store.remove_do_not_contact("a", ["8451234568"])
    assert [r.number for r in store.do_not_contact("a")] == ["8451234567"]


def test_templates(store):
    store.save_template("Closed", "The office is closed {date}.")
    store.save_template("appointment", "See you {date}")
    store.save_template("Closed", "Closed on {date}.")
    assert store.templates() == {"appointment": "See you {date}", "Closed": "Closed on {date}."}
    store.delete_template("Closed")
    assert list(store.templates()) == ["appointment"]
    with pytest.raises(ValueError, match="Template name"):
        store.save_template("  ", "x")


def test_locked_file_is_a_clear_error(path, store):
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
