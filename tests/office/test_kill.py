"""Two desks and the desk-less runner on one office broadcast of 1,000 rows, SIGKILLed at random.

Separate processes (tests/office/kill_harness.py): two desks, each with a home
of its own, and the real ``voitex-console broadcast run`` command, against one
PostgreSQL database and one sandbox. At 20 kill points (each a number of rows
done, drawn from a seed) one of the three, chosen at random, is killed with
SIGKILL and started again at once (a new process: a new participant; its old
claims come back after the lease). Then everybody finishes the run.

The sandbox answers some messages late (after it "sent" them), so a kill often
lands while a request is in the air. Afterwards, counted at the sandbox: no
number got more than one message; every row is accounted for; a row whose
message reached the sandbox is "sent" or "unknown" (never reclaimed and sent
again); a "sent" row's message arrived exactly once; at most one row per kill
is "unknown".

Replay a failure with the printed seed: ``VOITEX_KILL_SEED=N pytest tests/office/test_kill.py``.
"""
from __future__ import annotations

import os
import random
import time
from collections import Counter

import pytest

from tests.helpers import SANDBOX_KEY
from tests.jobs.broadcast_helpers import make_run, numbers
from tests.office.kill_harness import Office, database_url, rows_done, wait_for
from tests.store.backends import PgBackend

ROWS = 1000
KILLS = 20
LEASE_S = 1.0
PARTICIPANTS = (("Front desk", "desk"), ("Back office", "desk"), ("Night runner", "runner"))


@pytest.fixture
def seed():
    chosen = int(os.environ.get("VOITEX_KILL_SEED") or random.SystemRandom().randrange(1 << 30))
    print(f"\nkill seed: VOITEX_KILL_SEED={chosen}")
    return chosen


@pytest.fixture
def slow_sandbox(tmp_path, seed):
    """The sandbox; one message in five is answered 0.15 s after it was "sent"."""
    from console.sandbox import SandboxServer
    from console.sandbox.faults import FaultRule

    server = SandboxServer(data_dir=tmp_path / "sandbox-data", auth_key=SANDBOX_KEY,
                           faults=[FaultRule("sms", "slow", probability=0.2, delay=0.15, seed=seed)])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def office_db(pg_server, pg_database, tmp_path):
    opened = PgBackend(pg_server, pg_database, tmp_path)
    yield opened
    opened.close()


def test_sigkill_at_20_random_points_sends_each_row_at_most_once(office_db, slow_sandbox, seed,
                                                                   tmp_path):
    from tests.pg_server import DESK_PASSWORD

    rng = random.Random(seed)
    store = office_db.broadcast_store()
    run_id = make_run(store, count=ROWS, per_second=60, per_minute=6000)
    office = Office(folder=tmp_path, database_url=database_url(office_db), password=DESK_PASSWORD,
                    base_url=slow_sandbox.url, key=SANDBOX_KEY, run_id=run_id, lease_s=LEASE_S)
    # Kill points: rows done (at least 15 apart), each with its victim.
    points = sorted(rng.sample(range(10, 950, 15), KILLS))
    victims = [rng.randrange(len(PARTICIPANTS)) for _ in points]
    print("kill points (rows done, victim):",
          [(p, PARTICIPANTS[v][0]) for p, v in zip(points, victims, strict=True)])
    started = time.monotonic()
    try:
        current = {name: office.start(name, kind) for name, kind in PARTICIPANTS}
        kills = []
        for point, victim in zip(points, victims, strict=True):
            wait_for(lambda point=point: office.check() and rows_done(office_db, run_id) >= point, timeout_s=60,
                     what=f"{point} rows done\n{office.logs()}")
            name, kind = PARTICIPANTS[victim]
            current[name].kill()
            kills.append((rows_done(office_db, run_id), name))
            current[name] = office.start(name, kind)
        office.wait_all(timeout_s=90)
    finally:
        office.close()
    elapsed = time.monotonic() - started

    rows = store.rows(run_id)
    states = Counter(str(r.state) for r in rows)
    got = Counter(m["to"] for m in slow_sandbox.outbox()["sms"])
    print(f"killed at (rows done, who): {kills}\nrows: {dict(states)}; {sum(got.values())} messages"
          f" at the sandbox; {elapsed:.1f} s")
    assert len(kills) == KILLS
    assert len(rows) == ROWS and set(got) <= set(numbers(ROWS))
    assert max(got.values()) == 1, [n for n, c in got.items() if c > 1]
    assert set(states) <= {"sent", "unknown"}, (states, office.logs())
    for row in rows:
        if row.state == "sent":
            assert got[row.number] == 1, row
        if got[row.number]:
            assert row.state in ("sent", "unknown"), row
    assert states["unknown"] <= KILLS
    assert store.run(run_id).state == "finished"
    # Both desks and the runner sent (every process journals under its own desk name).
    desks = office_db.sql("SELECT DISTINCT desk FROM entries WHERE group_id = %s", (str(run_id),))
    assert {d[0] for d in desks} == {name for name, _kind in PARTICIPANTS}
