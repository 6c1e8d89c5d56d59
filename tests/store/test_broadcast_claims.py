"""Several desks on one office broadcast: claims, leases, the "sending" mark, leaving (PostgreSQL)."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from console.store.broadcast_types import LOST_MESSAGE, Participant
from console.store.broadcasts import DncRecord, NewRow, RunSpec
from tests.store.backends import PgBackend

NOW = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
FRONT = Participant("desk Front desk 1 a", "Front desk", "desk")
BACK = Participant("desk Back office 2 b", "Back office", "desk")
RUNNER = Participant("runner server 3 c", "server", "runner")


@pytest.fixture
def office(pg_server, pg_database, tmp_path):
    opened = PgBackend(pg_server, pg_database, tmp_path)
    yield opened
    opened.close()


def eventually(check, timeout=10.0):
    """The condition's value once it holds (polled: the lease runs on the server's clock)."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.02)


def _run(store, count=6, **spec):
    return store.create_run(
        RunSpec(**{"profile_id": "main", "profile_name": "Main", "kind": "sms", "name": "Reminder",
                   "settings": {"from": "8459511000"}, **spec}),
        [NewRow(source_row=i + 2, number=f"21255500{i:02d}", text=f"Hi {i}", segments=1)
         for i in range(count)])


def test_two_desks_never_claim_the_same_row(office):
    front, back = office.broadcast_store(desk="Front desk"), office.broadcast_store(desk="Back office")
    run_id = _run(front, 10)
    front.join(run_id, FRONT, 30)
    back.join(run_id, BACK, 30)
    a = front.claim(run_id, FRONT, limit=4, lease_s=30, now=NOW)
    b = back.claim(run_id, BACK, limit=4, lease_s=30, now=NOW)
    c = back.claim(run_id, BACK, limit=4, lease_s=30, now=NOW)
    assert [len(a.rows), len(b.rows), len(c.rows)] == [4, 4, 2]  # never more than asked for
    got = [r.position for r in a.rows + b.rows + c.rows]
    assert sorted(got) == list(range(10)) and len(set(got)) == 10
    assert (a.run_state, a.participants, c.open_rows) == ("running", 2, 10)


def test_a_dead_desks_rows_are_claimed_again_but_its_sending_row_becomes_unknown(office):
    front, back = office.broadcast_store(desk="Front desk"), office.broadcast_store(desk="Back office")
    run_id = _run(front, 4)
    front.join(run_id, FRONT, 0.3)
    held = front.claim(run_id, FRONT, limit=3, lease_s=0.3, now=NOW).rows
    assert front.mark_sending_claimed(run_id, held[0].position, FRONT, 0.3).ok
    # The front desk dies here: no heartbeat renews its lease.
    back.join(run_id, BACK, 30)
    assert [r.position for r in back.claim(run_id, BACK, limit=10, lease_s=30, now=NOW).rows] == [3]
    claimed = eventually(lambda: back.claim(run_id, BACK, limit=10, lease_s=30, now=NOW).rows)
    assert sorted(r.position for r in claimed) == [1, 2]  # once the lease ran out

    def sending_row_given_up():
        # Row 0's lease was renewed when it was marked "sending", a moment after the claim:
        # it may outlive the others' by that moment. Meanwhile no claim may take it.
        assert not back.claim(run_id, BACK, limit=10, lease_s=30, now=NOW).rows
        row = back.rows(run_id)[0]
        return row if row.state == "unknown" else None

    row = eventually(sending_row_given_up)
    assert row is not None and (row.state, row.message) == ("unknown", LOST_MESSAGE)
    # Never claimed again for sending, whoever asks.
    assert not back.claim(run_id, BACK, limit=10, lease_s=30, now=NOW).rows
    # The front desk comes back with the answer it got: the truth replaces "unknown".
    assert front.finish_claimed(run_id, 0, FRONT, state="sent", result_id="R1")
    assert back.rows(run_id)[0].state == "sent"
    # ...but it cannot send the rows it lost.
    assert front.mark_sending_claimed(run_id, 1, FRONT, 30).why == "taken"


def test_a_heartbeat_keeps_the_rows_and_reports_the_run(office):
    front, back = office.broadcast_store(desk="Front desk"), office.broadcast_store(desk="Back office")
    run_id = _run(front, 3)
    front.join(run_id, FRONT, 0.5)
    front.claim(run_id, FRONT, limit=3, lease_s=0.5, now=NOW)
    back.join(run_id, BACK, 30)
    end = time.monotonic() + 1.2  # more than two leases, renewed all along
    while time.monotonic() < end:
        beat = front.heartbeat(run_id, FRONT, 0.5)
        assert back.claim(run_id, BACK, limit=3, lease_s=30, now=NOW).rows == []
        time.sleep(0.1)
    assert (beat.run_state, beat.participants, beat.holding) == ("running", 2, 3)


