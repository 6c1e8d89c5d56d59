"""Broadcast runs, their rows, the do-not-contact list and saved templates.

They live in the History file (history.sqlite3), in tables of their own
prefixed ``broadcast_``, on a connection of their own. The History journal
owns the file's ``PRAGMA user_version``; these tables are created with
``CREATE TABLE IF NOT EXISTS`` and never touch it.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict

from console.domain.vocabulary import EntryKind, RowState, RunState
from console.store.database import inserted_id

__all__ = ["BroadcastStore", "SqliteBroadcastStore", "BroadcastStoreError", "RunSpec", "NewRow",
           "RunInfo", "RowInfo", "DncRecord", "ROW_STATES", "RUN_STATES", "OPEN_ROW_STATES",
           "CRASH_MESSAGE", "RunSettings"]

# The states are explained in console/domain/vocabulary.py.
ROW_STATES = tuple(RowState)
OPEN_ROW_STATES = tuple(s for s in RowState if s.is_open)
RUN_STATES = tuple(RunState)

CRASH_MESSAGE = ("The console closed before the reply arrived, so it is not known whether "
                 "this went out. Check with the customer, then send again or mark as sent.")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS broadcast_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sms', 'call')),
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    start_at TEXT
);
CREATE TABLE IF NOT EXISTS broadcast_rows (
    run_id INTEGER NOT NULL REFERENCES broadcast_runs(id),
    position INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    number TEXT NOT NULL,
    text TEXT NOT NULL,
    segments INTEGER NOT NULL,
    state TEXT NOT NULL,
    not_before TEXT,
    result_id TEXT,
    message TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS broadcast_rows_state ON broadcast_rows (state);
CREATE TABLE IF NOT EXISTS broadcast_do_not_contact (
    profile_id TEXT NOT NULL,
    number TEXT NOT NULL,
    reason TEXT NOT NULL,
    added TEXT NOT NULL,
    PRIMARY KEY (profile_id, number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS broadcast_templates (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


class BroadcastStoreError(Exception):
    """The broadcast tables cannot be used; the message says what to do."""


@dataclass(frozen=True)
class RunSpec:
    profile_id: str
    profile_name: str
    kind: str  # "sms" or "call"
    name: str
    settings: Mapping[str, Any]
    start_at: datetime | None = None


@dataclass(frozen=True)
class NewRow:
    source_row: int
    number: str
    text: str
    segments: int = 0


# A run's settings as the Broadcast tab makes them and the broadcasts table
# keeps them (JSON). Every key is optional: a run made by an earlier version
# may lack the newer ones, and readers fall back to defaults.
RunSettings = TypedDict("RunSettings", {
    "from": str,  # SMS: the sending number
    "cid": str,  # call: the number it comes from
    "type": str,  # call: "stream" or "goto"
    "sfile_id": str,
    "route_number": str,
    "branch_number": str,
    "window_opens": str,  # "HH:MM", office time
    "window_closes": str,
    "quiet_mode": str,  # console.domain.broadcast.quiet_hours.WAIT or SKIP
    "per_second": float,
    "per_minute": int,
    "office_zone": str,  # an IANA zone name, or "" for the machine's
}, total=False)


@dataclass(frozen=True)
class RunInfo:
    id: int
    created_at: str
    profile_id: str
    profile_name: str
    kind: str
    name: str
    settings: RunSettings
    state: str
    start_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def to_send(self) -> int:
        return sum(self.counts.get(s, 0) for s in OPEN_ROW_STATES)

    @property
    def unknown(self) -> int:
        return self.counts.get(RowState.UNKNOWN, 0)


@dataclass(frozen=True)
class RowInfo:
    run_id: int
    position: int
    source_row: int
    number: str
    text: str
    segments: int
    state: str
    not_before: datetime | None
    result_id: str | None
    message: str


@dataclass(frozen=True)
class DncRecord:
    number: str
    reason: str
    added: str


class BroadcastStore(Protocol):
    """What the runner and the tab need; SQLite today, room for a shared database later."""

    def create_run(self, spec: RunSpec, rows: Sequence[NewRow]) -> int: ...
    def run(self, run_id: int) -> RunInfo: ...
    def runs(self, *, profile_id: str | None = None, limit: int = 50) -> list[RunInfo]: ...
    def resumable_runs(self) -> list[RunInfo]: ...
    def numbers_in_open_runs(self, profile_id: str) -> dict[str, int]: ...
    def set_run_state(self, run_id: int, state: RunState) -> None: ...
    def rows(self, run_id: int) -> list[RowInfo]: ...
    def mark_sending(self, run_id: int, position: int) -> None: ...
    def finish_row(self, run_id: int, position: int, *, state: RowState,
                   result_id: str | None = None, message: str = "") -> None: ...
    def set_rows_state(self, run_id: int, positions: Iterable[int], *, state: RowState,
                       message: str = "", not_before: datetime | None = None) -> None: ...
    def recover(self) -> tuple[int, int]: ...
    def do_not_contact(self, profile_id: str) -> list[DncRecord]: ...
    def do_not_contact_map(self, profile_id: str) -> dict[str, str]: ...
    def add_do_not_contact(self, profile_id: str, records: Iterable[DncRecord]) -> int: ...
    def remove_do_not_contact(self, profile_id: str, numbers: Iterable[str]) -> None: ...
    def templates(self) -> dict[str, str]: ...
    def save_template(self, name: str, body: str) -> None: ...
    def delete_template(self, name: str) -> None: ...
    def close(self) -> None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a stored time must carry its time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


_RUN_COLUMNS = "id, created_at, profile_id, profile_name, kind, name, settings, state, start_at"
_ROW_COLUMNS = ("run_id, position, source_row, number, text, segments, state, not_before, "
                "result_id, message")


class SqliteBroadcastStore:
    """Thread-safe: one connection guarded by a lock, so the runner can write off the UI thread."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = _utc_now,
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
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise BroadcastStoreError(
                f"The broadcast tables in {self.path} could not be opened ({err}). Close any "
                "other Voitex Console and check the disk, then start again.") from err

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _now(self) -> str:
        return _stamp(self._clock())

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._db.execute(sql, params)
        except sqlite3.Error as err:
            raise BroadcastStoreError(f"The broadcast could not be saved ({err}).") from err

    # -- runs ------------------------------------------------------------------
    def create_run(self, spec: RunSpec, rows: Sequence[NewRow]) -> int:
        if spec.kind not in (EntryKind.SMS, EntryKind.CALL):
            raise ValueError(f"kind must be sms or call, not {spec.kind!r}")
        now = self._now()
        state = RunState.SCHEDULED if spec.start_at is not None else RunState.PAUSED
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    cursor = self._db.execute(
                        "INSERT INTO broadcast_runs (created_at, updated_at, profile_id, profile_name,"
                        " kind, name, settings, state, start_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (now, now, spec.profile_id, spec.profile_name, spec.kind, spec.name,
                         json.dumps(dict(spec.settings), ensure_ascii=False), state,
                         _stamp(spec.start_at) if spec.start_at else None))
                    run_id = inserted_id(cursor)
                    self._db.executemany(
                        "INSERT INTO broadcast_rows (run_id, position, source_row, number, text,"
                        " segments, state, updated_at) VALUES (?,?,?,?,?,?,'queued',?)",
                        [(run_id, i, r.source_row, r.number, r.text, r.segments, now)
                         for i, r in enumerate(rows)])
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
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
        counts: dict[int, dict[str, int]] = {i: {} for i in run_ids}
        for run_id, state, count in found:
            counts[run_id][state] = count
        return counts

    def _runs(self, where: str, params: Sequence[Any], limit: int = 1000) -> list[RunInfo]:
        with self._lock:
            found = self._db.execute(
                f"SELECT {_RUN_COLUMNS} FROM broadcast_runs {where} ORDER BY id DESC LIMIT ?",
                (*params, limit)).fetchall()
        counts = self._counts([r[0] for r in found])
        return [RunInfo(id=r[0], created_at=r[1], profile_id=r[2], profile_name=r[3], kind=r[4],
                        name=r[5], settings=json.loads(r[6]), state=r[7],
                        start_at=_moment(r[8]), counts=counts[r[0]]) for r in found]

    def run(self, run_id: int) -> RunInfo:
        found = self._runs("WHERE id = ?", (run_id,))
        if not found:
            raise BroadcastStoreError(f"There is no broadcast {run_id}.")
        return found[0]

    def runs(self, *, profile_id: str | None = None, limit: int = 50) -> list[RunInfo]:
        if profile_id is None:
            return self._runs("", (), limit)
        return self._runs("WHERE profile_id = ?", (profile_id,), limit)

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
                f"SELECT {_ROW_COLUMNS} FROM broadcast_rows WHERE run_id = ? ORDER BY position",
                (run_id,)).fetchall()
        return [RowInfo(run_id=r[0], position=r[1], source_row=r[2], number=r[3], text=r[4],
                        segments=r[5], state=r[6], not_before=_moment(r[7]), result_id=r[8],
                        message=r[9]) for r in found]

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
        when = _stamp(not_before) if not_before else None
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "UPDATE broadcast_rows SET state = ?, message = ?, not_before = ?,"
                        " updated_at = ? WHERE run_id = ? AND position = ?",
                        [(state, message, when, now, run_id, p) for p in positions])
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
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

    # -- do not contact -----------------------------------------------------------
    def do_not_contact(self, profile_id: str) -> list[DncRecord]:
        with self._lock:
            found = self._db.execute(
                "SELECT number, reason, added FROM broadcast_do_not_contact WHERE profile_id = ?"
                " ORDER BY number", (profile_id,)).fetchall()
        return [DncRecord(*r) for r in found]

    def do_not_contact_map(self, profile_id: str) -> dict[str, str]:
        return {r.number: r.reason for r in self.do_not_contact(profile_id)}

    def add_do_not_contact(self, profile_id: str, records: Iterable[DncRecord]) -> int:
        """Add or update numbers; returns how many were new."""
        records = list(records)
        before = len(self.do_not_contact(profile_id))
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT INTO broadcast_do_not_contact (profile_id, number, reason, added)"
                        " VALUES (?,?,?,?) ON CONFLICT (profile_id, number) DO UPDATE SET"
                        " reason = excluded.reason",
                        [(profile_id, r.number, r.reason, r.added) for r in records])
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as err:
            raise BroadcastStoreError(f"The do-not-contact list could not be saved ({err}).") from err
        return len(self.do_not_contact(profile_id)) - before

    def remove_do_not_contact(self, profile_id: str, numbers: Iterable[str]) -> None:
        for number in numbers:
            self._write("DELETE FROM broadcast_do_not_contact WHERE profile_id = ? AND number = ?",
                        (profile_id, number))

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
