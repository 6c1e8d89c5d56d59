"""One broadcast run's loop on this desk (no Qt: the runner turns its events into signals).

The run waits for its start time, then takes its rows in order: each is judged
just before it goes (console/jobs/row_judge.py), waits for its time or is
skipped with the reason, or is committed as "sending" (nothing leaves unless
that is on disk), sent through the journalled Sender (console/jobs/broadcast_send.py)
and its outcome written. It goes at the limiter's pace; pause, resume, cancel
and the console closing reach it through its :class:`RunControl`.

Whatever the loop tells the console goes through :class:`DeskRunEvents`, for
this one run; console/jobs/broadcast_runner.py keeps the runs and their signals.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import heapq
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from console.domain.broadcast.judge import SEND, SKIP
from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import EntryKind, RowState, RunState
from console.jobs.broadcast_send import Describe, RowSender, send_outcome
from console.jobs.broadcast_settings import run_settings
from console.jobs.row_judge import RowJudge
from console.store.broadcast_types import OPEN_ROW_STATES, BroadcastStoreError, RowInfo, RunInfo
from console.store.broadcasts import BroadcastStore
from console.store.journal import JournalError

log = logging.getLogger(__name__)

__all__ = ["DeskRun", "DeskRunEvents", "RunControl", "OutcomeWriter", "cancel_open_rows",
           "IN_AIR_MESSAGE", "MAX_NAP"]

IN_AIR_MESSAGE = "The console stopped while this was being sent; it may have gone out."
MAX_NAP = 30.0  # re-check the clock at least this often while waiting (the computer may sleep)


class RunControl:
    """Pause / cancel flags and the event that wakes a sleeping run."""

    def __init__(self) -> None:
        self.paused = False
        self.cancelled = False
        self.stopping = False  # the console is closing: end after the request in the air
        self.wake = asyncio.Event()

    async def nap(self, seconds: float) -> None:
        """Sleep up to `seconds`; pause, resume or cancel cut it short."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout=min(seconds, MAX_NAP))


class OutcomeWriter:
    """Writes rows' outcomes: what the server said. A failed write is tried again, never turned
    into another outcome; one that still fails is kept and written at the next chance."""

    def __init__(self, store: BroadcastStore, on_stuck: Callable[[int, str], None]) -> None:
        self.store = store
        self._on_stuck = on_stuck  # (run id, words for the user)
        self.unsaved: list[tuple[int, int, RowState, str | None, str]] = []

    async def save(self, run_id: int, position: int, state: RowState, result_id: str | None,
                   message: str) -> None:
        delay = 0.1
        for _attempt in range(8):
            try:
                await asyncio.to_thread(self.store.finish_row, run_id, position, state=state,
                                        result_id=result_id, message=message)
                return
            except BroadcastStoreError as err:
                log.warning("saving row %s of broadcast %s failed: %s", position, run_id, err)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        self.unsaved.append((run_id, position, state, result_id, message))
        self._on_stuck(run_id, (
            f"Row {position + 1}: the outcome ({state}) could not be saved in the broadcast file; "
            "the console keeps trying. Close other programs using the history file."))

    def flush(self) -> None:
        still = []
        for run_id, position, state, result_id, message in self.unsaved:
            try:
                self.store.finish_row(run_id, position, state=state, result_id=result_id,
                                      message=message)
            except BroadcastStoreError:
                still.append((run_id, position, state, result_id, message))
        self.unsaved = still


def cancel_open_rows(store: BroadcastStore, run_id: int, publish: Callable[[RowInfo], None]) -> None:
    """Every row of `run_id` not yet sent is cancelled."""
    open_rows = [r.position for r in store.rows(run_id) if r.state in OPEN_ROW_STATES]
    store.set_rows_state(run_id, open_rows, state=RowState.CANCELLED,
                         message="Cancelled before it was sent.")
    for row in store.rows(run_id):
        if row.position in open_rows:
            publish(row)


@dataclass(frozen=True)
class DeskRunEvents:
    """What one run's loop tells (on the event loop's thread), for that run."""

    set_state: Callable[[RunState], None]  # the run's state, shown and saved
    state: Callable[[], str | None]  # the run's state as last set
    row_changed: Callable[[RowInfo], None]
    progress: Callable[[], None]
    paused: Callable[[str], None]  # paused by a problem: why, in words for the user
    rate_limited: Callable[[float], None]  # the new pace in messages per second
    finished: Callable[[str], None]  # the final run state


