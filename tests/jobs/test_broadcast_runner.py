"""The runner against the real sandbox: every row at most once, outcomes typed, the pace kept."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from console.sandbox import FaultRule
from console.store.broadcasts import CRASH_MESSAGE, SqliteBroadcastStore
from tests.jobs.broadcast_helpers import NOON_NEW_YORK, FixedClock, make_run, make_runner, numbers, open_store


@pytest.fixture
def store(console_env):
    s = open_store(console_env)
    yield s
    s.close()


def _states(store, run_id):
    return [r.state for r in store.rows(run_id)]


def _outbox_to(sandbox):
    return Counter(m["to"] for m in sandbox.outbox()["sms"])


def test_a_run_sends_every_row_once_and_journals_each(console_env, store, qtbot):
    run_id = make_run(store, count=5)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    with qtbot.waitSignal(runner.run_finished, timeout=15000) as finished:
        runner.start(run_id)
    assert finished.args == [run_id, "finished"]
    assert _states(store, run_id) == ["sent"] * 5
    sent = console_env.sandbox.outbox()["sms"]
    assert [(m["to"], m["body"]) for m in sent] == [
        (n, f"Hello customer {i}") for i, n in enumerate(numbers(5))]
    assert {r.result_id for r in store.rows(run_id)} == {m["reference_id"] for m in sent}
    assert console_env.journal.count(kind="sms", outcome="done") == 5
    # History lists the run's entries together.
    assert console_env.journal.count(group_id=str(run_id)) == 5
    assert store.run(run_id).state == "finished"


def test_calls_play_a_library_file(console_env, store, qtbot):
    run_id = make_run(store, count=2, kind="call")
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.start(run_id)
    calls = console_env.sandbox.outbox()["calls"]
    assert [(c["to"], c["type"], str(c["sfile_id"])) for c in calls] == [
        (n, "stream", "918357") for n in numbers(2)]


@pytest.mark.parametrize(("mode", "states"), [("skip", ["sent", "skipped", "sent"]),
                                               ("wait", ["sent", "waiting", "sent"])])
def test_quiet_hours_at_a_fixed_time(console_env, store, qtbot, mode, states):
    # 15:00 UTC in January: 10:00 in New York (open), 07:00 in Los Angeles (closed).
    clock = FixedClock(datetime(2026, 1, 15, 15, 0, tzinfo=UTC))
    run_id = make_run(store, to=["2125550001", "3105550002", "2125550003"], quiet_mode=mode)
    runner = make_runner(console_env, store, clock)
    runner.start(run_id)
    qtbot.waitUntil(lambda: store.run(run_id).counts.get("sent") == 2, timeout=15000)
    qtbot.waitUntil(lambda: _states(store, run_id) == states, timeout=5000)
    assert set(_outbox_to(console_env.sandbox)) == {"2125550001", "2125550003"}
    la = store.rows(run_id)[1]
    if mode == "skip":
        assert la.message == "skipped: outside 8:00–21:00 (California, their time)"
        return
    # 08:00 in Los Angeles is 16:00 UTC; the row goes once the clock gets there.
    assert la.not_before == datetime(2026, 1, 15, 16, 0, tzinfo=UTC)
    assert la.message == "waits until Thu 08:00 (California, 8:00–21:00)"
    assert runner.progress(run_id).next_opening == la.not_before
    clock.now = datetime(2026, 1, 15, 16, 0, tzinfo=UTC)
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.resume(run_id)  # wakes the waiting runner to look at the clock again
    assert _states(store, run_id) == ["sent"] * 3
    assert _outbox_to(console_env.sandbox) == Counter(["2125550001", "3105550002", "2125550003"])


def test_a_429_slows_the_whole_run_and_the_row_goes_once(console_env, store, qtbot):
    # Four 429s in a row: the client's own retries give up and the runner sees it.
    console_env.sandbox.add_fault(FaultRule("sms", "http429", count=4, retry_after=0.05))
    run_id = make_run(store, count=4, per_second=8)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    with qtbot.waitSignal(runner.rate_limited, timeout=15000) as slowed:
        runner.start(run_id)
    assert slowed.args[1] == pytest.approx(4.0)  # half of 8 per second
    qtbot.waitUntil(lambda: store.run(run_id).state == "finished", timeout=15000)
    assert _states(store, run_id) == ["sent"] * 4
    assert _outbox_to(console_env.sandbox) == Counter(numbers(4))
    assert runner.progress(run_id).slowed
    # History shows the refused attempt and the one that went.
    assert console_env.journal.count(kind="sms", outcome="failed") == 1
    assert console_env.journal.count(kind="sms", outcome="done") == 4


def test_an_unknown_outcome_is_listed_and_never_resent(console_env, store, qtbot):
    console_env.sandbox.add_fault(FaultRule("sms", "drop", count=1, acted=True))
    run_id = make_run(store, count=3)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.start(run_id)
    assert _states(store, run_id) == ["unknown", "sent", "sent"]
    assert "may have been sent" in store.rows(run_id)[0].message or store.rows(run_id)[0].message
    assert _outbox_to(console_env.sandbox) == Counter(numbers(3))  # the dropped one did arrive
    runner.mark_sent(run_id, [0])
    assert _states(store, run_id) == ["sent"] * 3
    assert store.rows(run_id)[0].message == "Marked as sent by you."


def test_send_again_is_the_users_choice(console_env, store, qtbot):
    console_env.sandbox.add_fault(FaultRule("sms", "drop", count=1))  # not acted: never arrived
    run_id = make_run(store, count=2)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.start(run_id)
    assert _states(store, run_id) == ["unknown", "sent"]
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.send_again(run_id, [0])
    assert _states(store, run_id) == ["sent", "sent"]
    assert _outbox_to(console_env.sandbox) == Counter(numbers(2))


def test_pause_and_resume(console_env, store, qtbot):
    run_id = make_run(store, count=12, per_second=20)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    runner.start(run_id)
    qtbot.waitUntil(lambda: store.run(run_id).counts.get("sent", 0) >= 2, timeout=15000)
    runner.pause(run_id)
    assert runner.is_paused(run_id)
    # The request in the air (if any) ends; then the run holds.
    qtbot.waitUntil(lambda: "sending" not in _states(store, run_id), timeout=15000)
    assert store.run(run_id).state == "paused"
    assert runner.progress(run_id).state == "paused"
    held = store.run(run_id).counts.get("queued", 0)
    assert held > 0
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.resume(run_id)
    assert _states(store, run_id) == ["sent"] * 12
    assert _outbox_to(console_env.sandbox) == Counter(numbers(12))


def test_cancel_keeps_what_went_and_cancels_the_rest(console_env, store, qtbot):
    run_id = make_run(store, count=30, per_second=10)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    runner.start(run_id)
    qtbot.waitUntil(lambda: store.run(run_id).counts.get("sent", 0) >= 1, timeout=15000)
    with qtbot.waitSignal(runner.run_finished, timeout=15000) as finished:
        runner.cancel(run_id)
    assert finished.args == [run_id, "cancelled"]
    counts = store.run(run_id).counts
    assert counts.get("sent", 0) + counts.get("cancelled", 0) == 30
    assert counts.get("cancelled", 0) > 0
    assert len(console_env.sandbox.outbox()["sms"]) == counts["sent"]


def test_a_scheduled_run_waits_for_its_time(console_env, store, qtbot):
    clock = FixedClock(NOON_NEW_YORK)
    run_id = make_run(store, count=2, start_at=NOON_NEW_YORK + timedelta(hours=1))
    runner = make_runner(console_env, store, clock)
    with qtbot.waitSignal(runner.progress_changed, timeout=5000):
        runner.start(run_id)
    assert _states(store, run_id) == ["queued", "queued"]
    assert runner.progress(run_id).state == "scheduled"
    assert store.run(run_id).state == "scheduled"
    clock.now = NOON_NEW_YORK + timedelta(hours=1)
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.resume(run_id)
    assert _states(store, run_id) == ["sent", "sent"]


def test_resume_after_a_crash_sends_only_the_rows_still_to_send(console_env, store, qtbot):
    run_id = make_run(store, count=5)
    # What a console killed mid-run leaves: two rows sent, one on the wire.
    store.set_run_state(run_id, "running")
    for position in (0, 1):
        store.mark_sending(run_id, position)
        store.finish_row(run_id, position, state="sent", result_id=f"R{position}")
    store.mark_sending(run_id, 2)
    store.close()

    again = SqliteBroadcastStore(console_env.journal.path)
    try:
        assert again.recover() == (1, 1)
        [offered] = again.resumable_runs()
        assert (offered.id, offered.to_send, offered.unknown) == (run_id, 2, 1)
        runner = make_runner(console_env, again, FixedClock(NOON_NEW_YORK))
        with qtbot.waitSignal(runner.run_finished, timeout=15000):
            runner.start(run_id)
        rows = again.rows(run_id)
        assert [r.state for r in rows] == ["sent", "sent", "unknown", "sent", "sent"]
        assert rows[2].message == CRASH_MESSAGE
        assert _outbox_to(console_env.sandbox) == Counter(numbers(5)[3:])
        assert again.run(run_id).unknown == 1  # listed for the user to decide
    finally:
        again.close()


@pytest.mark.expect_log("WARNING", r"not saved: The broadcast could not be saved",
                        logger="console.jobs.broadcast_runner")
def test_nothing_is_sent_when_the_sending_mark_cannot_be_saved(console_env, store, qtbot):
    import sqlite3

    run_id = make_run(store, count=2)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    store._db.execute("PRAGMA busy_timeout=50")
    other = sqlite3.connect(console_env.journal.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with qtbot.waitSignal(runner.run_stopped, timeout=15000) as stopped:
            runner.start(run_id)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "not sent, because the broadcast file could not be updated" in stopped.args[1]
    assert console_env.sandbox.outbox()["sms"] == []
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.resume(run_id)
    assert _outbox_to(console_env.sandbox) == Counter(numbers(2))


def test_a_run_pauses_when_the_active_profile_changes(console_env, store, qtbot):
    from tests.console_env import drive

    run_id = make_run(store, count=3)  # made with the Sandbox profile
    live = console_env.add_live_profile()
    drive(console_env.session.activate(live.id))
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    with qtbot.waitSignal(runner.run_stopped, timeout=15000) as stopped:
        runner.start(run_id)
    assert "no longer 'Sandbox'" in stopped.args[1]
    assert _states(store, run_id) == ["queued"] * 3
    assert console_env.sandbox.outbox()["sms"] == []
    drive(console_env.session.activate("sandbox"))
    with qtbot.waitSignal(runner.run_finished, timeout=15000):
        runner.resume(run_id)
    assert _states(store, run_id) == ["sent"] * 3


def test_closing_the_console_lets_the_request_in_the_air_finish(console_env, store, qtbot):
    from tests.console_env import drive

    # Every reply takes a moment, so the close lands while a request is out.
    console_env.sandbox.add_fault(FaultRule("sms", "slow", delay=0.3))
    run_id = make_run(store, count=20, per_second=50)
    runner = make_runner(console_env, store, FixedClock(NOON_NEW_YORK))
    runner.start(run_id)
    qtbot.waitUntil(lambda: "sending" in _states(store, run_id), timeout=15000)
    drive(runner.shutdown(grace=10))
    states = _states(store, run_id)
    assert "sending" not in states and "unknown" not in states
    assert states.count("sent") == len(console_env.sandbox.outbox()["sms"]) >= 1
    assert store.run(run_id).state == "interrupted"
    [offered] = store.resumable_runs()
    assert offered.to_send == states.count("queued") > 0
