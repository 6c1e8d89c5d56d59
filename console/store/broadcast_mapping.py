"""A broadcast as both engines' stores keep it: the columns read, how a stored row
becomes a `RunInfo`, `RowInfo` or `LeftOutRow`, and the time format. The SQL is
each store's own (console/store/broadcasts.py, console/store/pg/broadcasts.py).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from console.store.broadcast_types import BroadcastStoreError, LeftOutRow, RowInfo, RunInfo

RUN_COLUMNS = "id, created_at, profile_id, profile_name, kind, name, settings, state, start_at"
ROW_COLUMNS = ("run_id, position, source_row, number, text, segments, state, not_before, "
               "result_id, message, name, us_state, place, zones, preflight")
LEFT_OUT_COLUMNS = "source_row, number_text, number, name, place, zones, kind, reason"


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A time as stored: ISO 8601 in UTC with milliseconds (orders correctly as text)."""
    if moment.tzinfo is None:
        raise ValueError("a stored time must carry its time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def run_of(r: Sequence[Any], counts: Mapping[int, dict[str, int]]) -> RunInfo:
    """A `RUN_COLUMNS` row, with its rows counted by state (`counts` by run id)."""
    return RunInfo(id=int(r[0]), created_at=r[1], profile_id=r[2], profile_name=r[3], kind=r[4],
                   name=r[5], settings=json.loads(r[6]), state=r[7], start_at=moment(r[8]),
                   counts=counts[int(r[0])])


def only_run(found: Sequence[RunInfo], run_id: int) -> RunInfo:
    """The one run a lookup by id found; BroadcastStoreError when there is none."""
    if not found:
        raise BroadcastStoreError(f"There is no broadcast {run_id}.")
    return found[0]


def profile_filter(profile_id: str | None, mark: str) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause (and its parameters) of a profile's runs; every run for None."""
    return ("", ()) if profile_id is None else (f"WHERE profile_id = {mark}", (profile_id,))


def row_of(r: Sequence[Any]) -> RowInfo:
    """A `ROW_COLUMNS` row."""
    return RowInfo(run_id=int(r[0]), position=int(r[1]), source_row=int(r[2]), number=r[3],
                   text=r[4], segments=int(r[5]), state=r[6], not_before=moment(r[7]),
                   result_id=r[8], message=r[9], name=r[10], us_state=r[11], place=r[12],
                   zones=r[13], preflight=r[14])


def left_out_of(r: Sequence[Any]) -> LeftOutRow:
    """A `LEFT_OUT_COLUMNS` row."""
    return LeftOutRow(*r)


def state_counts(run_ids: Sequence[int],
                 found: Sequence[Sequence[Any]]) -> dict[int, dict[str, int]]:
    """(run id, state, how many) rows as each run's counts by state."""
    counts: dict[int, dict[str, int]] = {int(i): {} for i in run_ids}
    for run_id, state, count in found:
        counts[int(run_id)][str(state)] = int(count)
    return counts
