"""The front desk entering opt-outs, in a process of its own (tests/office/test_optout_across_desks.py).

    python -m tests.office.optout_child --desk NAME

Reads numbers on stdin, one a line; each goes on the office's do-not-contact
list as the Do-not-contact tab's Add does it (console/ui/broadcast_dnc.py:
`add_do_not_contact` with a UTC stamp, "typed in"), on the office database of
``VOITEX_CONSOLE_DATABASE`` (password in ``PGPASSWORD``). After each it prints
``added NUMBER T``, T the wall clock (epoch seconds) once the write returned.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime


def main(argv: list[str]) -> int:
    from console.store.broadcast_dnc import DncRecord
    from console.store.pg.broadcasts import PgBroadcastStore
    from console.store.pg.engine import PgEngine

    parser = argparse.ArgumentParser(prog="optout_child")
    parser.add_argument("--desk", required=True)
    args = parser.parse_args(argv)
    engine = PgEngine(os.environ["VOITEX_CONSOLE_DATABASE"], where="the office database",
                      application_name=f"voitex-console desk {args.desk}")
    store = PgBroadcastStore(engine, desk=args.desk, operator="anna")
    try:
        store.do_not_contact()  # connected and migrated before the first number comes
        print("ready", flush=True)
        for line in sys.stdin:
            number = line.strip()
            if not number:
                continue
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            store.add_do_not_contact([DncRecord(number, "Asked at the front desk", stamp,
                                                "typed in")])
            print(f"added {number} {time.time():.3f}", flush=True)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
