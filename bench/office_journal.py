"""Journal writes on the office database: PgJournal against the same statements in plain psycopg.

A real PostgreSQL 15 on loopback TCP (bench/office_pg.py, fsync off as in the
tests: what is measured is the console's path, not the disk). Each "write" is
what the Sender does around one message: `begin` (the durable "pending" entry,
INSERT … RETURNING id, committed) and `finish` (its outcome, UPDATE, committed).
Through PgJournal every statement is a job on the engine's worker thread,
waited for by the caller (the pool, the transaction, the error mapping).
Baseline in the same run: the same INSERT and UPDATE with the same parameters
on one plain psycopg connection, a commit after each.

    .venv/bin/python bench/office_journal.py [--writes 2000]

Target (issue 21): journal write p99 on loopback < 5 ms.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.office_pg import line, office_database, percentiles  # noqa: E402

TARGET_P99_MS = 5.0


def plain(conninfo: str, writes: int) -> tuple[list[float], list[float]]:
    import psycopg

    begins: list[float] = []
    finishes: list[float] = []
    with psycopg.connect(conninfo) as conn:
        for n in range(writes):
            now = datetime.now(UTC).isoformat()
            started = time.perf_counter()
            row = conn.execute(
                "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name,"
                " recipient, content, request, outcome, result_id, messages, resend_of,"
                " group_id, desk, operator) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending',"
                " NULL, '[]', %s, %s, %s, %s) RETURNING id",
                (now, now, "sms", "bench", "Bench", f"212555{n % 10000:04d}",
                 f"Plain reminder {n}", json.dumps({"to": "x"}), None, "7", "Bench", "anna"),
            ).fetchone()
            conn.commit()
            begins.append((time.perf_counter() - started) * 1000)
            assert row is not None
            started = time.perf_counter()
            conn.execute("UPDATE entries SET outcome = %s, result_id = %s, messages = %s,"
                         " updated_at = %s, change_xid = pg_current_xact_id() WHERE id = %s",
                         ("done", f"r{n}", "[]", datetime.now(UTC).isoformat(), row[0]))
            conn.commit()
            finishes.append((time.perf_counter() - started) * 1000)
    return begins, finishes


def console(conninfo: str, writes: int, folder: Path) -> tuple[list[float], list[float]]:
    from console.domain.vocabulary import EntryKind
    from console.store.pg.engine import PgEngine
    from console.store.pg.journal import PgJournal

    journal = PgJournal(PgEngine(conninfo, where="bench on loopback"), folder=folder,
                        desk="Bench", operator="anna")
    begins: list[float] = []
    finishes: list[float] = []
    try:
        for n in range(writes):
            started = time.perf_counter()
            entry = journal.begin(kind=EntryKind.SMS, profile_id="bench", profile_name="Bench",
                                  recipient=f"212555{n % 10000:04d}",
                                  content=f"Console reminder {n}", request={"to": "x"},
                                  group_id="7")
            begins.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            journal.finish(entry, outcome="done", result_id=f"r{n}")
            finishes.append((time.perf_counter() - started) * 1000)
    finally:
        journal.close()
    return begins, finishes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    with office_database() as (conninfo, _server), tempfile.TemporaryDirectory() as folder:
        console(conninfo, 200, Path(folder))  # migrates the schema; warms both paths
        plain(conninfo, 200)
        c_begin, c_finish = console(conninfo, args.writes, Path(folder))
        p_begin, p_finish = plain(conninfo, args.writes)
    print(f"{args.writes:,} writes each (begin + finish), loopback TCP, PostgreSQL 15")
    rows = [("PgJournal.begin", c_begin, p_begin), ("PgJournal.finish", c_finish, p_finish)]
    worst = 0.0
    for label, ours, base in rows:
        mine, theirs = percentiles(ours), percentiles(base)
        print(line(label, mine))
        print(line("  plain psycopg, same statement", theirs))
        print(f"  ratio p50 {mine['p50'] / theirs['p50']:.2f}x  p99 {mine['p99'] / theirs['p99']:.2f}x")
        worst = max(worst, mine["p99"])
    verdict = "meets" if worst < TARGET_P99_MS else "MISSES"
    print(f"worst p99 {worst:.3f} ms: {verdict} the target (< {TARGET_P99_MS:g} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
