"""A broadcast row as the office database keeps it: its columns and its `RowInfo`."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console.store.broadcast_types import RowInfo
from console.store.broadcasts import _moment

ROW_COLUMNS = ("run_id, position, source_row, number, text, segments, state, not_before, "
               "result_id, message, name, us_state, place, zones, preflight")
# The oldest transaction still running: every change older than it is visible now
# (the same mark as History's, console/store/pg/journal.py).
MARK = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def row_of(r: Sequence[Any]) -> RowInfo:
    return RowInfo(run_id=int(r[0]), position=int(r[1]), source_row=int(r[2]), number=r[3],
                   text=r[4], segments=int(r[5]), state=r[6], not_before=_moment(r[7]),
                   result_id=r[8], message=r[9], name=r[10], us_state=r[11], place=r[12],
                   zones=r[13], preflight=r[14])
