"""A broadcast row as the office database keeps it: its columns and its `RowInfo`
(console/store/broadcast_mapping.py, shared with SQLite), and the change mark."""
from __future__ import annotations

from console.store.broadcast_mapping import ROW_COLUMNS, row_of

__all__ = ["MARK", "ROW_COLUMNS", "row_of"]

# The oldest transaction still running: every change older than it is visible now
# (the same mark as History's, console/store/pg/journal.py).
MARK = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
