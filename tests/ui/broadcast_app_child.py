"""The whole console (ConsoleApp: window, tabs, embedded sandbox) for the kill test.

    python -m tests.ui.broadcast_app_child start ROWS
    python -m tests.ui.broadcast_app_child resume

"start" fills the Broadcast tab with ROWS pasted cells and presses Start, then
prints a line per row sent until it is killed. "resume" starts the console
again, presses the offered Resume, and when the run ends prints as JSON the
rows whose outcome is unknown and the numbers the embedded sandbox received
(its outbox is kept on disk across the two processes).
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtWidgets import QApplication  # noqa: E402

import qasync  # noqa: E402

from console.app import ConsoleApp  # noqa: E402
from console.sandbox import FaultRule  # noqa: E402
from console.store.paths import app_paths  # noqa: E402


async def main(mode: str, rows: int) -> int:
    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    app.window.show()
    app.window.show_tab("broadcast")
    tab = app.tabs["broadcast"]
    runner = app.broadcast_runner
    # Noon in New York whatever the real time: the federal calling hours always
    # apply, and this test is about crashes, not about them.
    runner._clock = tab._clock = lambda: datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    finished = asyncio.get_running_loop().create_future()
    runner.run_finished.connect(lambda *_: finished.done() or finished.set_result(None))
    runner.row_changed.connect(
        lambda row: print(f"row {row.position} {row.state}", flush=True) if row.state == "sent" else None)
    server = await app.sandbox.wait_running()  # the embedded sandbox, started after the first paint
    if mode == "start":
        # Slow replies (stored first, answered late): the kill likely lands mid-request.
        server.add_fault(FaultRule("sms", "slow", probability=0.5, delay=0.05, seed=7))
        tab.load_pasted_text("name\tphone\n" + "\n".join(
            f"Customer {i}\t212555{i:04d}" for i in range(rows)))
        tab.body_edit.setPlainText("Hello {name}, the office is closed tomorrow.")
        tab.per_second_spin.setValue(100)
        tab.per_minute_spin.setValue(6000)
        tab.recompute()
        tab.start_button.click()
        print("started", flush=True)
        await asyncio.Event().wait()  # until killed
    if not tab.resume_button.isVisible():
        print(json.dumps({"error": "no broadcast was offered for resuming",
                          "banner": tab.resume_label.text()}), flush=True)
        return 1
    print(f"offered: {tab.resume_label.text()}", flush=True)
    tab.resume_button.click()
    await finished
    store = app.broadcasts
    [run] = store.runs()
    unknown = [r.number for r in store.rows(run.id) if r.state == "unknown"]
    states = {}
    for r in store.rows(run.id):
        states[r.state] = states.get(r.state, 0) + 1
    received = [m["to"] for m in server.outbox()["sms"]]
    print(json.dumps({"unknown": unknown, "states": states, "received": received,
                      "shown": tab.progress_label.text()}), flush=True)
    app.window.hide()
    await app.shutdown()
    return 0


if __name__ == "__main__":
    qapp = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        code = loop.run_until_complete(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0))
    sys.exit(code)
