"""One desk taking part in an office broadcast, in a process of its own (for the multi-desk tests).

    python -m tests.office.desk_child --run ID --desk NAME --base-url URL --lease S

The office database is ``VOITEX_CONSOLE_DATABASE`` (with ``PGPASSWORD``), the
account key ``VOITEX_AUTH_KEY``, the desk's home ``VOITEX_CONSOLE_HOME``:
each desk process has its own, as two consoles on two computers do.

It builds what a desk's `OfficeRuns.start` builds (console/jobs/broadcast_office.py):
an `OfficeParticipant` of kind "desk" on the office's PgBroadcastStore, its
RowJudge on the office's History, rows sent through the journalled Sender
(the desk's PgJournal, with its pending-file folder in the desk's home). No
window: the participant is what sends; the window only shows it. The calling
rules' clock is fixed at noon in New York, as in tests/office/runner_child.py.

Prints ``joined`` once it takes part and ``left STATE`` when it is done; exit 0.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

NOON_NEW_YORK = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="desk_child")
    parser.add_argument("--run", type=int, required=True)
    parser.add_argument("--desk", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--lease", type=float, default=30.0)
    return parser.parse_args(argv)


async def _take_part(args: argparse.Namespace) -> str:
    from console.api.proxy import ProxyChoice
    from console.jobs.broadcast_cli_run import RunnerSession
    from console.jobs.broadcast_office import desk_participant
    from console.jobs.broadcast_participant import OfficeParticipant, ParticipantEvents
    from console.jobs.broadcast_runner import send_broadcast_row
    from console.jobs.row_judge import RowJudge
    from console.jobs.sender import Sender
    from console.store.paths import app_paths
    from console.store.pg.broadcasts import PgBroadcastStore
    from console.store.pg.engine import PgEngine
    from console.store.pg.journal import PgJournal
    from console.store.profiles import Profile

    engine = PgEngine(os.environ["VOITEX_CONSOLE_DATABASE"], where="the office database",
                      application_name=f"voitex-console desk {args.desk}")
    store = PgBroadcastStore(engine, desk=args.desk, operator="anna", owns_engine=False)
    journal = PgJournal(engine, folder=Path(app_paths().data_dir) / "office", desk=args.desk,
                        operator="anna", owns_engine=False)
    run = await asyncio.to_thread(store.run, args.run)
    proxy = ProxyChoice(mode="none", address="", username="", password="")
    session = RunnerSession(Profile(id=run.profile_id, name=run.profile_name,
                                    base_url=args.base_url, proxy_mode="none", proxy_address=""),
                            os.environ["VOITEX_AUTH_KEY"], proxy)
    sender = Sender(session=cast(Any, session), journal=journal)
    participant = OfficeParticipant(
        store=store, run_id=run.id, who=desk_participant(args.desk), clock=lambda: NOON_NEW_YORK,
        send_row=lambda r, row: send_broadcast_row(sender, r, row),
        judge=RowJudge(store=store, history=journal), lease_s=args.lease,
        events=ParticipantEvents(stopped=lambda why: print(f"stopped {why}", flush=True)))
    print("joined", flush=True)
    try:
        return await participant.run()
    finally:
        sender.close()
        await session.aclose()
        journal.close()
        store.close()
        engine.close()


def main(argv: list[str]) -> int:
    final = asyncio.run(_take_part(_args(argv)))
    print(f"left {final}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