class DeskRun:
    """The loop of one run, from its start time to its last row (or pause, cancel, closing)."""

    def __init__(self, run: RunInfo, *, control: RunControl, limiter: RateLimiter,
                 store: BroadcastStore, judge: RowJudge, outcomes: OutcomeWriter,
                 send_row: RowSender, describe: Describe, clock: Callable[[], datetime],
                 monotonic: Callable[[], float], profile_id: Callable[[], str] | None,
                 events: DeskRunEvents) -> None:
        self.run = run
        self.control = control
        self.limiter = limiter
        self.store = store
        self.judge = judge
        self.outcomes = outcomes
        self._send_row = send_row
        self._describe = describe
        self._clock = clock
        self._monotonic = monotonic
        self._profile_id = profile_id
        self.events = events
        # The rows as last known, once the run has started: progress never waits on the
        # database (a writer thread may hold it for an fsync).
        self.rows: dict[int, RowInfo] | None = None

    def publish(self, row: RowInfo) -> None:
        if self.rows is not None:
            self.rows[row.position] = row
        self.events.row_changed(row)

    def _emit_row(self, row: RowInfo, **changes: Any) -> RowInfo:
        row = replace(row, **changes)
        self.publish(row)
        return row

    def _pause_for(self, why: str) -> None:
        self.control.paused = True
        self.events.paused(why)

    async def go(self) -> None:
        run, control = self.run, self.control
        window, mode, _per_second, _per_minute, office_zone = run_settings(run.settings)
        await asyncio.to_thread(self.judge.prepare, self._clock())  # tables: not on the UI thread
        # The rules, time zone and holiday tables live as long as the console: keep
        # them out of the collector's full scans, which otherwise stall the window
        # for 20 ms (console/app.py freezes what it builds at start the same way).
        gc.freeze()
        action = "the message" if run.kind == EntryKind.SMS else "the call"

        # A run scheduled for later waits for its time (pause and cancel still work).
        while (run.start_at is not None and self._clock() < run.start_at and not control.cancelled
               and not control.stopping):
            if not control.paused and self.events.state() != RunState.SCHEDULED:
                self.events.set_state(RunState.SCHEDULED)
            self.events.progress()
            await control.nap((run.start_at - self._clock()).total_seconds())
        if not control.paused:
            self.events.set_state(RunState.RUNNING)

        rows = self.store.rows(run.id)
        self.rows = {r.position: r for r in rows}
        ready: deque[RowInfo] = deque(r for r in rows if r.state == RowState.QUEUED)
        held: list[tuple[datetime, int, RowInfo]] = [
            (r.not_before or self._clock(), r.position, r) for r in rows if r.state == RowState.WAITING]
        heapq.heapify(held)
        self.events.progress()
        last_progress = 0.0

        while (ready or held) and not control.cancelled and not control.stopping:
            if control.paused:
                await control.nap(MAX_NAP)
                continue
            now = self._clock()
            while held and held[0][0] <= now:
                ready.append(heapq.heappop(held)[2])
            if not ready:
                await control.nap((held[0][0] - now).total_seconds())
                continue
            row = ready[0]
            wait = self.limiter.delay()
            if wait > 0:
                await control.nap(wait)
                continue
            # Judged with the rules, the list and the counts of this moment.
            try:
                verdict = await self.judge.judge_now(row, now, window=window, mode=mode,
                                                     office_zone=office_zone)
            except (BroadcastStoreError, JournalError) as err:
                self._pause_for(
                    f"Row {row.source_row}: not sent, because the do-not-contact list or the "
                    f"calling rules could not be read ({err}). The run is paused; press Resume.")
                continue
            if verdict.kind != SEND:
                ready.popleft()
                if verdict.kind == SKIP:
                    await asyncio.to_thread(self.store.finish_row, run.id, row.position,
                                            state=RowState.SKIPPED, message=verdict.reason)
                    self._emit_row(row, state=RowState.SKIPPED, message=verdict.reason)
                else:
                    opening = verdict.at or now
                    await asyncio.to_thread(self.store.set_rows_state, run.id, [row.position],
                                            state=RowState.WAITING, message=verdict.reason,
                                            not_before=opening)
                    row = self._emit_row(row, state=RowState.WAITING, message=verdict.reason,
                                         not_before=opening)
                    heapq.heappush(held, (opening, row.position, row))
                self.events.progress()
                continue
            if self._profile_id and self._profile_id() != run.profile_id:
                self._pause_for(
                    f"The active profile is no longer '{run.profile_name}', which this broadcast "
                    f"was made with. It is paused: switch back to '{run.profile_name}' and press "
                    "Resume.")
                continue
            ready.popleft()

            try:
                await asyncio.to_thread(self.store.mark_sending, run.id, row.position)
            except BroadcastStoreError as err:
                # Nothing is sent when the "sending" mark is not on disk.
                ready.appendleft(row)
                self._pause_for(
                    f"Row {row.source_row}: not sent, because the broadcast file could not be "
                    f"updated ({err}). The run is paused; close other programs using the "
                    "history file, then press Resume.")
                continue
            self._emit_row(row, state=RowState.SENDING, message="")
            self.limiter.started()
            state, result_id, message = await self._send(row, action)
            if state == RowState.QUEUED:
                ready.appendleft(row)
                await asyncio.to_thread(self.store.set_rows_state, run.id, [row.position],
                                        state=RowState.QUEUED, message=message)
                self._emit_row(row, state=RowState.QUEUED, message=message)
            else:
                await self.outcomes.save(run.id, row.position, state, result_id, message)
                self._emit_row(row, state=state, result_id=result_id, message=message)
            if self.outcomes.unsaved:
                self.outcomes.flush()
            if self._monotonic() - last_progress > 0.2 or not (ready or held):
                last_progress = self._monotonic()
                self.events.progress()

        if control.stopping and not control.cancelled and (ready or held or (
                run.start_at is not None and self._clock() < run.start_at)):
            self.events.set_state(RunState.INTERRUPTED)
            return
        if control.cancelled:
            cancel_open_rows(self.store, run.id, self.publish)
            final = RunState.CANCELLED
        else:
            final = RunState.FINISHED
        self.events.set_state(final)
        self.events.progress()
        self.events.finished(final)

    async def _send(self, row: RowInfo, action: str) -> tuple[RowState, str | None, str]:
        """(new row state, reference id, message). "queued": provably not sent; try it later."""
        # The console may close with this request in the air: the row is then unknown.
        outcome = await send_outcome(self._send_row, self.run, row, self.limiter, self._describe, action,
                                     in_air=functools.partial(
                                         self.outcomes.save, self.run.id, row.position, RowState.UNKNOWN,
                                         None, IN_AIR_MESSAGE))
        if outcome.slowed:
            self.events.rate_limited(self.limiter.effective_per_second)
        if outcome.stop:
            self._pause_for(outcome.stop)
        return outcome.state, outcome.result_id, outcome.message
