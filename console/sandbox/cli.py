"""`voitex-console sandbox`: the sandbox as a standalone server in the foreground.

    sandbox --port 8765 --data-dir ./sandbox-data [--key K [--key K2 ...]] [--host 127.0.0.1]
            [--max-upload-mib 100]
            [--fault ENDPOINT:KIND[:count=N|probability=P][:retry_after=S][:delay=S][:acted=yes|no][:seed=N]]

Runs until Ctrl+C or SIGTERM. The key is never printed, only where it came from.
On an address other than loopback it refuses to run with the default key,
which anyone who can reach it would know.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from console.api.wire import is_loopback_host
from console.domain.wording import plural
from console.sandbox.faults import ENDPOINTS, KINDS, FaultRule
from console.sandbox.forms import DEFAULT_MAX_UPLOAD_BYTES
from console.sandbox.server import DEFAULT_SANDBOX_KEY, SandboxServer

KEY_ENV = "VOITEX_SANDBOX_KEY"
MIB = 1024 * 1024


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    auth_key, key_source = _choose_key(args.key)
    keys = [auth_key] if isinstance(auth_key, str) else auth_key
    if DEFAULT_SANDBOX_KEY in keys and not is_loopback_host(args.host):
        print(
            f"The sandbox will not listen on {args.host} with the default key, which anyone who can "
            "reach it would know: choose a key with --key (or VOITEX_SANDBOX_KEY).",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = SandboxServer(
        data_dir=args.data_dir,
        auth_key=auth_key,
        host=args.host,
        port=args.port,
        faults=args.fault,
        max_upload_bytes=int(args.max_upload_mib * MIB),
    )
    stop = threading.Event()
    previous_handlers = {
        signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        try:
            server.start()
        except (OSError, RuntimeError) as exc:
            print(f"The sandbox could not start: {exc}", file=sys.stderr)
            return 1
        print(f"Voitex sandbox listening on {server.url} (key: {key_source})")
        print(f"Data folder: {server.data_dir}")
        print(f"Uploads larger than {args.max_upload_mib:g} MiB are refused.")
        for rule in args.fault:
            acted = "yes" if rule.acted else "no"
            print(f"Fault: {rule.endpoint} {rule.kind} ({_describe_limit(rule)}, acted={acted})")
        print("Press Ctrl+C to stop.", flush=True)
        # Timed waits: on Windows an untimed one would not let Ctrl+C through.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
    print("Voitex sandbox stopped.", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voitex-console sandbox",
        description="Run a local Voitex-compatible server that stores what it receives.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--key",
        type=_non_empty,
        action="append",
        help=(f"the auth_key clients must send (default: ${KEY_ENV}, else {DEFAULT_SANDBOX_KEY!r}); "
              "repeat it to accept several keys, each with a library of its own"),
    )
    parser.add_argument(
        "--data-dir", required=True, help="folder for uploaded files and state.json (created if missing)"
    )
    parser.add_argument(
        "--max-upload-mib",
        type=_positive_mib,
        default=DEFAULT_MAX_UPLOAD_BYTES / MIB,
        metavar="MIB",
        help=(
            f"refuse a request body larger than this many MiB with a status: error reply, before "
            f"anything is written to disk (default: {DEFAULT_MAX_UPLOAD_BYTES / MIB:g})"
        ),
    )
    parser.add_argument(
        "--fault",
        type=_fault_rule,
        action="append",
        default=[],
        metavar="ENDPOINT:KIND[:OPTION=VALUE...]",
        help=(
            f"make requests fail; ENDPOINT is one of {', '.join(ENDPOINTS)} or *, KIND one of "
            f"{', '.join(KINDS)}; options: count=N or probability=P, retry_after=S, delay=S, "
            "acted=yes|no, seed=N. Repeatable."
        ),
    )
    return parser


def _choose_key(given: list[str] | None) -> tuple[str | list[str], str]:
    if given:
        if len(given) == 1:
            return given[0], "from --key"
        return given, f"{len(given)} keys from --key, each with its own library"
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env, f"from {KEY_ENV}"
    return DEFAULT_SANDBOX_KEY, "the default, see --help"


def _positive_mib(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of MiB above 0, not {text!r}")
    return value


def _non_empty(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _fault_rule(spec: str) -> FaultRule:
    try:
        return FaultRule.parse(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _describe_limit(rule: FaultRule) -> str:
    parts = []
    if rule.count is not None:
        parts.append(plural(rule.count, "time"))
    if rule.probability is not None:
        parts.append(f"probability {rule.probability}")
    return ", ".join(parts) or "every request"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
