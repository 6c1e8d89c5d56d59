"""The real Recordings tab under load: upload time against curl, and event-loop stalls.

    .venv/bin/python bench/bulk_upload_ui.py [--files 200] [--size-mib 1] [--concurrency 4]
                                             [--rate 10e6] [--drop-files 1000] [--rounds 1]

A sink paced to --rate bytes per second (10 MB/s, an office uplink; all
connections together) runs as a subprocess (bench/upload_throughput.py's
`--serve-sink`), shared by curl and the tab, so the server's work never
competes for this process's GIL. What users feel is the time on such a link.

1. Baseline: ONE `curl -Z --parallel-max N` process uploads the --files files
   (of --size-mib MiB each) to the paced sink (helpers shared with
   bench/upload_throughput.py).
2. The real tab (RecordingsTab over an UploadQueue with a VoitexClient, shown
   on the offscreen platform, qasync loop) gets the same files through
   `add_paths`; once they are read, its Upload button is clicked and the time to
   the last reply is taken. A 5 ms precise QTimer records how late each tick
   fires; the worst lateness is the worst event-loop stall.
   Targets: the tab within 1.1x curl's time, no stall over 16 ms. Before it,
   the same timer runs 1.5 s with nothing to do: how late the shared machine
   alone makes a tick, printed as the baseline.
3. --drop-files small files (wav, mp3, and some junk) in one folder are dropped
   on the tab as Qt delivers a drop; the worst stall until every row is read is
   printed. Target: at most 50 ms (issue 11).

Not part of the test suite: performance is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

import qasync
from upload_throughput import KEY, MIB, Sink, curl_round, make_files

from console.api import VoitexClient
from console.jobs import uploads as uq
from console.jobs.uploads import UploadQueue
from console.store.journal import Journal
from console.ui.recordings_tab import RecordingsTab
from tests.helpers import make_mp3, make_wav

TICK_MS = 5


class StallMeter:
    """A 5 ms timer; how late each tick fires is how long the loop was busy."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self.worst_busy = 0.0  # the loop thread's own CPU between two ticks
        self.ticks = 0
        self.late_over_16ms = 0
        self._last = 0.0
        self._last_cpu = 0.0

    def start(self) -> None:
        self.worst = 0.0
        self.worst_busy = 0.0
        self.ticks = 0
        self.late_over_16ms = 0
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        late = now - self._last - TICK_MS / 1000
        self.worst_busy = max(self.worst_busy, cpu - self._last_cpu)
        self._last, self._last_cpu = now, cpu
        self.ticks += 1
        self.worst = max(self.worst, late)
        if late > 0.016:
            self.late_over_16ms += 1


