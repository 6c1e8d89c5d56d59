"""How the History tab copes with a large journal.

Fills a journal with 100,000 entries, builds the History tab offscreen and
times: first rows shown, a filter applied, a search applied, and scrolling to
the very end (every fetchMore). Each figure is printed as median and worst in
milliseconds, as a ratio to a baseline measured in the same run, and against
its target (issue 11: a search <= 50 ms worst; no event-loop stall > 16 ms
while History scrolls). Baselines, all plain sqlite3 on the same file:
COUNT(*) plus SELECT ... LIMIT 200 (the least any view has to do); the same
search done the plain way (LIKE '%text%' over recipient and content, COUNT
plus the first page: what History did before its trigram index); reading
every page by key.

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


def baseline_like_search(path: Path, text: str) -> float:
    """The search as plain SQLite does it without an index: a LIKE scan."""
    pattern = f"%{text}%"

    def run() -> None:
        db = sqlite3.connect(path)
        try:
            where = "WHERE recipient LIKE ? OR content LIKE ?"
            db.execute(f"SELECT COUNT(*) FROM entries {where}", (pattern, pattern)).fetchone()
            db.execute(f"SELECT * FROM entries {where} ORDER BY id DESC LIMIT 201",
                       (pattern, pattern)).fetchall()
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

        plain = "baseline: COUNT(*) + SELECT LIMIT 200"
        plain_search = "baseline: plain LIKE search, worst term"
        all_pages = "baseline: all pages by plain SELECT"
        searches = ("appointment", "(845) 000-12", "#99999", "zzzz", "ap")
        results: dict[str, list[float]] = {name: [] for name in (
            plain,
            plain_search,
            "first rows (build tab)",
            "filter: kind = SMS",
            "filter: outcome = Failed + profile",
            *(f"search: {text!r}" for text in searches),
            "search: exact count arrives (background)",
            "fetchMore page (scroll)",
            "scroll to the end (total)",
            all_pages,
        )}
        # Which baseline each measure is compared with, and its target (worst, ms).
        against = dict.fromkeys(results, plain)
        against.update({f"search: {text!r}": plain_search for text in searches})
        against["search: exact count arrives (background)"] = plain_search
        against[plain_search] = plain_search
        against["scroll to the end (total)"] = all_pages
        against[all_pages] = all_pages
        targets = {f"search: {text!r}": 50.0 for text in searches}
        targets["fetchMore page (scroll)"] = 16.0

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

            results["first rows (build tab)"].append(timed(build))
            tab = tab_holder[0]

            def choose(combo, text: str) -> None:
                combo.setCurrentIndex(combo.findText(text))
                app.processEvents()

            results["filter: kind = SMS"].append(timed(lambda: choose(tab.kind_combo, "SMS")))
            choose(tab.kind_combo, "All")
            results["filter: outcome = Failed + profile"].append(
                timed(lambda: (choose(tab.outcome_combo, "Failed"),
                               choose(tab.profile_combo, "Main office"))))
            choose(tab.outcome_combo, "All")
            choose(tab.profile_combo, "All")

            def search(text: str) -> None:
                tab.search_edit.setText(text)
                # Enter applies at once; the 250 ms typing pause is not what is measured.
                tab.search_edit.returnPressed.emit()
                app.processEvents()

            for text in searches:
                results[f"search: {text!r}"].append(timed(lambda text=text: search(text)))
            search("appointment")
            start = time.perf_counter()
            while not tab.model.total_is_exact():
                app.processEvents()
                time.sleep(0.001)
            results["search: exact count arrives (background)"].append(
                (time.perf_counter() - start) * 1000)
            search("")

            pages: list[float] = []
            scroll_start = time.perf_counter()
            while tab.model.canFetchMore():
                # The view itself calls fetchMore when its scroll bar reaches the bottom.
                pages.append(timed(lambda: (tab.table.scrollToBottom(), app.processEvents())))
            results["scroll to the end (total)"].append((time.perf_counter() - scroll_start) * 1000)
            results["fetchMore page (scroll)"].extend(pages)
            assert tab.model.rowCount() == args.entries, tab.model.rowCount()
            tab.close()
            tab.deleteLater()
            # processEvents() alone leaves deferred deletes queued: each run's
            # 100,000 loaded rows would stay alive and slow the next run's GC.
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

        for _ in range(args.repeat):
            results[plain].append(baseline(path))
            results[plain_search].append(max(baseline_like_search(path, t) for t in searches))
            results[all_pages].append(baseline_all_pages(path))
            one_run()
            gc.collect()

        journal.close()

    print(f"\n{'measure':42} {'median ms':>10} {'p95 ms':>8} {'worst ms':>10} {'ratio':>8} "
          f"{'target':>14}")
    for name, values in results.items():
        median = statistics.median(values)
        base = statistics.median(results[against[name]])
        target = targets.get(name)
        verdict = ""
        if target is not None:
            verdict = f"<= {target:.0f} ms " + ("ok" if max(values) <= target else "MISSED")
        p95 = sorted(values)[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{name:42} {median:10.1f} {p95:8.1f} {max(values):10.1f} {median / base:8.2f}x "
              f"{verdict:>14}")
    print(f"\n(ratio = median / median of its baseline: searches against the same searches "
          f"done by a plain LIKE scan, the whole scroll against reading every page by plain "
          f"SQL, the rest against one COUNT(*) + one page. Targets are on the worst run. "
          f"{args.repeat} runs; fetchMore pages: {len(results['fetchMore page (scroll)']):,} "
          f"samples; load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          f"cores: a busy machine inflates every figure)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
