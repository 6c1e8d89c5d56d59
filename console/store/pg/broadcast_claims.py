"""Several desks and runners taking part in one office broadcast: claims, leases, heartbeats.

How a row goes, whoever sends it:

1. **Claimed** a few at a time (`claim`): ``UPDATE … WHERE position =
   ANY(ARRAY(SELECT … FOR UPDATE SKIP LOCKED LIMIT n))`` (an ``IN (SELECT …)``
   that runs its SELECT once), so two participants never get the same row.
   The claim carries a lease (``lease_until``, the server's clock) that the
   participant's heartbeat renews (`heartbeat`).
2. **Marked "sending"** by its holder only (`mark_sending_claimed`), in one
   statement that also checks the run still runs (a pause on any desk holds
   the very next row everywhere) and that the number is not on the office's
   do-not-contact list at this moment. Committed before the request leaves.
3. **Finished** with the server's answer by its holder (`finish_claimed`).

A participant that dies or loses its network stops renewing: its claimed rows
are claimed again by another after the lease (they never left); a row it left
"sending" may have reached Voitex, so it is never claimed again: the next
look (`reap`) makes it "unknown", for a person to decide. Its holder may still
write the real outcome over that "unknown" if it comes back.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from console.domain.vocabulary import RowState, RunState
from console.store.broadcast_dnc import DncRecord
from console.store.broadcast_mapping import stamp as _stamp
from console.store.broadcast_types import (
    LOST_MESSAGE,
    BroadcastStoreError,
    Claim,
    Heartbeat,
    Participant,
    RowInfo,
    RunInfo,
    SendingMark,
)
from console.store.pg.broadcast_rows import MARK, ROW_COLUMNS, row_of
from console.store.pg.engine import Conn, Job

__all__ = ["BroadcastClaims", "CANCELLED_MESSAGE"]

T = TypeVar("T")

CANCELLED_MESSAGE = "Cancelled before it was sent."
_FROM_SENDING = (RowState.SENT, RowState.FAILED, RowState.UNKNOWN)
_FROM_OPEN = (RowState.SKIPPED, RowState.WAITING, RowState.CANCELLED)


def _reap(conn: Conn, run_id: int | None, now: str) -> tuple[int, int]:
    """Rows left "sending" by a participant whose lease ran out become "unknown"; the dead
    participants go; a running run nobody takes part in any more is "interrupted"."""
    only = " AND run_id = %(run)s" if run_id is not None else ""
    args = {"run": run_id, "now": now, "lost": LOST_MESSAGE}
    rows = conn.execute(
        "UPDATE broadcast_rows SET state = 'unknown', message = %(lost)s, updated_at = %(now)s"
        " WHERE state = 'sending' AND lease_until < now()" + only, args).rowcount
    conn.execute("DELETE FROM broadcast_participants WHERE lease_until < now()" + only, args)
    runs = conn.execute(
        "UPDATE broadcast_runs u SET state = 'interrupted', updated_at = %(now)s"
        " WHERE state = 'running'" + (" AND id = %(run)s" if run_id is not None else "")
        + " AND NOT EXISTS (SELECT 1 FROM broadcast_participants p WHERE p.run_id = u.id"
          " AND p.lease_until > now())", args).rowcount
    return int(rows), int(runs)


def _live(conn: Conn, run_id: int) -> int:
    found = conn.execute("SELECT count(*) FROM broadcast_participants WHERE run_id = %s"
                         " AND lease_until > now()", (run_id,)).fetchone()
    return int(found[0]) if found else 0


def _run_state(conn: Conn, run_id: int) -> str:
    found = conn.execute("SELECT state FROM broadcast_runs WHERE id = %s", (run_id,)).fetchone()
    if found is None:
        raise BroadcastStoreError(f"There is no broadcast {run_id}.")
    return str(found[0])


def _left(conn: Conn, run_id: int) -> tuple[int, int, datetime | None]:
    found = conn.execute(
        "SELECT count(*) FILTER (WHERE state IN ('queued', 'waiting')),"
        " count(*) FILTER (WHERE state = 'sending'),"
        " min(not_before) FILTER (WHERE state = 'waiting')"
        " FROM broadcast_rows WHERE run_id = %s AND state IN ('queued', 'waiting', 'sending')",
        (run_id,)).fetchone()
    assert found is not None
    return int(found[0]), int(found[1]), datetime.fromisoformat(found[2]) if found[2] else None


def _lease(lease_s: float) -> str:
    return f"{max(0.05, float(lease_s)):.3f} seconds"


class _Write(Protocol):
    def __call__(self, job: Job[T]) -> T: ...


class BroadcastClaims:
    """The claims of the office's broadcasts, owned by `PgBroadcastStore`: it hands in
    how a job is written (on its engine, its errors said its way), the time as stored
    and how a run is read."""

    def __init__(self, write: _Write, now: Callable[[], str],
                 run: Callable[[int], RunInfo]) -> None:
        self._job = write
        self._now = now
        self._run = run

    def reap(self, run_id: int | None = None) -> int:
        now = self._now()
        return self._job(lambda conn: _reap(conn, run_id, now)[0])

    def reap_all(self) -> tuple[int, int]:
        now = self._now()
        return self._job(lambda conn: _reap(conn, None, now))

    def join(self, run_id: int, who: Participant, lease_s: float) -> RunInfo:
        """Take part in `run_id`: it runs (or waits for its start) from now on, unless it is over."""
        now = self._now()

        def job(conn: Conn) -> None:
            _reap(conn, run_id, now)
            conn.execute(
                "INSERT INTO broadcast_participants (run_id, participant, desk, kind, lease_until)"
                " VALUES (%s, %s, %s, %s, now() + %s::interval) ON CONFLICT (run_id, participant)"
                " DO UPDATE SET lease_until = excluded.lease_until",
                (run_id, who.id, who.desk, who.kind, _lease(lease_s)))
            conn.execute(
                "UPDATE broadcast_runs SET updated_at = %(now)s, state = CASE WHEN start_at IS NOT"
                " NULL AND start_at > %(now)s THEN 'scheduled' ELSE 'running' END"
                " WHERE id = %(run)s AND state IN ('scheduled', 'running', 'paused', 'interrupted')",
                {"now": now, "run": run_id})

        self._job(job)
        return self._run(run_id)

    def claim(self, run_id: int, who: Participant, *, limit: int, lease_s: float,
              now: datetime) -> Claim:
        stamp, at = self._now(), _stamp(now)

        def job(conn: Conn) -> Claim:
            _reap(conn, run_id, stamp)
            conn.execute("UPDATE broadcast_runs SET state = 'running', updated_at = %s"
                         " WHERE id = %s AND state = 'scheduled' AND start_at <= %s",
                         (stamp, run_id, at))
            conn.execute("UPDATE broadcast_participants SET lease_until = now() + %s::interval"
                         " WHERE run_id = %s AND participant = %s", (_lease(lease_s), run_id, who.id))
            state = _run_state(conn, run_id)
            rows: list[RowInfo] = []
            if state == RunState.RUNNING:
                # ARRAY(...) makes the inner SELECT run once: as a plain IN (subquery) the
                # planner may rescan it for each row updated, and each rescan skips the rows
                # just claimed and locks the next n (a claim of 20 took 60).
                found = conn.execute(
                    "UPDATE broadcast_rows SET claimed_by = %(who)s,"
                    " lease_until = now() + %(lease)s::interval WHERE run_id = %(run)s"
                    " AND position = ANY(ARRAY(SELECT position FROM broadcast_rows"
                    " WHERE run_id = %(run)s AND (state = 'queued' OR (state = 'waiting'"
                    " AND (not_before IS NULL OR not_before <= %(at)s)))"
                    " AND (claimed_by IS NULL OR lease_until < now()) ORDER BY position"
                    f" FOR UPDATE SKIP LOCKED LIMIT %(limit)s)) RETURNING {ROW_COLUMNS}",
                    {"who": who.id, "lease": _lease(lease_s), "run": run_id, "at": at,
                     "limit": max(1, int(limit))}).fetchall()
                rows = sorted((row_of(r) for r in found), key=lambda r: r.position)
            open_rows, sending, first = _left(conn, run_id)
            if state == RunState.RUNNING and not rows and not open_rows and not sending:
                conn.execute("UPDATE broadcast_runs SET state = 'finished', updated_at = %s"
                             " WHERE id = %s AND state = 'running'", (stamp, run_id))
                state = RunState.FINISHED
            return Claim(run_state=state, rows=rows, participants=_live(conn, run_id),
                         open_rows=open_rows, sending=sending, next_not_before=first)

        return self._job(job)

    def heartbeat(self, run_id: int, who: Participant, lease_s: float) -> Heartbeat:
        lease = _lease(lease_s)

        def job(conn: Conn) -> Heartbeat:
            renewed = conn.execute(
                "UPDATE broadcast_participants SET lease_until = now() + %s::interval"
                " WHERE run_id = %s AND participant = %s", (lease, run_id, who.id)).rowcount
            if not renewed:  # the others gave us up while we were away: back in
                conn.execute(
                    "INSERT INTO broadcast_participants (run_id, participant, desk, kind,"
                    " lease_until) VALUES (%s, %s, %s, %s, now() + %s::interval)"
                    " ON CONFLICT DO NOTHING", (run_id, who.id, who.desk, who.kind, lease))
            holding = conn.execute(
                "UPDATE broadcast_rows SET lease_until = now() + %s::interval WHERE run_id = %s"
                " AND claimed_by = %s AND state IN ('queued', 'waiting', 'sending')",
                (lease, run_id, who.id)).rowcount
            return Heartbeat(run_state=_run_state(conn, run_id), participants=_live(conn, run_id),
                             holding=int(holding))

        return self._job(job)

    def mark_sending_claimed(self, run_id: int, position: int, who: Participant,
                             lease_s: float) -> SendingMark:
        """Committed before the request leaves; refused when the run no longer runs, the row is
        not this participant's any more, or its number is on the do-not-contact list now."""
        now = self._now()

        def job(conn: Conn) -> SendingMark:
            done = conn.execute(
                "UPDATE broadcast_rows r SET state = 'sending', message = '', updated_at = %(now)s,"
                " lease_until = now() + %(lease)s::interval"
                " WHERE run_id = %(run)s AND position = %(pos)s AND state IN ('queued', 'waiting')"
                " AND claimed_by = %(who)s"
                " AND EXISTS (SELECT 1 FROM broadcast_runs u WHERE u.id = r.run_id"
                " AND u.state = 'running')"
                " AND NOT EXISTS (SELECT 1 FROM broadcast_dnc d WHERE d.number = r.number)",
                {"now": now, "lease": _lease(lease_s), "run": run_id, "pos": position,
                 "who": who.id}).rowcount
            if done:
                return SendingMark(True)
            if _run_state(conn, run_id) != RunState.RUNNING:
                return SendingMark(False, "paused")
            found = conn.execute(
                "SELECT d.number, d.reason, d.added, d.source, r.state, r.claimed_by"
                " FROM broadcast_rows r LEFT JOIN broadcast_dnc d ON d.number = r.number"
                " WHERE r.run_id = %s AND r.position = %s", (run_id, position)).fetchone()
            if (found is not None and found[0] is not None and found[5] == who.id
                    and found[4] in ("queued", "waiting")):
                return SendingMark(False, "listed", DncRecord(*found[:4]))
            return SendingMark(False, "taken")

        return self._job(job)

    def finish_claimed(self, run_id: int, position: int, who: Participant, *, state: RowState,
                       result_id: str | None = None, message: str = "",
                       not_before: datetime | None = None) -> bool:
        """The row's new state, written only by its holder. Outcomes (sent, failed, unknown, or
        back to queued when it provably never left) replace "sending", or the "unknown" another
        participant put there meanwhile; skipped and waiting replace queued or waiting."""
        if state in _FROM_SENDING:
            sources = ["sending", "unknown"]
        elif state in _FROM_OPEN:
            sources = ["queued", "waiting"]
        elif state == RowState.QUEUED:
            sources = ["sending", "unknown", "queued", "waiting"]
        else:
            raise ValueError(f"a participant cannot put a row in state {state!r}")
        now, when = self._now(), _stamp(not_before) if not_before else None
        changed = self._job(lambda conn: conn.execute(
            "UPDATE broadcast_rows SET state = %s, result_id = %s, message = %s, not_before = %s,"
            " claimed_by = NULL, lease_until = NULL, updated_at = %s"
            " WHERE run_id = %s AND position = %s AND claimed_by = %s AND state = ANY(%s)",
            (str(state), result_id, message, when, now, run_id, position, who.id,
             sources)).rowcount)
        return bool(changed)

    def release(self, run_id: int, who: Participant) -> int:
        """The rows this participant holds but has not sent go back for anyone to claim."""
        return self._job(lambda conn: int(conn.execute(
            "UPDATE broadcast_rows SET claimed_by = NULL, lease_until = NULL WHERE run_id = %s"
            " AND claimed_by = %s AND state IN ('queued', 'waiting')", (run_id, who.id)).rowcount))

    def leave(self, run_id: int, who: Participant, *, alone: str = RunState.INTERRUPTED) -> str:
        """Stop taking part: unsent rows go back; when nobody else takes part, the run is `alone`
        ("interrupted" by a stop, "paused" by a problem) if rows are left, "finished" if none
        are. Returns the run's state."""
        now = self._now()

        def job(conn: Conn) -> str:
            conn.execute("UPDATE broadcast_rows SET claimed_by = NULL, lease_until = NULL"
                         " WHERE run_id = %s AND claimed_by = %s AND state IN ('queued', 'waiting')",
                         (run_id, who.id))
            conn.execute("DELETE FROM broadcast_participants WHERE run_id = %s AND participant = %s",
                         (run_id, who.id))
            state = _run_state(conn, run_id)
            if state in (RunState.RUNNING, RunState.SCHEDULED) and not _live(conn, run_id):
                open_rows, sending, _first = _left(conn, run_id)
                final = str(alone) if open_rows or sending else RunState.FINISHED
                if state == RunState.SCHEDULED and open_rows:
                    final = RunState.SCHEDULED  # nobody waits for it now, but it is still due
                conn.execute("UPDATE broadcast_runs SET state = %s, updated_at = %s WHERE id = %s",
                             (str(final), now, run_id))
                state = final
            return state

        return self._job(job)

    def cancel_run(self, run_id: int) -> int:
        """Any desk: the rows not sent yet are cancelled (a row already "sending" finishes)."""
        now = self._now()

        def job(conn: Conn) -> int:
            conn.execute("UPDATE broadcast_runs SET state = 'cancelled', updated_at = %s"
                         " WHERE id = %s", (now, run_id))
            return int(conn.execute(
                "UPDATE broadcast_rows SET state = 'cancelled', message = %s, claimed_by = NULL,"
                " lease_until = NULL, updated_at = %s WHERE run_id = %s"
                " AND state IN ('queued', 'waiting')", (CANCELLED_MESSAGE, now, run_id)).rowcount)

        return self._job(job)

    def participants(self, run_id: int) -> list[Participant]:
        found = self._job(lambda conn: conn.execute(
            "SELECT participant, desk, kind FROM broadcast_participants WHERE run_id = %s"
            " AND lease_until > now() ORDER BY joined_at, participant", (run_id,)).fetchall())
        return [Participant(str(p), str(d), str(k)) for p, d, k in found]

    def rows_changed_since(self, run_id: int, mark: int) -> tuple[int, list[RowInfo]]:
        """(a new mark, the rows of `run_id` changed since `mark`); a row may come twice."""
        def job(conn: Conn) -> tuple[int, list[RowInfo]]:
            found = conn.execute(f"SELECT {MARK}").fetchone()
            rows = conn.execute(
                f"SELECT {ROW_COLUMNS} FROM broadcast_rows WHERE run_id = %s"
                " AND change_xid >= %s::text::xid8 ORDER BY position",
                (run_id, str(int(mark)))).fetchall()
            latest = int(found[0]) if found else mark
            return max(latest, mark), [row_of(r) for r in rows]

        return self._job(job)
