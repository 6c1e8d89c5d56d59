"""A console process that runs a broadcast, for the kill-and-restart test.

    python -m tests.jobs.broadcast_child start SANDBOX_URL ROWS
    python -m tests.jobs.broadcast_child resume SANDBOX_URL

Built with the same parts and start-up order as console/app.py (journal and
broadcast store recovered before anything is sent, the Sender and the runner
on a qasync loop), without the window. "start" creates a run and sends until
killed; "resume" resumes what the last process left and prints, as JSON, the
rows whose outcome is unknown.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QCoreApplication  # noqa: E402

import qasync  # noqa: E402

from console.jobs.broadcast_runner import BroadcastRunner, send_broadcast_row  # noqa: E402
from console.jobs.sender import Sender  # noqa: E402
from console.jobs.session import AccountSession  # noqa: E402
from console.store.broadcasts import NewRow, RunSpec, SqliteBroadcastStore  # noqa: E402
from console.store.journal import Journal  # noqa: E402
from console.store.paths import app_paths  # noqa: E402
from console.store.profiles import ProfileStore  # noqa: E402
from console.store.secrets import SecretStore  # noqa: E402
from tests.helpers import SANDBOX_KEY  # noqa: E402


async def main(mode: str, sandbox_url: str, rows: int) -> int:
    paths = app_paths()
    journal = Journal(paths.data_dir / "history.sqlite3")
    journal.mark_crashed_pending_unknown()
    store = SqliteBroadcastStore(journal.path)
    store.recover()
    session = AccountSession(profiles=ProfileStore(paths.config_dir / "profiles.json"),
                             secrets=SecretStore.create(), sandbox_url=sandbox_url,
                             sandbox_key=SANDBOX_KEY)
    sender = Sender(session=session, journal=journal)
    # Noon in New York whatever the real time: the federal calling hours always
    # apply, and this test is not about them.
    runner = BroadcastRunner(store=store,
                             send_row=lambda run, row: send_broadcast_row(sender, run, row),
                             clock=lambda: datetime(2026, 1, 15, 17, 0, tzinfo=UTC))
    finished = asyncio.get_running_loop().create_future()
    pending: set[int] = set()

    def on_finished(run_id: int, _state: str) -> None:
        pending.discard(run_id)
        if not pending and not finished.done():
            finished.set_result(None)

    runner.run_finished.connect(on_finished)
    if mode == "start":
        run_id = store.create_run(
            RunSpec(profile_id="sandbox", profile_name="Sandbox", kind="sms", name="Kill test",
                    settings={"from": "8459511000", "per_second": 100, "per_minute": 6000,
                              "window_opens": "08:00", "window_closes": "21:00",
                              "office_zone": "America/New_York"}),
            [NewRow(source_row=i + 2, number=f"212555{i:04d}", text=f"Row {i}", segments=1)
             for i in range(rows)])
        pending.add(run_id)
        print(f"started {run_id}", flush=True)
        runner.start(run_id)
    else:
        for run in store.resumable_runs():
            if run.to_send:
                pending.add(run.id)
                runner.start(run.id)
        if not pending:
            finished.set_result(None)
    await finished
    unknown = [{"run": r.run_id, "position": r.position, "number": r.number}
               for run in store.runs() for r in store.rows(run.id) if r.state == "unknown"]
    print(json.dumps({"unknown": unknown}), flush=True)
    await session.aclose()
    store.close()
    journal.close()
    return 0


if __name__ == "__main__":
    app = QCoreApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code = loop.run_until_complete(main(sys.argv[1], sys.argv[2],
                                            int(sys.argv[3]) if len(sys.argv) > 3 else 0))
    sys.exit(code)
