"""Broadcasts, the do-not-contact list, the office's rules and templates in the office database.

The same contract as the SQLite `SqliteBroadcastStore` (console/store/broadcast_types.py:
`BroadcastStore`), for the whole office: one list of broadcasts whose run ids
come from one sequence (unique across desks), one do-not-contact list, one set
of calling-rule settings, one set of templates. What several desks taking part
in one broadcast need (claims, leases, heartbeats) is `BroadcastClaims` in
`broadcast_claims.py`, an object this store owns and hands those calls to, so this
store is a `SharedBroadcastStore`.

Every method is a job on the engine's threads (`PgEngine.call`): the caller
waits, as it waits for the SQLite file. A database that is away raises
`BroadcastStoreError` at once, saying so.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from console.domain.vocabulary import EntryKind, RowState, RunState
from console.store.broadcast_dnc import DncRecord
from console.store.broadcast_mapping import (
    LEFT_OUT_COLUMNS,
    ROW_COLUMNS,
    RUN_COLUMNS,
    left_out_of,
    only_run,
    profile_filter,
    row_of,
    run_of,
    stamp,
    state_counts,
    utc_now,
)
from console.store.broadcast_types import (
    OPEN_ROW_STATES,
    ROW_STATES,
    RUN_STATES,
    BroadcastStoreError,
    Claim,
    Heartbeat,
    LeftOutRow,
    NewRow,
    Participant,
    RowInfo,
    RunInfo,
    RunSpec,
    SendingMark,
)
from console.store.database import StoreError
from console.store.identity import machine_name, operator_name
from console.store.pg.broadcast_claims import BroadcastClaims
from console.store.pg.engine import Conn, Job, PgEngine

__all__ = ["PgBroadcastStore"]

T = TypeVar("T")

_OFFICE_RULES = "office_rules"
_GOING_ON = ("scheduled", "running", "paused", "interrupted")


class PgBroadcastStore:
    """A `SharedBroadcastStore` over `engine`. `desk` and `operator` are recorded with each
    run this desk makes."""

    shared = True

    def __init__(self, engine: PgEngine, *, desk: str | None = None, operator: str | None = None,
                 owns_engine: bool = True, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.desk = machine_name() if desk is None else desk
        self.operator = operator_name() if operator is None else operator
        self._owns_engine = owns_engine
        self._clock = clock
        self._version = 0
        self._version_lock = threading.Lock()
        self.claims = BroadcastClaims(self._write, self._now, self.run)

    # -- plumbing --------------------------------------------------------------------
    def _call(self, job: Job[T], what: str = "The broadcast could not be read") -> T:
        try:
            return self.engine.call(job)
        except StoreError as err:
            raise BroadcastStoreError(f"{what}: {err}") from err

    def _write(self, job: Job[T], what: str = "The broadcast could not be saved") -> T:
        return self._call(job, what)

    def _now(self) -> str:
        return stamp(self._clock())

    def _bump(self) -> None:
        with self._version_lock:
            self._version += 1

    def note_remote_change(self) -> None:
        """Another desk changed the list or the rules (the office's news said so)."""
        self._bump()

    def lists_version(self) -> int:
        return self._version

    def close(self) -> None:
        if self._owns_engine:
            self.engine.close()

    # -- runs ------------------------------------------------------------------------
    def create_run(self, spec: RunSpec, rows: Sequence[NewRow],
                   left_out: Sequence[LeftOutRow] = ()) -> int:
        if spec.kind not in (EntryKind.SMS, EntryKind.CALL):
            raise ValueError(f"kind must be sms or call, not {spec.kind!r}")
        now = self._now()
        state = RunState.SCHEDULED if spec.start_at is not None else RunState.PAUSED

        def job(conn: Conn) -> int:
            found = conn.execute(
                "INSERT INTO broadcast_runs (created_at, updated_at, profile_id, profile_name,"
                " kind, name, settings, state, start_at, desk, operator)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (now, now, spec.profile_id, spec.profile_name, str(spec.kind), spec.name,
                 json.dumps(dict(spec.settings), ensure_ascii=False), str(state),
                 stamp(spec.start_at) if spec.start_at else None, self.desk,
                 self.operator)).fetchone()
            assert found is not None
            run_id = int(found[0])
            cursor = conn.cursor()
            with cursor.copy("COPY broadcast_rows (run_id, position, source_row, number, text,"
                             " segments, state, updated_at, name, us_state, place, zones,"
                             " preflight) FROM STDIN") as copy:
                for i, r in enumerate(rows):
                    copy.write_row((run_id, i, r.source_row, r.number, r.text, r.segments,
                                    "queued", now, r.name, r.us_state, r.place, r.zones,
                                    r.preflight))
            with cursor.copy(f"COPY broadcast_left_out (run_id, {LEFT_OUT_COLUMNS})"
                             " FROM STDIN") as copy:
                for lo in left_out:
                    copy.write_row((run_id, lo.source_row, lo.number_text, lo.number, lo.name,
                                    lo.place, lo.zones, lo.kind, lo.reason))
            return run_id

        return self._write(job)

    def _runs(self, where: str, params: Sequence[Any], limit: int = 1000) -> list[RunInfo]:
        def job(conn: Conn) -> list[RunInfo]:
            found = conn.execute(
                f"SELECT {RUN_COLUMNS} FROM broadcast_runs {where} ORDER BY id DESC LIMIT %s",
                (*params, limit)).fetchall()
            ids = [int(r[0]) for r in found]
            counts = state_counts(ids, conn.execute(
                "SELECT run_id, state, count(*) FROM broadcast_rows WHERE run_id = ANY(%s)"
                " GROUP BY run_id, state", (ids,)).fetchall() if ids else [])
            return [run_of(r, counts) for r in found]

        return self._call(job)

    def run(self, run_id: int) -> RunInfo:
        return only_run(self._runs("WHERE id = %s", (run_id,)), run_id)

    def runs(self, *, profile_id: str | None = None, limit: int = 50) -> list[RunInfo]:
        return self._runs(*profile_filter(profile_id, "%s"), limit)

    def resumable_runs(self) -> list[RunInfo]:
        """Runs not over, with rows to send or decide, that no desk or runner is taking part in now."""
        runs = self._runs(
            "WHERE state = ANY(%s) AND NOT EXISTS (SELECT 1 FROM broadcast_participants p"
            " WHERE p.run_id = broadcast_runs.id AND p.lease_until > now())", (list(_GOING_ON),))
        return [r for r in runs if r.to_send or r.unknown]

    def numbers_in_open_runs(self, profile_id: str) -> dict[str, int]:
        states = [str(s) for s in (*OPEN_ROW_STATES, RowState.SENDING)]
        found = self._call(lambda conn: conn.execute(
            "SELECT r.number, r.run_id FROM broadcast_rows r JOIN broadcast_runs u ON u.id = r.run_id"
            " WHERE u.profile_id = %s AND u.state = ANY(%s) AND r.state = ANY(%s)"
            " ORDER BY r.run_id", (profile_id, list(_GOING_ON), states)).fetchall())
        return {str(number): int(run_id) for number, run_id in found}

    def set_run_state(self, run_id: int, state: RunState) -> None:
        if state not in RUN_STATES:
            raise ValueError(f"unknown run state {state!r}")
        now = self._now()
        self._write(lambda conn: conn.execute(
            "UPDATE broadcast_runs SET state = %s, updated_at = %s WHERE id = %s",
            (str(state), now, run_id)))

    def rows(self, run_id: int) -> list[RowInfo]:
        found = self._call(lambda conn: conn.execute(
            f"SELECT {ROW_COLUMNS} FROM broadcast_rows WHERE run_id = %s ORDER BY position",
            (run_id,)).fetchall())
        return [row_of(r) for r in found]

    def left_out(self, run_id: int) -> list[LeftOutRow]:
        found = self._call(lambda conn: conn.execute(
            f"SELECT {LEFT_OUT_COLUMNS} FROM broadcast_left_out WHERE run_id = %s"
            " ORDER BY source_row", (run_id,)).fetchall())
        return [left_out_of(r) for r in found]

    # -- row states (a desk alone's way; the office's is broadcast_claims) ---------------
    def mark_sending(self, run_id: int, position: int) -> None:
        now = self._now()
        changed = self._write(lambda conn: conn.execute(
            "UPDATE broadcast_rows SET state = 'sending', message = '', updated_at = %s,"
            " lease_until = now() + interval '1 day'"
            " WHERE run_id = %s AND position = %s AND state IN ('queued', 'waiting')"
            " AND claimed_by IS NULL", (now, run_id, position)).rowcount)
        if changed != 1:
            raise BroadcastStoreError(
                f"Row {position + 1} of broadcast {run_id} is no longer waiting to be sent.")

    def finish_row(self, run_id: int, position: int, *, state: RowState,
                   result_id: str | None = None, message: str = "") -> None:
        if state not in ROW_STATES:
            raise ValueError(f"unknown row state {state!r}")
        now = self._now()
        self._write(lambda conn: conn.execute(
            "UPDATE broadcast_rows SET state = %s, result_id = %s, message = %s, not_before = NULL,"
            " claimed_by = NULL, lease_until = NULL, updated_at = %s"
            " WHERE run_id = %s AND position = %s",
            (str(state), result_id, message, now, run_id, position)))

    def set_rows_state(self, run_id: int, positions: Iterable[int], *, state: RowState,
                       message: str = "", not_before: datetime | None = None) -> None:
        if state not in ROW_STATES:
            raise ValueError(f"unknown row state {state!r}")
        now = self._now()
        when = stamp(not_before) if not_before else None
        chosen = [int(p) for p in positions]
        self._write(lambda conn: conn.execute(
            "UPDATE broadcast_rows SET state = %s, message = %s, not_before = %s, updated_at = %s,"
            " claimed_by = NULL, lease_until = NULL WHERE run_id = %s AND position = ANY(%s)",
            (str(state), message, when, now, run_id, chosen)))

    def recover(self) -> tuple[int, int]:
        """At a desk's start: rows whose sender stopped answering become "unknown", runs that
        nobody takes part in any more "interrupted". Rows and runs other desks are working on
        now are left alone (their leases are alive)."""
        return self.claims.reap_all()

    # -- templates -------------------------------------------------------------------
    def templates(self) -> dict[str, str]:
        found = self._call(lambda conn: conn.execute(
            "SELECT name, body FROM broadcast_templates ORDER BY lower(name), name").fetchall())
        return {str(n): str(b) for n, b in found}

    def save_template(self, name: str, body: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("Template name: this field is empty. Give the template a name.")
        now = self._now()
        self._write(lambda conn: conn.execute(
            "INSERT INTO broadcast_templates (name, body, updated_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            (name, body, now)), "The template could not be saved")

    def delete_template(self, name: str) -> None:
        self._write(lambda conn: conn.execute("DELETE FROM broadcast_templates WHERE name = %s",
                                              (name,)), "The template could not be deleted")

    # -- the do-not-contact list ---------------------------------------------------------
    def do_not_contact(self) -> list[DncRecord]:
        found = self._call(lambda conn: conn.execute(
            "SELECT number, reason, added, source FROM broadcast_dnc ORDER BY number").fetchall(),
            "The do-not-contact list could not be read")
        return [DncRecord(*r) for r in found]

    def do_not_contact_map(self) -> dict[str, DncRecord]:
        return {r.number: r for r in self.do_not_contact()}

    def do_not_contact_entry(self, number: str) -> DncRecord | None:
        found = self._call(lambda conn: conn.execute(
            "SELECT number, reason, added, source FROM broadcast_dnc WHERE number = %s",
            (number,)).fetchone(), "The do-not-contact list could not be read")
        return DncRecord(*found) if found else None

    def add_do_not_contact(self, records: Iterable[DncRecord]) -> int:
        """Numbers not on the list yet are added; one already there keeps when and how it
        first arrived. Returns how many were new."""
        given = list(records)
        if not given:
            return 0
        columns = ([r.number for r in given], [r.reason for r in given], [r.added for r in given],
                   [r.source for r in given])
        added = self._write(lambda conn: conn.execute(
            "INSERT INTO broadcast_dnc (number, reason, added, source)"
            " SELECT DISTINCT ON (n) n, r, a, s FROM unnest(%s::text[], %s::text[], %s::text[],"
            " %s::text[]) AS given (n, r, a, s) ON CONFLICT (number) DO NOTHING", columns).rowcount,
            "The do-not-contact list could not be saved")
        self._bump()
        return int(added)

    def remove_do_not_contact(self, numbers: Iterable[str]) -> None:
        chosen = list(numbers)
        self._write(lambda conn: conn.execute("DELETE FROM broadcast_dnc WHERE number = ANY(%s)",
                                              (chosen,)),
                    "The do-not-contact list could not be saved")
        self._bump()

    # -- the office's calling rules ------------------------------------------------------
    def office_rules(self) -> dict[str, Any]:
        found = self._call(lambda conn: conn.execute(
            "SELECT value FROM broadcast_meta WHERE key = %s", (_OFFICE_RULES,)).fetchone(),
            "The office's calling rules could not be read")
        if not found:
            return {}
        try:
            value = json.loads(found[0])
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def save_office_rules(self, rules: dict[str, Any]) -> None:
        value = json.dumps(rules, sort_keys=True)
        self._write(lambda conn: conn.execute(
            "INSERT INTO broadcast_meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (_OFFICE_RULES, value)),
            "The office's calling rules could not be saved")
        self._bump()

    # -- taking part with other desks (the claims object's) ---------------------------
    def join(self, run_id: int, who: Participant, lease_s: float) -> RunInfo:
        return self.claims.join(run_id, who, lease_s)

    def claim(self, run_id: int, who: Participant, *, limit: int, lease_s: float,
              now: datetime) -> Claim:
        return self.claims.claim(run_id, who, limit=limit, lease_s=lease_s, now=now)

    def heartbeat(self, run_id: int, who: Participant, lease_s: float) -> Heartbeat:
        return self.claims.heartbeat(run_id, who, lease_s)

    def mark_sending_claimed(self, run_id: int, position: int, who: Participant,
                             lease_s: float) -> SendingMark:
        return self.claims.mark_sending_claimed(run_id, position, who, lease_s)

    def finish_claimed(self, run_id: int, position: int, who: Participant, *, state: RowState,
                       result_id: str | None = None, message: str = "",
                       not_before: datetime | None = None) -> bool:
        return self.claims.finish_claimed(run_id, position, who, state=state,
                                          result_id=result_id, message=message,
                                          not_before=not_before)

    def release(self, run_id: int, who: Participant) -> int:
        return self.claims.release(run_id, who)

    def leave(self, run_id: int, who: Participant, *, alone: str = RunState.INTERRUPTED) -> str:
        return self.claims.leave(run_id, who, alone=alone)

    def reap(self, run_id: int | None = None) -> int:
        return self.claims.reap(run_id)

    def reap_all(self) -> tuple[int, int]:
        return self.claims.reap_all()

    def cancel_run(self, run_id: int) -> int:
        return self.claims.cancel_run(run_id)

    def participants(self, run_id: int) -> list[Participant]:
        return self.claims.participants(run_id)

    def rows_changed_since(self, run_id: int, mark: int) -> tuple[int, list[RowInfo]]:
        return self.claims.rows_changed_since(run_id, mark)