def test_sending_is_refused_when_paused_listed_or_not_ones_own(office):
    store = office.broadcast_store()
    run_id = _run(store, 3)
    store.join(run_id, FRONT, 30)
    rows = store.claim(run_id, FRONT, limit=3, lease_s=30, now=NOW).rows
    store.add_do_not_contact([DncRecord(rows[1].number, "reply STOP", "2026-01-15", "typed in")])
    listed = store.mark_sending_claimed(run_id, rows[1].position, FRONT, 30)
    assert (listed.ok, listed.why, listed.listed.reason) == (False, "listed", "reply STOP")
    assert store.mark_sending_claimed(run_id, rows[0].position, RUNNER, 30).why == "taken"
    store.set_run_state(run_id, "paused")  # from any desk
    assert store.mark_sending_claimed(run_id, rows[2].position, FRONT, 30).why == "paused"
    assert [r.state for r in store.rows(run_id)] == ["queued"] * 3


def test_leaving_gives_rows_back_and_marks_the_run(office):
    store = office.broadcast_store()
    run_id = _run(store, 2)
    store.join(run_id, FRONT, 30)
    store.join(run_id, RUNNER, 30)
    store.claim(run_id, FRONT, limit=2, lease_s=30, now=NOW)
    assert store.leave(run_id, FRONT) == "running"  # the runner still takes part
    assert store.leave(run_id, RUNNER) == "interrupted"  # nobody left, rows to send
    assert [r.state for r in store.rows(run_id)] == ["queued", "queued"]
    [offered] = store.resumable_runs()
    assert offered.id == run_id
    store.join(run_id, RUNNER, 30)
    for row in store.claim(run_id, RUNNER, limit=2, lease_s=30, now=NOW).rows:
        assert store.mark_sending_claimed(run_id, row.position, RUNNER, 30).ok
        assert store.finish_claimed(run_id, row.position, RUNNER, state="sent")
    done = store.claim(run_id, RUNNER, limit=2, lease_s=30, now=NOW)
    assert (done.run_state, done.rows) == ("finished", [])
    assert store.leave(run_id, RUNNER) == "finished"


def test_cancel_from_any_desk_stops_rows_another_desk_holds(office):
    front, back = office.broadcast_store(desk="Front desk"), office.broadcast_store(desk="Back office")
    run_id = _run(front, 3)
    front.join(run_id, FRONT, 30)
    rows = front.claim(run_id, FRONT, limit=3, lease_s=30, now=NOW).rows
    assert front.mark_sending_claimed(run_id, rows[0].position, FRONT, 30).ok
    assert back.cancel_run(run_id) == 2
    assert front.mark_sending_claimed(run_id, rows[1].position, FRONT, 30).why == "paused"
    front.finish_claimed(run_id, rows[0].position, FRONT, state="sent")
    assert [r.state for r in back.rows(run_id)] == ["sent", "cancelled", "cancelled"]


def test_waiting_rows_are_claimed_when_their_time_comes(office):
    store = office.broadcast_store()
    run_id = _run(store, 2)
    store.join(run_id, FRONT, 30)
    rows = store.claim(run_id, FRONT, limit=2, lease_s=30, now=NOW).rows
    later = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    for row in rows:
        assert store.finish_claimed(run_id, row.position, FRONT, state="waiting", message="quiet",
                                    not_before=later)
    early = store.claim(run_id, FRONT, limit=2, lease_s=30, now=NOW)
    assert (early.rows, early.open_rows, early.next_not_before) == ([], 2, later)
    assert len(store.claim(run_id, FRONT, limit=2, lease_s=30, now=later).rows) == 2


def test_run_ids_are_unique_across_desks_and_changes_are_reported(office):
    front, back = office.broadcast_store(desk="Front desk"), office.broadcast_store(desk="Back office")
    ids = {_run(front, 1), _run(back, 1), _run(front, 1)}
    assert len(ids) == 3
    run_id = max(ids)
    mark, rows = back.rows_changed_since(run_id, 0)
    assert [r.position for r in rows] == [0]
    assert back.rows_changed_since(run_id, mark)[1] == []
    front.join(run_id, FRONT, 30)
    [row] = front.claim(run_id, FRONT, limit=1, lease_s=30, now=NOW).rows
    front.mark_sending_claimed(run_id, row.position, FRONT, 30)
    assert [r.state for r in back.rows_changed_since(run_id, mark)[1]] == ["sending"]
    assert office.sql("SELECT desk FROM broadcast_runs WHERE id = %s", (run_id,)) == [("Front desk",)]


def test_a_desk_starting_leaves_the_rows_other_desks_send_alone(office):
    front, back = office.broadcast_store(desk="Front desk"), office.broadcast_store(desk="Back office")
    run_id = _run(front, 2)
    front.join(run_id, FRONT, 30)
    [row, _] = front.claim(run_id, FRONT, limit=2, lease_s=30, now=NOW).rows
    front.mark_sending_claimed(run_id, row.position, FRONT, 30)
    assert back.recover() == (0, 0)
    assert back.rows(run_id)[0].state == "sending"
    assert back.resumable_runs() == []  # the front desk is on it
