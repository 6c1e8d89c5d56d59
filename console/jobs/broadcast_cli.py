"""`voitex-console broadcast …`: office broadcasts without a desk (cron, Task Scheduler, a service).

    voitex-console broadcast run ID      take part in broadcast ID until it ends
    voitex-console broadcast list        the office's broadcasts
    voitex-console broadcast status ID   one broadcast's state and counts (--json)

The office database comes from ``--database`` or ``VOITEX_CONSOLE_DATABASE``
(a libpq URL without the password; the password from the keyring, where File
▸ Office database… keeps it, or libpq's ``PGPASSWORD`` / ``.pgpass``). The
account is the broadcast's profile as the office database knows it (its base
URL and proxy), ``--base-url`` wins; its key comes from ``VOITEX_AUTH_KEY`` or
this computer's keyring. The key is never printed or logged.

`run` takes part like a desk (console/jobs/broadcast_participant.py): rows
claimed a few at a time, judged just before they go, each sent at most once;
desks may watch, pause or resume it meanwhile. It needs no display and loads
no Qt widgets. SIGTERM (or Ctrl+C) stops it: a request in the air is written
"unknown" (after ``--grace`` seconds), the rows it held go back to the others.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from console.jobs.broadcast_cli_codes import (
    EXIT_CODES,
    EXIT_DATABASE,
    EXIT_DONE,
    EXIT_PROBLEM,
    EXIT_STOPPED_AT_DESK,
    EXIT_USAGE,
    counts_words,
    exit_code_text,
)
from console.store.office import ENV, OfficeSettings, OfficeSettingsError, from_url

log = logging.getLogger(__name__)

__all__ = ["main", "build_parser", "EXIT_CODES"]

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voitex-console broadcast",
        description="Office broadcasts without a desk: take part in one, list them, show one.",
        epilog=exit_code_text(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", metavar="URL",
                        help=f"the office database, a libpq URL without the password (default: ${ENV})")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="take part in broadcast ID until it ends",
                              epilog=exit_code_text(),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("id", type=int, metavar="ID")
    run.add_argument("--base-url", metavar="URL",
                     help="the Voitex address (default: the broadcast's profile's)")
    run.add_argument("--desk", metavar="NAME",
                     help="the name desks see for this runner (default: the host's name)")
    run.add_argument("--grace", type=float, default=0.0, metavar="SECONDS",
                     help="on SIGTERM, wait this long for the reply in the air (default 0)")
    run.add_argument("--lease", type=float, default=None, metavar="SECONDS",
                     help="how long other desks wait before taking over this runner's rows "
                          "(default 30)")
    run.add_argument("--wait-for-database", type=float, default=300.0, metavar="SECONDS",
                     help="how long to wait for an office database that does not answer "
                          "(default 300)")
    for name, words in (("list", "the office's broadcasts, newest first"),
                        ("status", "one broadcast's state and counts")):
        sub = commands.add_parser(name, help=words)
        if name == "status":
            sub.add_argument("id", type=int, metavar="ID")
        sub.add_argument("--json", action="store_true", help="print JSON")
        sub.add_argument("--wait-for-database", type=float, default=10.0, metavar="SECONDS",
                         help="how long to wait for the database (default 10)")
    return parser


def _settings(url: str | None) -> OfficeSettings:
    text = (url or os.environ.get(ENV, "")).strip()
    if not text:
        raise OfficeSettingsError(f"no office database: give --database URL or set {ENV}.")
    return from_url(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        settings = _settings(args.database)
    except OfficeSettingsError as err:
        print(f"voitex-console broadcast: {err}", file=sys.stderr)
        return EXIT_USAGE
    _configure_logging()
    from console.jobs.broadcast_cli_run import open_engine, run_broadcast

    engine = open_engine(settings, desk=args.desk if args.command == "run" else None)
    try:
        if not engine.wait_reachable(args.wait_for_database):
            print(f"voitex-console broadcast: the office database {settings.where} cannot be "
                  f"used: {engine.last_error or 'it does not answer'}", file=sys.stderr)
            return EXIT_DATABASE
        if args.command == "run":
            return asyncio.run(run_broadcast(engine, settings, args))
        return _show(engine, args)
    except Exception:
        log.exception("voitex-console broadcast %s failed", args.command)
        return EXIT_PROBLEM
    finally:
        engine.close()


def _show(engine: Any, args: argparse.Namespace) -> int:
    from console.store.broadcasts import BroadcastStoreError
    from console.store.pg.broadcasts import PgBroadcastStore

    store = PgBroadcastStore(engine, desk=socket.gethostname(), owns_engine=False)
    try:
        if args.command == "list":
            runs = store.runs(limit=200)
            if args.json:
                print(json.dumps([_run_json(r) for r in runs], indent=2, ensure_ascii=False))
            else:
                for r in runs:
                    print(f"{r.id:>6}  {r.state:<11}  {r.created_at[:16].replace('T', ' ')}  "
                          f"{counts_words(r.counts)}  {r.name}")
            return EXIT_DONE
        run = store.run(args.id)
        people = store.participants(args.id)
    except BroadcastStoreError as err:
        print(f"voitex-console broadcast: {err}", file=sys.stderr)
        return EXIT_STOPPED_AT_DESK if "There is no broadcast" in str(err) else EXIT_DATABASE
    found = _run_json(run)
    found["participants"] = [{"desk": p.desk, "kind": p.kind} for p in people]
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        print(f"Broadcast {run.id} ({run.name}): {run.state}; {counts_words(run.counts)}")
        for p in people:
            print(f"  taking part: {p.desk} ({p.kind})")
    return EXIT_DONE


def _run_json(run: Any) -> dict[str, Any]:
    return {"id": run.id, "name": run.name, "state": run.state, "kind": run.kind,
            "profile_id": run.profile_id, "profile_name": run.profile_name,
            "created_at": run.created_at,
            "start_at": run.start_at.isoformat() if run.start_at else None,
            "counts": dict(run.counts), "to_send": run.to_send, "unknown": run.unknown}


def _configure_logging() -> None:
    """The runner's log file (its own folder: a desk on this computer keeps its own) and stderr."""
    from console.logging_setup import configure_logging
    from console.store.paths import app_paths

    try:
        configure_logging(app_paths().log_dir / "runner", stderr_level=logging.INFO)
    except OSError as err:  # no log folder: stderr only, through the same redaction
        print(f"voitex-console broadcast: no log file ({err})", file=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request: the journal has them
