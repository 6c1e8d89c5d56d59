"""Start-up: from process start to the first main window shown, against a bare
PySide6 window with six empty tabs and a menu bar, measured the same way in
the same run.

Each run is a whole new process (`python -m console`) with a fresh
VOITEX_CONSOLE_HOME and QT_QPA_PLATFORM=offscreen. The console is started with
VOITEX_CONSOLE_STARTUP_PROBE=1: it prints, at its first paint and again when
its first tab is built, a line

    startup-probe: first-paint wall=<time.time()> rss_kib=<resident KiB>

and quits. The bare script prints the same line at its first paint. Time is
measured from just before the process is spawned (both pay the same
interpreter start) to the printed wall-clock time.

    python bench/startup.py [--runs 7]

Targets (issues 11 and 23): first window <= 2.5x the bare window; resident memory
<= bare + 25 MiB.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

TIME_RATIO_TARGET = 2.5
MEMORY_MARGIN_TARGET_MIB = 25

BARE_SCRIPT = textwrap.dedent('''
    import sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget

    def rss_kib():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    class FirstExpose(QObject):
        done = False
        def eventFilter(self, watched, event):
            if not self.done and event.type() == QEvent.Type.Expose and watched.isExposed():
                self.done = True
                QTimer.singleShot(0, report)
            return False

    def report():
        print(f"startup-probe: first-paint wall={time.time():.6f} rss_kib={rss_kib()}", flush=True)
        app.quit()

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    tabs = QTabWidget()
    for name in ("Recordings", "Text to speech", "SMS", "Calls", "Branch designer", "History"):
        tabs.addTab(QLabel(""), name)
    window.setCentralWidget(tabs)
    for name in ("&File", "&Profile", "&Help"):
        window.menuBar().addMenu(name)
    window.resize(1100, 760)
    watcher = FirstExpose()
    window.winId()
    window.windowHandle().installEventFilter(watcher)
    window.show()
    app.exec()
''')

PROBE = re.compile(r"startup-probe: (?P<event>[\w-]+) wall=(?P<wall>[\d.]+) rss_kib=(?P<rss>\d+)")


def run_once(argv: list[str], env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """{event: (seconds since spawn, resident MiB)} from one whole process."""
    started = time.time()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    events = {}
    for match in PROBE.finditer(done.stdout):
        events[match["event"]] = (float(match["wall"]) - started, int(match["rss"]) / 1024)
    if "first-paint" not in events:
        raise RuntimeError(f"no probe line from {argv}:\n{done.stdout}\n{done.stderr}")
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (median reported)")
    args = parser.parse_args()

    repo = Path(__file__).resolve().parent.parent
    base_env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="0")
    base_env.pop("VOITEX_CONSOLE_STARTUP_PROBE", None)
    with tempfile.TemporaryDirectory(prefix="voitex-startup-bench-") as tmp:
        bare_path = Path(tmp) / "bare_window.py"
        bare_path.write_text(BARE_SCRIPT, encoding="utf-8")
        bare, console = [], []
        # Warm the disk cache and the bytecode once, then interleave the runs so
        # a busy machine slows both alike.
        run_once([sys.executable, str(bare_path)], base_env)
        warm_home = Path(tempfile.mkdtemp(dir=tmp))
        run_once([sys.executable, "-m", "console"],
                 dict(base_env, VOITEX_CONSOLE_HOME=str(warm_home),
                      VOITEX_CONSOLE_STARTUP_PROBE="1"))
        for index in range(args.runs):
            bare.append(run_once([sys.executable, str(bare_path)], base_env))
            home = Path(tempfile.mkdtemp(prefix=f"home-{index}-", dir=tmp))
            env = dict(base_env, VOITEX_CONSOLE_HOME=str(home), VOITEX_CONSOLE_STARTUP_PROBE="1",
                       PYTHONPATH=str(repo) + os.pathsep + base_env.get("PYTHONPATH", ""))
            console.append(run_once([sys.executable, "-m", "console"], env))

    def median(runs, event, field):
        return statistics.median(run[event][field] for run in runs if event in run)

    bare_s, bare_mib = median(bare, "first-paint", 0), median(bare, "first-paint", 1)
    shown_s, shown_mib = median(console, "first-paint", 0), median(console, "first-paint", 1)
    ready_s, ready_mib = median(console, "tab-ready", 0), median(console, "tab-ready", 1)
    print(f"start-up, median of {args.runs} whole-process runs (offscreen, fresh config folder)")
    print(f"  bare PySide6 window (6 empty tabs, menu bar): {bare_s * 1000:7.0f} ms  "
          f"{bare_mib:6.1f} MiB")
    time_ratio = shown_s / bare_s
    extra = shown_mib - bare_mib
    print(f"  console, first window shown:                 {shown_s * 1000:7.0f} ms  "
          f"{shown_mib:6.1f} MiB   time {time_ratio:.2f}x (target <= {TIME_RATIO_TARGET}x) "
          f"{'ok' if time_ratio <= TIME_RATIO_TARGET else 'MISSED'}; "
          f"memory +{extra:.1f} MiB (target <= +{MEMORY_MARGIN_TARGET_MIB}) "
          f"{'ok' if extra <= MEMORY_MARGIN_TARGET_MIB else 'MISSED'}")
    print(f"  console, first tab built and shown:          {ready_s * 1000:7.0f} ms  "
          f"{ready_mib:6.1f} MiB   time {ready_s / bare_s:.2f}x; memory +{ready_mib - bare_mib:.1f} "
          "MiB (no target: after the first paint)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
