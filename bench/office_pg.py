"""A throwaway PostgreSQL 15 for the office benches (the tests' own, tests/pg_server.py).

`office_database()` starts a server in a temporary folder (as root it runs as
an unprivileged user), creates one database owned by the desk's login role and
yields its TCP loopback connection string (with the password: a bench, not a
desk) and the server; it is stopped and deleted afterwards.
"""
from __future__ import annotations

import contextlib
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextlib.contextmanager
def office_database() -> Iterator[tuple[str, Any]]:
    from tests.pg_server import DESK_PASSWORD, DESK_ROLE, start_server

    server = start_server()
    try:
        name = server.new_database("bench")
        yield server.conninfo(name, tcp=True, user=DESK_ROLE, password=DESK_PASSWORD), server
    finally:
        server.stop()


def percentiles(values_ms: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values_ms, n=100)
    return {"p50": statistics.median(values_ms), "p99": cuts[98], "max": max(values_ms)}


def line(label: str, figures: dict[str, float]) -> str:
    return f"{label:<34}" + "  ".join(f"{k} {v:7.3f} ms" for k, v in figures.items())
