"""Kill the console with SIGKILL in the middle of a 200-row broadcast, restart, resume, count."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from console.sandbox import FaultRule
from console.store.broadcasts import SqliteBroadcastStore

ROOT = Path(__file__).resolve().parents[2]
ROWS = 200


def _child(mode: str, sandbox, home: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "VOITEX_CONSOLE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.broadcast_child", mode, sandbox.url,
                             *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 57, 150])
def test_sigkill_mid_run_then_resume_sends_each_row_at_most_once(sandbox, tmp_path, kill_after):
    home = tmp_path / "home"
    home.mkdir()
    # Slow replies (the message is stored first, the reply comes late) make it
    # likely that the kill lands while a request is on the wire.
    sandbox.add_fault(FaultRule("sms", "slow", probability=0.3, delay=0.05, seed=kill_after))
    first = _child("start", sandbox, home, str(ROWS))
    try:
        _wait_for(lambda: len(sandbox.outbox()["sms"]) >= kill_after, 60, f"{kill_after} messages")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
    arrived_before = Counter(m["to"] for m in sandbox.outbox()["sms"])
    assert arrived_before and max(arrived_before.values()) == 1

    second = _child("resume", sandbox, home)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    unknown = json.loads(out.strip().splitlines()[-1])["unknown"]

    arrived = Counter(m["to"] for m in sandbox.outbox()["sms"])
    assert max(arrived.values()) == 1, "a row reached the customer twice"
    store = SqliteBroadcastStore(home / "data" / "history.sqlite3")
    try:
        [run] = store.runs()
        rows = store.rows(run.id)
    finally:
        store.close()
    states = Counter(r.state for r in rows)
    print(f"killed after {kill_after}: arrived before restart {sum(arrived_before.values())}, "
          f"rows {dict(states)}, arrived in all {sum(arrived.values())}")
    # Every row ended: sent, or unknown and listed for the user; none queued or lost.
    assert set(states) <= {"sent", "unknown"}
    assert states["sent"] + states["unknown"] == ROWS
    assert sorted(u["number"] for u in unknown) == sorted(r.number for r in rows if r.state == "unknown")
    # The killed process had at most one request in the air: at most one unknown row.
    assert states["unknown"] <= 1
    sent_numbers = {r.number for r in rows if r.state == "sent"}
    assert sent_numbers <= set(arrived)
    # What arrived is exactly the sent rows, plus perhaps the one unknown row.
    assert set(arrived) - sent_numbers <= {u["number"] for u in unknown}
