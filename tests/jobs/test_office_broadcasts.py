"""Desks taking part in one office broadcast (PostgreSQL, the real sandbox, one process).

The multi-process tests (SIGKILL at random points, the desk-less runner) are in
tests/office/ (test_kill.py, test_optout_across_desks.py); these check the
runner's office side through its signals, as the Broadcast tab uses it.
"""
from __future__ import annotations

from collections import Counter

import pytest

from console.jobs.broadcast_runner import BroadcastRunner, send_broadcast_row
from console.jobs.sender import Sender
from console.store.broadcasts import DncRecord
from tests.jobs.broadcast_helpers import NOON_NEW_YORK, FixedClock, make_run, numbers
from tests.store.backends import PgBackend


@pytest.fixture
def office(pg_server, pg_database, tmp_path):
    opened = PgBackend(pg_server, pg_database, tmp_path)
    yield opened
    opened.close()


class Desk:
    """One desk's runner on the office database: its own store, journal and Sender."""

    def __init__(self, office, env, name):
        self.store = office.broadcast_store(desk=name)
        self.journal = office.journal(desk=name)
        self.sender = Sender(session=env.session, journal=self.journal)

        async def send_row(run, row):
            return await send_broadcast_row(self.sender, run, row)

        self.runner = BroadcastRunner(store=self.store, send_row=send_row,
                                      clock=FixedClock(NOON_NEW_YORK), history=self.journal,
                                      current_profile_id=lambda: env.session.profile.id)
        self.runner._office.lease_s = 2.0

    def close(self):
        self.sender.close()


@pytest.fixture
def desks(office, console_env):
    made = [Desk(office, console_env, name) for name in ("Front desk", "Back office")]
    yield made
    for desk in made:
        desk.close()


def _sent_to(sandbox):
    return Counter(m["to"] for m in sandbox.outbox()["sms"])


def test_two_desks_share_a_run_and_send_each_row_once(desks, console_env, qtbot):
    front, back = desks
    run_id = make_run(front.store, count=60, per_second=100)
    ended = []
    for desk in desks:
        desk.runner.run_finished.connect(lambda run, state: ended.append(state))
        desk.runner.judge.prepare(NOON_NEW_YORK)  # the tables, loaded once: both start at once
    front.runner.start(run_id)
    back.runner.start(run_id)
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=30000)
    assert ended == ["finished", "finished"]
    assert _sent_to(console_env.sandbox) == Counter(numbers(60))
    assert [r.state for r in front.store.rows(run_id)] == ["sent"] * 60
    desks_seen = Counter(e.desk for e in front.journal.query(group_id=str(run_id), limit=100))
    assert sum(desks_seen.values()) == 60
    assert set(desks_seen) == {"Front desk", "Back office"}  # both took part


def test_a_pause_at_one_desk_holds_the_other_and_resume_goes_on(desks, console_env, qtbot):
    front, back = desks
    run_id = make_run(front.store, count=40, per_second=20)
    stopped = []
    back.runner.run_stopped.connect(lambda run, why: stopped.append(why))
    back.runner.start(run_id)
    qtbot.waitUntil(lambda: front.store.run(run_id).counts.get("sent", 0) >= 3, timeout=15000)
    front.runner.pause(run_id)  # the front desk does not even take part
    qtbot.waitUntil(lambda: not back.runner.is_running(run_id), timeout=15000)
    assert stopped and "paused at another desk" in stopped[0]
    held = front.store.run(run_id)
    assert held.state == "paused" and held.counts.get("queued", 0) > 0
    assert "sending" not in held.counts
    with qtbot.waitSignal(front.runner.run_finished, timeout=30000):
        front.runner.resume(run_id)
    assert _sent_to(console_env.sandbox) == Counter(numbers(40))


def test_an_opt_out_at_one_desk_holds_the_row_at_the_other(desks, console_env, qtbot):
    front, back = desks
    run_id = make_run(front.store, count=3, per_second=1)
    front.store.add_do_not_contact([DncRecord(numbers(3)[2], "reply STOP", "2026-01-15", "typed in")])
    with qtbot.waitSignal(back.runner.run_finished, timeout=20000):
        back.runner.start(run_id)
    rows = back.store.rows(run_id)
    assert [r.state for r in rows] == ["sent", "sent", "skipped"]
    assert "do-not-contact" in rows[2].message or "STOP" in rows[2].message
    assert _sent_to(console_env.sandbox) == Counter(numbers(2))


def test_cancel_from_a_desk_that_does_not_take_part(desks, console_env, qtbot):
    front, back = desks
    run_id = make_run(front.store, count=30, per_second=10)
    back.runner.start(run_id)
    qtbot.waitUntil(lambda: front.store.run(run_id).counts.get("sent", 0) >= 2, timeout=15000)
    with qtbot.waitSignal(back.runner.run_finished, timeout=15000) as finished:
        front.runner.cancel(run_id)
    assert finished.args == [run_id, "cancelled"]
    counts = front.store.run(run_id).counts
    assert counts.get("cancelled", 0) > 0 and "queued" not in counts and "sending" not in counts
    assert sum(_sent_to(console_env.sandbox).values()) == counts["sent"]