async def wait_for(condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the tab")
        await asyncio.sleep(0.02)


def make_drop_folder(folder: Path, count: int) -> None:
    """Mostly small wavs, some mp3s, some junk: the mix a real folder has."""
    folder.mkdir(parents=True, exist_ok=True)
    template_wav = make_wav(folder / "0000 template.wav", seconds=0.2)
    template_mp3 = make_mp3(folder / "0001 template.mp3", frames=40)
    wav_bytes, mp3_bytes = template_wav.read_bytes(), template_mp3.read_bytes()
    for n in range(2, count):
        if n % 10 == 3:
            (folder / f"{n:04d} notes.wav").write_text("not audio at all\n")
        elif n % 4 == 1:
            (folder / f"{n:04d} prompt.mp3").write_bytes(mp3_bytes)
        else:
            (folder / f"{n:04d} prompt.wav").write_bytes(wav_bytes)


async def run_tab(app, url: str, files: list[Path], drop_folder: Path | None, concurrency: int,
                  work: Path, round_no: int) -> dict:
    clients: list[VoitexClient] = []

    def client_factory() -> VoitexClient:
        if not clients:
            clients.append(VoitexClient(base_url=url, auth_key=KEY))
        return clients[0]

    journal = Journal(work / f"history-{round_no}.sqlite3")
    queue = UploadQueue(client_factory=client_factory, journal=journal,
                        state_path=work / f"queue-{round_no}.json",
                        profile=lambda: ("sandbox", "Sandbox"), concurrency=concurrency)
    tab = RecordingsTab(queue=queue, default_album=lambda: 300 + round_no)
    tab.resize(1200, 700)
    tab.show()
    meter = StallMeter()
    result: dict = {}
    try:
        # Warm up the connection so both sides start from an open socket.
        await client_factory().upload_recording(files[0], album_number=999, sort_number=0)
        # As console/app.py does once the current tab is built: what lives as
        # long as the window stays out of the garbage collector's scans.
        gc.freeze()
        # The baseline: the same ticker with nothing to do, in this run: how late
        # the shared machine alone makes a tick.
        meter.start()
        await asyncio.sleep(1.5)
        meter.stop()
        result["idle_stall_ms"] = meter.worst * 1000
        result["idle_busy_ms"] = meter.worst_busy * 1000
        tab.add_paths(files)
        await wait_for(lambda: len(queue) == len(files) and not queue.inspecting, 120)
        meter.start()
        start, cpu_start = time.perf_counter(), time.process_time()
        tab.action_bar.upload_button.click()
        await wait_for(lambda: not queue.has_active_uploads(), 600)
        result["upload_s"] = time.perf_counter() - start
        result["upload_cpu_s"] = time.process_time() - cpu_start
        meter.stop()
        result["upload_stall_ms"] = meter.worst * 1000
        result["upload_busy_ms"] = meter.worst_busy * 1000
        result["upload_late_ticks"] = meter.late_over_16ms
        counts = queue.counts()
        result["done"] = counts[uq.DONE]
        result["failed"] = counts[uq.FAILED]

        if drop_folder is not None:
            queue.clear_finished()
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(drop_folder))])
            # Qt hands a drop only to a widget that accepted the drag's entry.
            enter = QDragEnterEvent(QPoint(300, 300), Qt.DropAction.CopyAction, mime,
                                    Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
            event = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime,
                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
            expected = sum(1 for _ in drop_folder.iterdir())
            meter.start()
            start = time.perf_counter()
            QApplication.sendEvent(tab, enter)
            QApplication.sendEvent(tab, event)
            await wait_for(lambda: len(queue) == expected and not queue.inspecting, 300)
            result["inspect_s"] = time.perf_counter() - start
            meter.stop()
            result["inspect_stall_ms"] = meter.worst * 1000
            result["inspect_busy_ms"] = meter.worst_busy * 1000
            result["inspect_late_ticks"] = meter.late_over_16ms
            counts = queue.counts()
            result["inspected"] = (counts[uq.QUEUED], counts[uq.REJECTED])
    finally:
        meter.stop()
        queue.shutdown()
        for client in clients:
            await client.aclose()
        journal.close()
        tab.close()
        tab.deleteLater()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size-mib", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--drop-files", type=int, default=1000, help="0 skips the drop measurement")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--rate", type=float, default=10e6, help="bytes/s of the paced sink")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the baseline.")

    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="voitex-bench-ui-"))
    os.environ["VOITEX_CONSOLE_HOME"] = str(work / "home")
    sandbox = Sink(rate=args.rate)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        size = int(args.size_mib * MIB)
        files = make_files(work / "files", args.files, size)
        drop_folder = None
        if args.drop_files:
            drop_folder = work / "drop"
            make_drop_folder(drop_folder, args.drop_files)
        total_mib = args.files * size / MIB
        print(f"sink paced to {args.rate / 1e6:g} MB/s (subprocess) at {sandbox.url}; {args.files} files x "
              f"{args.size_mib:g} MiB, concurrency {args.concurrency}")

        curl_times, tab_times, stalls, results = [], [], [], []
        for r in range(args.rounds):
            curl_s, _curl_cpu = curl_round(sandbox.url, files, 200 + r, args.concurrency, work / "curl.cfg")
            curl_times.append(curl_s)
            result = loop.run_until_complete(run_tab(
                app, sandbox.url, files, drop_folder if r == 0 else None, args.concurrency, work, r))
            results.append(result)
            tab_times.append(result["upload_s"])
            stalls.append(result["upload_stall_ms"])
            print(f"round {r + 1}: curl {curl_times[-1]:.2f} s; tab {result['upload_s']:.2f} s "
                  f"(CPU {result['upload_cpu_s']:.2f} s; {result['done']} done, {result['failed']} failed), "
                  f"worst stall "
                  f"{result['upload_stall_ms']:.1f} ms, ticks later than 16 ms: {result['upload_late_ticks']}")

        curl_s, tab_s = statistics.median(curl_times), statistics.median(tab_times)
        print(f"upload: tab {tab_s:.2f} s ({total_mib / tab_s:.0f} MiB/s) vs curl -Z {curl_s:.2f} s "
              f"({total_mib / curl_s:.0f} MiB/s): ratio {tab_s / curl_s:.2f} (target <= 1.1)")
        idle = max(r["idle_stall_ms"] for r in results)
        idle_busy = max(r["idle_busy_ms"] for r in results)
        print(f"upload: worst event-loop stall {max(stalls):.1f} ms (target <= 16 ms); loop thread "
              f"busy at most {max(r['upload_busy_ms'] for r in results):.1f} ms between ticks; "
              f"baseline, the idle loop in the same run: {idle:.1f} ms late, busy {idle_busy:.1f} ms")
        first = results[0]
        if "inspect_s" in first:
            queued, rejected = first["inspected"]
            print(f"drop of {args.drop_files} files: all read in {first['inspect_s']:.2f} s "
                  f"({queued} queued, {rejected} rejected); worst event-loop stall "
                  f"{first['inspect_stall_ms']:.1f} ms (target <= 50 ms), loop thread busy at most "
                  f"{first['inspect_busy_ms']:.1f} ms; ticks later than 16 ms: "
                  f"{first['inspect_late_ticks']}; baseline, the idle loop: {idle:.1f} ms late")
    finally:
        sandbox.stop()
        asyncio.set_event_loop(None)
        loop.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
