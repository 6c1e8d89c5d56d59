"""The runner judges each row just before it goes: rules and caps of that moment, the office list."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.jobs.broadcast_runner import send_broadcast_row
from console.store.broadcasts import DncRecord, NewRow, RunSpec
from tests.jobs.broadcast_helpers import FixedClock, journal_sends, make_runner, open_store

# Friday 4 December 2026, 18:00 in Miami (23:00 UTC): inside Florida's 8:00-20:00.
FRIDAY_SIX_PM = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
FL = ["3055550001", "3055550002", "3055550003", "3055550004"]


@pytest.fixture
def store(console_env):
    s = open_store(console_env)
    yield s
    s.close()


def florida_run(store, numbers=FL):
    return store.create_run(
        RunSpec(profile_id="sandbox", profile_name="Sandbox", kind="sms", name="Reminder",
                settings={"from": "8459511000", "per_second": 50, "per_minute": 6000,
                          "office_zone": "America/New_York"}),
        [NewRow(source_row=i + 2, number=n, text=f"Hi {i}", segments=1, us_state="FL",
                place="Florida (state column 'state')", zones="America/New_York")
         for i, n in enumerate(numbers)])


def test_a_rule_that_changes_mid_broadcast_applies_to_the_next_row(console_env, store, qtbot):
    run_id = florida_run(store)
    runner = make_runner(console_env, store, FixedClock(FRIDAY_SIX_PM))
    sent = []

    async def send_row(run, row):
        result = await send_broadcast_row(console_env.sender, run, row)
        sent.append(row.number)
        if len(sent) == 1:  # the office closes Florida at 17:00 from now on
            store.save_office_rules({"FL": {"closes": "17:00"}})
        return result

    runner._send_row = send_row
    runner.start(run_id)
    qtbot.waitUntil(lambda: [r.state for r in store.rows(run_id)] == ["sent"] + ["waiting"] * 3,
                    timeout=15000)
    assert sent == FL[:1]
    waiting = store.rows(run_id)[1]
    assert waiting.message == "waits until Sat 08:00 (Florida, 8:00–17:00)"
    assert waiting.not_before == datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    runner.cancel(run_id)
    qtbot.waitUntil(lambda: not runner.is_running(run_id), timeout=5000)


def test_an_opt_out_imported_mid_broadcast_stops_the_next_row(console_env, store, qtbot):
    run_id = florida_run(store, FL[:3])
    runner = make_runner(console_env, store, FixedClock(FRIDAY_SIX_PM))

    async def send_row(run, row):
        result = await send_broadcast_row(console_env.sender, run, row)
        if row.number == FL[0]:
            store.add_do_not_contact([DncRecord(FL[1], "reply STOP", "2026-12-04T22:59:00+00:00",
                                                "reply imported from replies.csv")])
        return result

    runner._send_row = send_row
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.start(run_id)
    rows = store.rows(run_id)
    assert [r.state for r in rows] == ["sent", "skipped", "sent"]
    assert rows[1].message == "skipped: opted out on 4 Dec 2026 by reply STOP"
    assert [m["to"] for m in console_env.sandbox.outbox()["sms"]] == [FL[0], FL[2]]


def test_three_messages_today_from_another_broadcast_hold_a_florida_row(console_env, store, qtbot):
    journal_sends(console_env.journal.path, FL[0], [FRIDAY_SIX_PM - timedelta(hours=h) for h in (9, 7, 5)])
    journal_sends(console_env.journal.path, FL[1], [FRIDAY_SIX_PM - timedelta(hours=23)] * 3)
    run_id = florida_run(store, FL[:3])
    clock = FixedClock(FRIDAY_SIX_PM)
    runner = make_runner(console_env, store, clock)
    runner.start(run_id)
    qtbot.waitUntil(lambda: [r.state for r in store.rows(run_id)] == ["skipped", "waiting", "sent"],
                    timeout=15000)
    rows = store.rows(run_id)
    # Row 1: the cap frees on Saturday 09:00, after Friday's hours end: skipped.
    assert rows[0].message == "skipped: 3 messages in 24 h (Florida allows 3 messages in 24 h)"
    # Row 2: the oldest of its three is 24 hours old at 19:00: it waits until then.
    assert rows[1].message.startswith("waits until Fri 19:00 (3 messages in 24 h;")
    assert rows[1].not_before == FRIDAY_SIX_PM + timedelta(hours=1)
    clock.now = FRIDAY_SIX_PM + timedelta(hours=1)
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.resume(run_id)
    assert [r.state for r in store.rows(run_id)] == ["skipped", "sent", "sent"]
    assert sorted(m["to"] for m in console_env.sandbox.outbox()["sms"]) == [FL[1], FL[2]]
