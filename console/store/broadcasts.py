"""Broadcast runs, their rows, the do-not-contact list and saved templates.

The run keeps every row of the list it was made from: the rows to send in
``broadcast_rows`` (with the customer's name, place and the pre-flight's
decision), the rows left out (not a number, a duplicate, on the do-not-contact
list...) in ``broadcast_left_out``, so its report is the whole list. The
do-not-contact list and the office's calling rules are in
console/store/broadcast_dnc.py.

They live in the History file (history.sqlite3), in tables of their own
prefixed ``broadcast_``, on a connection of their own. The tables are schema
step 6's (console/store/migrations/m006_broadcasts.py): opening runs the steps
the file still lacks, as every store of the file does. How a stored row reads
is console/store/broadcast_mapping.py, shared with the office database's store.

A row is marked "sending" and that change is committed with
``synchronous=FULL`` (on disk, not only in the OS cache) before its request
leaves. A row found "sending" at the next start therefore means the console
stopped mid-request: it becomes "unknown" and waits for the user; nothing
sends it again by itself.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain.vocabulary import EntryKind, RowState, RunState
from console.store.broadcast_dnc import DncTables
from console.store.broadcast_mapping import (
    LEFT_OUT_COLUMNS,
    ROW_COLUMNS,
    RUN_COLUMNS,
    left_out_of,
    moment,
    only_run,
    profile_filter,
    row_of,
    run_of,
    stamp,
    state_counts,
    utc_now,
)
from console.store.broadcast_types import (
    CRASH_MESSAGE,
    OPEN_ROW_STATES,
    ROW_STATES,
    RUN_STATES,
    BroadcastStore,
    BroadcastStoreError,
    DncRecord,
    LeftOutRow,
    NewRow,
    RowInfo,
    RunInfo,
    RunSettings,
    RunSpec,
)
from console.store.database import StoreError, immediate, inserted_id, migrate

__all__ = ["BroadcastStore", "SqliteBroadcastStore", "BroadcastStoreError", "RunSpec", "NewRow",
           "RunInfo", "RowInfo", "DncRecord", "LeftOutRow", "ROW_STATES", "RUN_STATES",
           "OPEN_ROW_STATES", "CRASH_MESSAGE", "RunSettings"]

# Columns added to broadcast_rows after its first version: (name, SQL type and default).
# Step 6 has them; a table made before the steps existed gains them at open.
_ROW_EXTRAS = (("name", "TEXT NOT NULL DEFAULT ''"), ("us_state", "TEXT NOT NULL DEFAULT ''"),
               ("place", "TEXT NOT NULL DEFAULT ''"), ("zones", "TEXT NOT NULL DEFAULT ''"),
               ("preflight", "TEXT NOT NULL DEFAULT ''"))


# The names the office database's stores have imported from here.
_utc_now, _stamp, _moment = utc_now, stamp, moment


class SqliteBroadcastStore:
    """Thread-safe: one connection guarded by a lock, so the runner can write off the UI thread."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
                 busy_timeout_ms: int = 500) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                       timeout=busy_timeout_ms / 1000)
            self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL only around the "sending" mark (see mark_sending).
            self._db.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint early from this connection (whose writes run off the UI
            # thread), so the History journal's connection, which writes on the
            # UI thread, seldom reaches its own checkpoint of 1,000 pages.
            self._db.execute("PRAGMA wal_autocheckpoint=100")
            migrate(self._db, self.path)
            have = {r[1] for r in self._db.execute("PRAGMA table_info(broadcast_rows)")}
            for column, kind in _ROW_EXTRAS:
                if column not in have:
                    self._db.execute(f"ALTER TABLE broadcast_rows ADD COLUMN {column} {kind}")
            self.dnc = DncTables(self._db, self._lock, self._write_error)
        except StoreError as err:
            raise BroadcastStoreError(str(err)) from err
        except sqlite3.Error as err:
            raise BroadcastStoreError(
                f"The broadcast tables in {self.path} could not be opened ({err}). Close any "
                "other Voitex Console and check the disk, then start again.") from err

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _now(self) -> str:
        return stamp(self._clock())

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._db.execute(sql, params)
        except sqlite3.Error as err:
            raise BroadcastStoreError(f"The broadcast could not be saved ({err}).") from err

    # -- runs ------------------------------------------------------------------
    def _write_error(self, what: str, err: sqlite3.Error) -> BroadcastStoreError:
        return BroadcastStoreError(f"{what} ({err}).")

    def create_run(self, spec: RunSpec, rows: Sequence[NewRow],
                   left_out: Sequence[LeftOutRow] = ()) -> int:
        """The run, its rows to send (queued) and the rows of the list left out, in one
        transaction."""
        if spec.kind not in (EntryKind.SMS, EntryKind.CALL):
            raise ValueError(f"kind must be sms or call, not {spec.kind!r}")
        now = self._now()
        state = RunState.SCHEDULED if spec.start_at is not None else RunState.PAUSED
        try:
            with self._lock, immediate(self._db):
                cursor = self._db.execute(
                    "INSERT INTO broadcast_runs (created_at, updated_at, profile_id, profile_name,"
                    " kind, name, settings, state, start_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (now, now, spec.profile_id, spec.profile_name, spec.kind, spec.name,
                     json.dumps(dict(spec.settings), ensure_ascii=False), state,
                     stamp(spec.start_at) if spec.start_at else None))
                run_id = inserted_id(cursor)
                self._db.executemany(
                    "INSERT INTO broadcast_rows (run_id, position, source_row, number, text,"
                    " segments, state, updated_at, name, us_state, place, zones, preflight)"
                    " VALUES (?,?,?,?,?,?,'queued',?,?,?,?,?,?)",
                    [(run_id, i, r.source_row, r.number, r.text, r.segments, now, r.name,
                      r.us_state, r.place, r.zones, r.preflight) for i, r in enumerate(rows)])
                self._db.executemany(
                    f"INSERT INTO broadcast_left_out (run_id, {LEFT_OUT_COLUMNS})"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    [(run_id, r.source_row, r.number_text, r.number, r.name, r.place, r.zones,
                      r.kind, r.reason) for r in left_out])
        except sqlite3.Error as err:
            raise BroadcastStoreError(f"The broadcast could not be saved ({err}).") from err
        return run_id

    def _counts(self, run_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        if not run_ids:
            return {}
        marks = ",".join("?" * len(run_ids))
        with self._lock:
            found = self._db.execute(
                f"SELECT run_id, state, COUNT(*) FROM broadcast_rows WHERE run_id IN ({marks})"
                " GROUP BY run_id, state", list(run_ids)).fetchall()
        return state_counts(run_ids, found)

    def _runs(self, where: str, params: Sequence[Any], limit: int = 1000) -> list[RunInfo]:
        with self._lock:
            found = self._db.execute(
                f"SELECT {RUN_COLUMNS} FROM broadcast_runs {where} ORDER BY id DESC LIMIT ?",
                (*params, limit)).fetchall()
        counts = self._counts([r[0] for r in found])
        return [run_of(r, counts) for r in found]

    def run(self, run_id: int) -> RunInfo:
        return only_run(self._runs("WHERE id = ?", (run_id,)), run_id)

    def runs(self, *, profile_id: str | None = None, limit: int = 50) -> list[RunInfo]:
        return self._runs(*profile_filter(profile_id, "?"), limit)

    def resumable_runs(self) -> list[RunInfo]:
        """Runs not finished or cancelled that still have rows to send or to decide."""
        runs = self._runs("WHERE state IN ('scheduled', 'running', 'paused', 'interrupted')", ())
        return [r for r in runs if r.to_send or r.unknown]

    def numbers_in_open_runs(self, profile_id: str) -> dict[str, int]:
        """Number -> run id, for every row still to send (or in the air) in a run of
        this profile that is not finished or cancelled: a new broadcast to the same
        number would reach that customer twice."""
        states = (*OPEN_ROW_STATES, RowState.SENDING)
        marks = ",".join("?" * len(states))
        with self._lock:
            found = self._db.execute(
                "SELECT r.number, r.run_id FROM broadcast_rows r JOIN broadcast_runs u ON u.id = r.run_id"
                " WHERE u.profile_id = ? AND u.state IN ('scheduled', 'running', 'paused', 'interrupted')"
                f" AND r.state IN ({marks}) ORDER BY r.run_id", (profile_id, *states)).fetchall()
        return {number: run_id for number, run_id in found}

    def set_run_state(self, run_id: int, state: RunState) -> None:
        if state not in RUN_STATES:
            raise ValueError(f"unknown run state {state!r}")
        self._write("UPDATE broadcast_runs SET state = ?, updated_at = ? WHERE id = ?",
                    (state, self._now(), run_id))

    def rows(self, run_id: int) -> list[RowInfo]:
        with self._lock:
            found = self._db.execute(
                f"SELECT {ROW_COLUMNS} FROM broadcast_rows WHERE run_id = ? ORDER BY position",
                (run_id,)).fetchall()
        return [row_of(r) for r in found]

    def left_out(self, run_id: int) -> list[LeftOutRow]:
        with self._lock:
            found = self._db.execute(
                f"SELECT {LEFT_OUT_COLUMNS} FROM broadcast_left_out WHERE run_id = ?"
                " ORDER BY source_row", (run_id,)).fetchall()
        return [left_out_of(r) for r in found]

    # -- row states --------------------------------------------------------------
    def mark_sending(self, run_id: int, position: int) -> None:
        """Committed (synchronous=FULL) before the request leaves. Only a queued or
        waiting row can become sending: a row is never sent twice by accident."""
        with self._lock:
            self._db.execute("PRAGMA synchronous=FULL")
            try:
                cursor = self._write(
                    "UPDATE broadcast_rows SET state = 'sending', message = '', updated_at = ?"
                    " WHERE run_id = ? AND position = ? AND state IN ('queued', 'waiting')",
                    (self._now(), run_id, position))
            finally:
                # Every other write may be lost at a power cut without harm: the
                # row then reads "sending", which restarts as "unknown", never
                # as "to send". NORMAL spares each of them an fsync.
                self._db.execute("PRAGMA synchronous=NORMAL")
        if cursor.rowcount != 1:
            raise BroadcastStoreError(
                f"Row {position + 1} of broadcast {run_id} is no longer waiting to be sent.")

    def finish_row(self, run_id: int, position: int, *, state: RowState,
                   result_id: str | None = None, message: str = "") -> None:
        if state not in ROW_STATES:
            raise ValueError(f"unknown row state {state!r}")
        self._write(
            "UPDATE broadcast_rows SET state = ?, result_id = ?, message = ?, not_before = NULL,"
            " updated_at = ? WHERE run_id = ? AND position = ?",
            (state, result_id, message, self._now(), run_id, position))

    def set_rows_state(self, run_id: int, positions: Iterable[int], *, state: RowState,
                       message: str = "", not_before: datetime | None = None) -> None:
        if state not in ROW_STATES:
            raise ValueError(f"unknown row state {state!r}")
        now = self._now()
        when = stamp(not_before) if not_before else None
        try:
            with self._lock, immediate(self._db):
                self._db.executemany(
                    "UPDATE broadcast_rows SET state = ?, message = ?, not_before = ?,"
                    " updated_at = ? WHERE run_id = ? AND position = ?",
                    [(state, message, when, now, run_id, p) for p in positions])
        except sqlite3.Error as err:
            raise BroadcastStoreError(f"The broadcast could not be saved ({err}).") from err

    def recover(self) -> tuple[int, int]:
        """At start-up, before anything is sent: rows left "sending" become "unknown",
        running runs become "interrupted". Returns (rows, runs) changed."""
        now = self._now()
        rows = self._write(
            "UPDATE broadcast_rows SET state = 'unknown', message = ?, updated_at = ?"
            " WHERE state = 'sending'", (CRASH_MESSAGE, now)).rowcount
        runs = self._write(
            "UPDATE broadcast_runs SET state = 'interrupted', updated_at = ? WHERE state = 'running'",
            (now,)).rowcount
        return rows, runs

    # -- templates --------------------------------------------------------------
    def templates(self) -> dict[str, str]:
        with self._lock:
            found = self._db.execute(
                "SELECT name, body FROM broadcast_templates ORDER BY name COLLATE NOCASE").fetchall()
        return dict(found)

    def save_template(self, name: str, body: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("Template name: this field is empty. Give the template a name.")
        self._write(
            "INSERT INTO broadcast_templates (name, body, updated_at) VALUES (?,?,?)"
            " ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            (name, body, self._now()))

    def delete_template(self, name: str) -> None:
        self._write("DELETE FROM broadcast_templates WHERE name = ?", (name,))

    # -- the do-not-contact list and the office's rules (the DncTables object's) ------
    def lists_version(self) -> int:
        return self.dnc.lists_version()

    def do_not_contact(self) -> list[DncRecord]:
        return self.dnc.do_not_contact()

    def do_not_contact_map(self) -> dict[str, DncRecord]:
        return self.dnc.do_not_contact_map()

    def do_not_contact_entry(self, number: str) -> DncRecord | None:
        return self.dnc.do_not_contact_entry(number)

    def add_do_not_contact(self, records: Iterable[DncRecord]) -> int:
        return self.dnc.add_do_not_contact(records)

    def remove_do_not_contact(self, numbers: Iterable[str]) -> None:
        self.dnc.remove_do_not_contact(numbers)

    def office_rules(self) -> dict[str, Any]:
        return self.dnc.office_rules()

    def save_office_rules(self, rules: dict[str, Any]) -> None:
        self.dnc.save_office_rules(rules)
