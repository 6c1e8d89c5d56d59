"""How the Library view copes with a large catalogue.

Fills a catalogue with 10,000 entries of one profile (plus 10,000 of another,
and a replaced entry for every tenth place), then times what a keystroke in
the search field or a change of album or column costs: the catalogue's query
and the model's reset, together (what the user waits for). Each figure is
printed as median and worst in milliseconds and as a ratio to a baseline
measured in the same run: a plain sqlite3 SELECT with the same filter
(searches as LIKE), ORDER BY and LIMIT (the model's first page, 500 rows) on
a bare table holding the same rows, read into a list. The catalogue searches
three characters or more through its trigram index.

    .venv/bin/python bench/library_filter.py [--entries 10000] [--repeat 15]

Target: every case under 50 ms.
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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from console.store.catalogue import Catalogue, NewRecording  # noqa: E402
from console.ui.library.model import PAGE, LibraryModel, LibraryQuery  # noqa: E402

WORDS = ("welcome", "closed", "holiday", "menu", "press", "one", "sales", "support", "after",
         "hours", "thank", "you", "hold", "music", "survey", "goodbye", "billing", "spanish")
TARGET_MS = 50.0


def fill(catalogue: Catalogue, count: int) -> None:
    recordings = []
    for profile in ("sandbox", "office"):
        for n in range(count):
            name = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(2 + n % 3)).title()
            tts = n % 5 == 0
            recordings.append(NewRecording(
                profile_id=profile, album=1 + n % 40, sort=1 + n // 40,
                display_name=f"{name} {n}", recording_id=str(900000 + n),
                kind="tts" if tts else "upload",
                file_name=None if tts else f"{name.lower().replace(' ', '-')}-{n}.wav",
                file_size=None if tts else 40_000 + n, tts_text=name if tts else None,
                duration_s=None if tts else 2.0 + n % 30, format=None if tts else "wav",
                created_at=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00.000+00:00"))
    # Older recordings at every tenth place, found late: they go in as "replaced".
    for n in range(0, count, 10):
        recordings.append(NewRecording(
            profile_id="sandbox", album=1 + n % 40, sort=1 + n // 40, display_name=f"Old {n}",
            recording_id=str(800000 + n), kind="upload", file_name=f"old-{n}.wav",
            created_at="2025-01-01T10:00:00.000+00:00"))
    catalogue._insert(recordings)  # one transaction; the bench is not about writing


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def baseline_table(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("ATTACH DATABASE ? AS source", (str(path),))
    db.execute("CREATE TABLE plain AS SELECT * FROM source.catalogue_entries")
    db.execute("DETACH DATABASE source")
    return db


CASES = [
    ("everything, by album", LibraryQuery(profile_id="sandbox"),
     "profile_id = 'sandbox' AND state = 'current'", "album, sort"),
    ("search 'hol' (name, id, file, text)", LibraryQuery(profile_id="sandbox", text="hol"),
     "profile_id = 'sandbox' AND state = 'current' AND (display_name LIKE '%hol%'"
     " OR recording_id LIKE '%hol%' OR file_name LIKE '%hol%' OR tts_text LIKE '%hol%')",
     "album, sort"),
    ("search '9001' (an id)", LibraryQuery(profile_id="sandbox", text="9001"),
     "profile_id = 'sandbox' AND state = 'current' AND (display_name LIKE '%9001%'"
     " OR recording_id LIKE '%9001%' OR file_name LIKE '%9001%' OR tts_text LIKE '%9001%')",
     "album, sort"),
    ("album 7", LibraryQuery(profile_id="sandbox", album=7),
     "profile_id = 'sandbox' AND state = 'current' AND album = 7", "album, sort"),
    ("sorted by name, descending", LibraryQuery(profile_id="sandbox", order_by="name",
                                                descending=True),
     "profile_id = 'sandbox' AND state = 'current'", "display_name COLLATE NOCASE DESC"),
    ("sorted by when, with replaced", LibraryQuery(profile_id="sandbox", order_by="when",
                                                   include_replaced=True),
     "profile_id = 'sandbox'", "created_at"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="voitex-bench-library-") as folder:
        path = Path(folder) / "history.sqlite3"
        with Catalogue(path) as catalogue:
            started = time.perf_counter()
            fill(catalogue, args.entries)
            print(f"Filled {args.entries:,} entries per profile (2 profiles) plus "
                  f"{args.entries // 10:,} replaced in {time.perf_counter() - started:.1f} s.")
            model = LibraryModel(catalogue)
            plain = baseline_table(path)
            print(f"{'case':40} {'rows':>6} {'median ms':>10} {'worst ms':>9} "
                  f"{'plain ms':>9} {'ratio':>6}  target")
            worst_all = 0.0
            gc.disable()
            try:
                for title, query, where, order in CASES:
                    ours, theirs = [], []
                    for _ in range(args.repeat):
                        ours.append(timed(lambda q=query: model.set_query(q)))
                        sql = f"SELECT * FROM plain WHERE {where} ORDER BY {order} LIMIT {PAGE}"
                        theirs.append(timed(lambda sql=sql: plain.execute(sql).fetchall()))
                    median, worst = statistics.median(ours), max(ours)
                    base = statistics.median(theirs)
                    worst_all = max(worst_all, worst)
                    verdict = "ok" if worst < TARGET_MS else "OVER"
                    print(f"{title:40} {model.rowCount():>6} {median:>10.2f} {worst:>9.2f} "
                          f"{base:>9.2f} {median / base:>6.1f}  {verdict}")
            finally:
                gc.enable()
            plain.close()
    print(f"Worst case {worst_all:.1f} ms against a target of {TARGET_MS:.0f} ms: "
          f"{'met' if worst_all < TARGET_MS else 'NOT met'}.")
    return 0 if worst_all < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
