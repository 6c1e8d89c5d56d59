"""How the History tab copes with a large journal.

Fills a journal with 100,000 entries, builds the History tab offscreen and
times: first rows shown, a filter applied, a search applied, and scrolling to
the very end (every fetchMore). Each figure is printed as median and worst in
milliseconds and as a ratio to a baseline measured in the same run: a plain
sqlite3 COUNT(*) plus SELECT ... LIMIT 200 on the same file, which is the
least any view of this journal has to do.

    .venv/bin/python bench/history_scroll.py [--entries 100000] [--repeat 7]
"""
from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from console.store.journal import Journal  # noqa: E402
from console.store.profiles import OwnNumber, Profile, sandbox_profile  # noqa: E402
from console.ui.history_tab import HistoryTab  # noqa: E402

KINDS = ("sms", "call", "tts", "upload")
OUTCOMES = ("done", "done", "done", "failed", "unknown")
WORDS = ("order", "ready", "pickup", "appointment", "reminder", "invoice", "table", "welcome",
         "thank", "you", "for", "calling", "your", "is", "at", "the", "front", "desk")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def fill(journal: Journal, clock: Clock, count: int, profiles: list[Profile]) -> None:
    with journal.batch():
        for n in range(count):
            clock.now += timedelta(minutes=1)
            kind = KINDS[n % len(KINDS)]
            profile = profiles[n % len(profiles)]
            words = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(6 + n % 9))
            content = f"{words} #{n}"
            recipient = (f"album {1 + n % 5} / sort {n % 300}" if kind in ("tts", "upload")
                         else f"845{n % 10_000_000:07d}")
            entry_id = journal.begin(kind=kind, profile_id=profile.id, profile_name=profile.name,
                                     recipient=recipient, content=content,
                                     request={"to": recipient, "body": content})
            outcome = OUTCOMES[n % len(OUTCOMES)]
            journal.finish(entry_id, outcome=outcome,
                           result_id=str(900000 + n) if outcome == "done" else None,
                           messages=[] if outcome == "done" else ["The server did not answer."])


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def baseline(path: Path) -> float:
    def run() -> None:
        db = sqlite3.connect(path)
        try:
            db.execute("SELECT COUNT(*) FROM entries").fetchone()
            db.execute("SELECT * FROM entries ORDER BY id DESC LIMIT 200").fetchall()
        finally:
            db.close()
    return timed(run)


def baseline_all_pages(path: Path) -> float:
    def run() -> None:
        db = sqlite3.connect(path)
        try:
            rows = db.execute("SELECT * FROM entries ORDER BY id DESC LIMIT 200").fetchall()
            while rows:
                rows = db.execute("SELECT * FROM entries WHERE id < ? ORDER BY id DESC LIMIT 200",
                                  (rows[-1][0],)).fetchall()
        finally:
            db.close()
    return timed(run)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    office = Profile(id="office-bench0", name="Main office", base_url="https://api.voitex.com",
                     numbers=[OwnNumber("8455550100", "Desk")])
    profiles = [sandbox_profile(), office]

    with tempfile.TemporaryDirectory(prefix="voitex-bench-") as folder:
        path = Path(folder) / "history.sqlite3"
        clock = Clock()
        journal = Journal(path, clock=clock)
        fill_ms = timed(lambda: fill(journal, clock, args.entries, profiles))
        print(f"filled {args.entries:,} entries in {fill_ms / 1000:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")

        results: dict[str, list[float]] = {name: [] for name in (
            "baseline: COUNT(*) + SELECT LIMIT 200",
            "first rows (build tab)",
            "filter: kind = SMS",
            "filter: outcome = Failed + profile",
            "search: 'appointment'",
            "search: '(845) 000-12'",
            "fetchMore page (scroll)",
            "scroll to the end (total)",
            "baseline: all pages by plain SELECT",
        )}
        # Which baseline each measure is compared with: single operations with
        # one count and one page, the whole scroll with reading every page.
        against = dict.fromkeys(results, "baseline: COUNT(*) + SELECT LIMIT 200")
        against["scroll to the end (total)"] = "baseline: all pages by plain SELECT"
        against["baseline: all pages by plain SELECT"] = "baseline: all pages by plain SELECT"
        names = list(results)

        def one_run() -> None:
            # A function of its own, so that the tab and its 100,000 loaded rows
            # are released when it returns, before the next run.
            tab_holder: list[HistoryTab] = []

            def build() -> None:
                tab = HistoryTab(journal=journal, profiles_provider=lambda: profiles, resend=None)
                tab.resize(1100, 700)
                tab.show()
                app.processEvents()
                assert tab.model.rowCount() == 200
                tab_holder.append(tab)

            results[names[1]].append(timed(build))
            tab = tab_holder[0]

            def choose(combo, text: str) -> None:
                combo.setCurrentIndex(combo.findText(text))
                app.processEvents()

            results[names[2]].append(timed(lambda: choose(tab.kind_combo, "SMS")))
            choose(tab.kind_combo, "All")
            results[names[3]].append(timed(lambda: (choose(tab.outcome_combo, "Failed"),
                                                    choose(tab.profile_combo, "Main office"))))
            choose(tab.outcome_combo, "All")
            choose(tab.profile_combo, "All")

            def search(text: str) -> None:
                tab.search_edit.setText(text)
                # Enter applies at once; the 250 ms typing pause is not what is measured.
                tab.search_edit.returnPressed.emit()
                app.processEvents()

            results[names[4]].append(timed(lambda: search("appointment")))
            results[names[5]].append(timed(lambda: search("(845) 000-12")))
            search("")

            pages: list[float] = []
            scroll_start = time.perf_counter()
            while tab.model.canFetchMore():
                # The view itself calls fetchMore when its scroll bar reaches the bottom.
                pages.append(timed(lambda: (tab.table.scrollToBottom(), app.processEvents())))
            results[names[7]].append((time.perf_counter() - scroll_start) * 1000)
            results[names[6]].extend(pages)
            assert tab.model.rowCount() == args.entries, tab.model.rowCount()
            tab.close()
            tab.deleteLater()
            # processEvents() alone leaves deferred deletes queued: each run's
            # 100,000 loaded rows would stay alive and slow the next run's GC.
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

        for _ in range(args.repeat):
            results[names[0]].append(baseline(path))
            results[names[8]].append(baseline_all_pages(path))

            one_run()
            gc.collect()

        journal.close()

    print(f"\n{'measure':40} {'median ms':>10} {'worst ms':>10} {'ratio':>8}")
    for name, values in results.items():
        median = statistics.median(values)
        base = statistics.median(results[against[name]])
        print(f"{name:40} {median:10.1f} {max(values):10.1f} {median / base:8.1f}x")
    print(f"\n(ratio = median / median of its baseline; the whole scroll is compared with "
          f"reading every page by plain SQL, the rest with one COUNT(*) + one page. "
          f"{args.repeat} runs; fetchMore pages: {len(results[names[6]]):,} samples)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
