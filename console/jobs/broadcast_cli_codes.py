"""The runner's exit codes, its key variable, its stop signals and its words for a run's counts.

Shared by `voitex-console broadcast` (broadcast_cli.py) and the run itself
(broadcast_cli_run.py), which therefore do not import each other."""
from __future__ import annotations

import asyncio
import signal
import textwrap
from typing import Any

EXIT_DONE, EXIT_UNKNOWN, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3
EXIT_ACCOUNT, EXIT_STOPPED_AT_DESK, EXIT_SIGNAL, EXIT_PROBLEM = 4, 5, 6, 10
KEY_ENV = "VOITEX_AUTH_KEY"
EXIT_CODES = (
    (EXIT_DONE, "finished: every row was sent, skipped or failed for good"),
    (EXIT_UNKNOWN, "finished, but some rows' outcome is unknown: a person decides in the "
                   "Broadcast tab (send again, or mark as sent)"),
    (EXIT_USAGE, "wrong arguments, or no office database named"),
    (EXIT_DATABASE, "the office database cannot be used (unreachable, password refused, "
                    "written by a newer console)"),
    (EXIT_ACCOUNT, "this runner cannot send: no key, the key refused, no base URL, or Voitex "
                   "unreachable (desks may go on with the broadcast)"),
    (EXIT_STOPPED_AT_DESK, "the broadcast was paused or cancelled at a desk, or does not exist"),
    (EXIT_SIGNAL, "stopped by SIGTERM or Ctrl+C: rows in the air are unknown, the others went "
                  "back for the desks or the next run"),
    (EXIT_PROBLEM, "an unexpected problem (the log says which)"),
)


def exit_code_text() -> str:
    lines = ["Exit codes:"]
    for code, words in EXIT_CODES:
        lines.extend(textwrap.wrap(words, 74, initial_indent=f"  {code:>2}  ",
                                   subsequent_indent=" " * 6))
    return "\n".join(lines)


def counts_words(counts: dict[str, int]) -> str:
    shown = [f"{counts[s]} {s}" for s in ("sent", "queued", "waiting", "sending", "unknown",
                                         "failed", "skipped", "cancelled") if counts.get(s)]
    return ", ".join(shown) or "no rows"


def install_stop_handlers(loop: asyncio.AbstractEventLoop, stop: Any) -> None:
    """SIGTERM, SIGINT (and Windows' SIGBREAK) call `stop()` on the loop's thread."""
    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            loop.add_signal_handler(number, stop)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows' loops
            signal.signal(number, lambda _n, _f: loop.call_soon_threadsafe(stop))
