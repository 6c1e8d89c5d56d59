"""The start-up probe bench/startup.py reads: with VOITEX_CONSOLE_STARTUP_PROBE=1 the
console prints "startup-probe: <event> wall=<time.time()> rss_kib=<resident KiB>"
at its first paint and when its first tab is ready, then quits."""
from __future__ import annotations

import sys
import time

STARTUP_PROBE_ENV = "VOITEX_CONSOLE_STARTUP_PROBE"


def resident_memory_kib() -> int:
    """This process's resident set size now (Linux), else its peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def startup_probe_line(event: str) -> str:
    return f"startup-probe: {event} wall={time.time():.6f} rss_kib={resident_memory_kib()}"
