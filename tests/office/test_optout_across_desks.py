"""An opt-out entered at one desk is refused at the other within 2 s (separate processes).

Desk B (tests/office/desk_child.py) sends an office broadcast. Once B holds the
row of one customer's number (claimed, about to go), desk A, another process
with its own home (tests/office/optout_child.py), puts that number on the
office's do-not-contact list as its Do-not-contact tab does. Within 2 s of A's
write the row is "skipped" at B with the list's words, the sandbox never gets
a message to that number, and everybody else still gets theirs.
"""
from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.helpers import SANDBOX_KEY
from tests.jobs.broadcast_helpers import make_run, numbers
from tests.office.kill_harness import Office, database_url, rows_done, wait_for
from tests.store.backends import PgBackend

ROWS = 12
TARGET = 6  # the customer who opts out, by index in the list


@pytest.fixture
def office_db(pg_server, pg_database, tmp_path):
    opened = PgBackend(pg_server, pg_database, tmp_path)
    yield opened
    opened.close()


def _row(db: PgBackend, run_id: int, number: str) -> tuple[str, str | None, str]:
    found = db.sql("SELECT state, claimed_by, message FROM broadcast_rows WHERE run_id = %s"
                   " AND number = %s", (run_id, number))
    return found[0][0], found[0][1], found[0][2]


def _line(child, prefix: str) -> str | None:
    for line in child.log.read_text(errors="replace").splitlines():
        if line.startswith(prefix):
            return line
    return None


def test_an_opt_out_at_desk_a_is_refused_by_desk_b_within_two_seconds(office_db, sandbox,
                                                                        tmp_path):
    from tests.pg_server import DESK_PASSWORD

    store = office_db.broadcast_store()
    to = numbers(ROWS)
    target = to[TARGET]
    run_id = make_run(store, to=to, per_second=4)
    office = Office(folder=tmp_path, database_url=database_url(office_db), password=DESK_PASSWORD,
                    base_url=sandbox.url, key=SANDBOX_KEY, run_id=run_id, lease_s=3.0)
    try:
        front = office.spawn("Front desk", "desk", ["-m", "tests.office.optout_child",
                                                    "--desk", "Front desk"], stdin=True)
        wait_for(lambda: _line(front, "ready"), timeout_s=30, what="desk A ready")
        back = office.start("Back office", "desk")
        # B holds the customer's row and is about to send it: two rows before it are done.
        wait_for(lambda: (office.check() and _row(office_db, run_id, target)[1] is not None
                          and rows_done(office_db, run_id) >= TARGET - 2),
                 timeout_s=30, what=f"desk B holding {target}\n{office.logs()}")
        assert _row(office_db, run_id, target)[0] == "queued"
        assert front.proc.stdin is not None
        front.proc.stdin.write(f"{target}\n".encode())
        front.proc.stdin.flush()
        added = wait_for(lambda: _line(front, "added"), timeout_s=10, what="desk A's write")
        written_at = float(added.split()[-1])
        left = 2.0 - (time.time() - written_at)
        assert left > 0
        wait_for(lambda: _row(office_db, run_id, target)[0] == "skipped", timeout_s=left,
                 every_s=0.01, what=f"desk B refusing {target} within 2 s of the opt-out")
        refused_after = time.time() - written_at
        back.proc.wait(timeout=30)
        assert _line(back, "left finished"), back.tail()
    finally:
        office.close()
    print(f"\nrefused {refused_after:.2f} s after desk A's write")
    state, _holder, message = _row(office_db, run_id, target)
    assert state == "skipped" and "Asked at the front desk" in message, message
    got = Counter(m["to"] for m in sandbox.outbox()["sms"])
    assert target not in got
    assert got == Counter(n for n in to if n != target)
