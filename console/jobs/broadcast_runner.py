"""Send a broadcast's rows one by one, each at most once, through the journalled Sender.

For every row: the row is committed as "sending" in the broadcast tables
(synchronous=FULL, off the UI thread) before its request leaves; the Sender
journals the request in History around the call; the outcome is written after.
A row is never sent again automatically, except after an answer that proves it
was not acted on (HTTP 429, or no connection at all). A row whose outcome is
unknown waits for the user: send again, or mark as sent.

Each row is judged again just before it goes (console/jobs/row_judge.py): the
do-not-contact list, the calling rules of the customer's state and the
office's own stricter settings as they are at that moment, public holidays,
and the per-person caps counted from History (every broadcast and one-off
send). A row that may not go yet waits for its time and is judged again
then; one that may not go in its window is skipped, with the reason. The pace
follows a RateLimiter that a 429 slows for the whole run.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import heapq
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, Signal

from console.domain.broadcast.judge import SEND, SKIP
from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import EntryKind, RowState, RunState
from console.jobs.broadcast_send import RowSender, send_outcome
from console.jobs.broadcast_settings import run_settings
from console.jobs.row_judge import CapHistory, RowJudge
from console.store.broadcasts import OPEN_ROW_STATES, BroadcastStore, BroadcastStoreError, RowInfo, RunInfo
from console.store.journal import JournalError

if TYPE_CHECKING:
    from console.jobs.broadcast_office import OfficeRuns
    from console.jobs.sender import Sender
    from console.store.broadcast_types import SharedBroadcastStore

log = logging.getLogger(__name__)

__all__ = ["BroadcastRunner", "RunProgress", "send_broadcast_row", "RowSender", "run_settings"]

IN_AIR_MESSAGE = "The console stopped while this was being sent; it may have gone out."
_MAX_NAP = 30.0  # re-check the clock at least this often while waiting (the computer may sleep)


async def send_broadcast_row(sender: Sender, run: RunInfo, row: RowInfo) -> str | None:
    """The one place a broadcast row reaches the journalled Sender.

    Each row's History entry carries the run's id as its group, so History
    can list a run's entries together.
    """
    s = run.settings
    group = str(run.id)
    if run.kind == EntryKind.SMS:
        sms = await sender.send_sms(from_number=s["from"], to=row.number, body=row.text,
                                    group_id=group)
        return sms.value.reference_id
    call = await sender.place_call(cid=s["cid"], to=row.number, type=s["type"],
                                   sfile_id=s.get("sfile_id"),
                                   route_number=s.get("route_number"),
                                   branch_number=s.get("branch_number"),
                                   group_id=group)
    return call.value.reference_id


@dataclass(frozen=True)
class RunProgress:
    run_id: int
    state: str
    total: int
    sent: int
    failed: int
    unknown: int
    skipped: int
    cancelled: int
    to_send: int
    waiting: int
    next_opening: datetime | None
    seconds_left: float
    per_second: float
    slowed: bool
    start_at: datetime | None = None

    @property
    def finished_rows(self) -> int:
        return self.total - self.to_send


class _Control:
    """Pause / cancel flags and the event that wakes a sleeping runner."""

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
            await asyncio.wait_for(self.wake.wait(), timeout=min(seconds, _MAX_NAP))


class BroadcastRunner(QObject):
    """Runs broadcasts (several may run at once, each at its own pace)."""

    row_changed = Signal(object)  # RowInfo
    progress_changed = Signal(object)  # RunProgress
    run_finished = Signal(int, str)  # run id, final run state
    run_stopped = Signal(int, str)  # run id, why (paused by a problem): words for the user
    rate_limited = Signal(int, float)  # run id, the new pace in messages per second

    def __init__(self, *, store: BroadcastStore, send_row: RowSender,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] | None = None,
                 describe: Callable[[BaseException, str], str] | None = None,
                 current_profile_id: Callable[[], str] | None = None,
                 history: CapHistory | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        # History counts each number's messages for the per-person caps.
        self.judge = RowJudge(store=store, history=history)
        self._send_row = send_row
        self._clock = clock
        self._monotonic = monotonic or time.monotonic
        self._describe = describe or (lambda err, action: str(err))
        # The Sender sends with the active profile: a run goes on only while the
        # profile it was made with is the active one.
        self._current_profile_id = current_profile_id
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._controls: dict[int, _Control] = {}
        self._limiters: dict[int, RateLimiter] = {}
        # Rows written as sent/failed in memory whose store update did not land yet.
        self._unsaved: list[tuple[int, int, RowState, str | None, str]] = []
        # Runs to start again once their loop ends (rows sent again while it ran).
        self._restart_after: set[int] = set()
        # Runs with a loop going: the run and its rows as last known, so progress
        # never waits on the database (a writer thread may hold it for an fsync).
        self._live: dict[int, tuple[RunInfo, dict[int, RowInfo]]] = {}
        self._states: dict[int, str] = {}
        # On an office database, this desk takes part in shared runs (console/jobs/broadcast_office.py).
        self._office: OfficeRuns | None = None
        if getattr(store, "shared", False):
            from console.jobs.broadcast_office import OfficeRuns

            self._office = OfficeRuns(self, cast("SharedBroadcastStore", store))

    def use_history(self, history: CapHistory) -> None:
        """Count per-person caps from `history` (when the runner was made without it)."""
        if self.judge.history is None:
            self.judge.history = history

    # -- control ---------------------------------------------------------------
    def _set_state(self, run_id: int, state: RunState) -> None:
        # The run's state is a summary for the list of runs; the rows' states are
        # what guard against sending twice. A locked file must not stop a pause.
        self._states[run_id] = state
        try:
            self.store.set_run_state(run_id, state)
        except BroadcastStoreError as err:
            log.warning("broadcast %s: state %s not saved: %s", run_id, state, err)

    def is_running(self, run_id: int) -> bool:
        if self._office is not None:
            return self._office.is_running(run_id)
        task = self._tasks.get(run_id)
        return task is not None and not task.done()

    def sending(self) -> bool:
        """A run is under way and not paused (quitting now would interrupt it)."""
        if self._office is not None:
            return self._office.sending()
        return any(self.is_running(run_id) and not control.paused
                   for run_id, control in self._controls.items())

    def start(self, run_id: int) -> None:
        """Start or resume `run_id`; rows still queued or waiting are sent."""
        if self._office is not None:
            self._office.start(run_id)
            return
        if self.is_running(run_id):
            self.resume(run_id)
            return
        control = _Control()
        self._controls[run_id] = control
        run = self.store.run(run_id)
        waits = run.start_at is not None and run.start_at > self._clock()
        self._set_state(run_id, RunState.SCHEDULED if waits else RunState.RUNNING)
        task = asyncio.ensure_future(self._run(run_id, control))
        self._tasks[run_id] = task
        task.add_done_callback(functools.partial(self._on_task_done, run_id))

    def pause(self, run_id: int) -> None:
        if self._office is not None:
            self._office.pause(run_id)
            return
        control = self._controls.get(run_id)
        if control is not None and self.is_running(run_id):
            control.paused = True
            control.wake.set()
            self._set_state(run_id, RunState.PAUSED)
            self._emit_progress(run_id)

    def resume(self, run_id: int) -> None:
        if self._office is not None:
            self._office.start(run_id)
            return
        control = self._controls.get(run_id)
        if control is not None and self.is_running(run_id):
            control.paused = False
            control.wake.set()
            self._set_state(run_id, RunState.RUNNING)
            self._emit_progress(run_id)
        else:
            self.start(run_id)

    def is_paused(self, run_id: int) -> bool:
        control = self._controls.get(run_id)
        return bool(control and control.paused and self.is_running(run_id))

    def cancel(self, run_id: int) -> None:
        """Rows not yet sent are cancelled; a row whose request already left finishes."""
        if self._office is not None:
            self._office.cancel(run_id)
            return
        control = self._controls.get(run_id)
        if control is not None and self.is_running(run_id):
            control.cancelled = True
            control.wake.set()
        else:
            self._cancel_open_rows(run_id)
            self._set_state(run_id, RunState.CANCELLED)
            self._emit_progress(run_id)
            self.run_finished.emit(run_id, RunState.CANCELLED)

    async def shutdown(self, grace: float = 5.0) -> None:
        """Stop every run (the console closes); they are offered for resuming next time.

        No new row starts; a request already in the air gets `grace` seconds to
        come back, so a normal close leaves no row unknown. Past that it is
        cancelled, and its row is unknown.
        """
        if self._office is not None:
            await self._office.shutdown(grace)
        tasks = [t for t in self._tasks.values() if not t.done()]
        for control in self._controls.values():
            control.stopping = True
            control.wake.set()
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- the user's decisions on rows ---------------------------------------------
    def send_again(self, run_id: int, positions: Iterable[int]) -> None:
        """The user chose to send these failed or unknown rows again."""
        if self._office is not None:
            self._office.send_again(run_id, positions)
            return
        rows = {r.position: r for r in self.store.rows(run_id)}
        again = (RowState.FAILED, RowState.UNKNOWN, RowState.CANCELLED, RowState.SKIPPED)
        chosen = [p for p in positions if rows.get(p) and rows[p].state in again]
        if not chosen:
            return
        self.store.set_rows_state(run_id, chosen, state=RowState.QUEUED, message="Sent again by your choice.")
        for row in self.store.rows(run_id):
            if row.position in chosen:
                self._publish(row)
        if self.store.run(run_id).state in (RunState.FINISHED, RunState.CANCELLED, RunState.INTERRUPTED):
            self._set_state(run_id, RunState.PAUSED)
        if self.is_running(run_id):
            # The running loop has its own list of rows: start over after it ends.
            self._restart_after.add(run_id)
        else:
            self.start(run_id)

    def mark_sent(self, run_id: int, positions: Iterable[int]) -> None:
        """The user checked that these unknown rows did reach the customer."""
        if self._office is not None:
            self._office.mark_sent(run_id, positions)
            return
        rows = {r.position: r for r in self.store.rows(run_id)}
        for p in positions:
            if rows.get(p) and rows[p].state == RowState.UNKNOWN:
                self.store.finish_row(run_id, p, state=RowState.SENT, result_id=rows[p].result_id,
                                      message="Marked as sent by you.")
        for row in self.store.rows(run_id):
            if row.position in rows and row.state != rows[row.position].state:
                self._publish(row)
        self._emit_progress(run_id)

    # -- progress ------------------------------------------------------------------
    def progress(self, run_id: int) -> RunProgress:
        live = self._live.get(run_id)
        if live is not None:
            return self._progress_of(live[0], list(live[1].values()))
        return self._progress_of(self.store.run(run_id), self.store.rows(run_id))

    def _progress_of(self, run: RunInfo, rows: list[RowInfo]) -> RunProgress:
        c: dict[str, int] = {}
        for r in rows:
            c[r.state] = c.get(r.state, 0) + 1
        limiter = self._limiters.get(run.id)
        per_second = (limiter.effective_per_second if limiter
                      else min(float(run.settings.get("per_second", 1)),
                               int(run.settings.get("per_minute", 60)) / 60))
        to_send = sum(c.get(s, 0) for s in OPEN_ROW_STATES)
        waiting = c.get(RowState.WAITING, 0)
        openings = [r.not_before for r in (rows or []) if r.state == RowState.WAITING and r.not_before]
        next_open = min(openings) if openings else None
        seconds = to_send / per_second if per_second else 0.0
        if next_open is not None:
            seconds = max(seconds, (next_open - self._clock()).total_seconds()
                          + waiting / per_second)
        state = self._states.get(run.id, run.state)
        if self.is_paused(run.id):
            state = RunState.PAUSED
        return RunProgress(run_id=run.id, state=state, total=sum(c.values()), sent=c.get(RowState.SENT, 0),
                           failed=c.get(RowState.FAILED, 0), unknown=c.get(RowState.UNKNOWN, 0),
                           skipped=c.get(RowState.SKIPPED, 0), cancelled=c.get(RowState.CANCELLED, 0),
                           to_send=to_send, waiting=waiting, next_opening=next_open,
                           seconds_left=max(0.0, seconds), per_second=per_second,
                           slowed=bool(limiter and limiter.factor < 1.0), start_at=run.start_at)

    def _emit_progress(self, run_id: int) -> None:
        try:
            progress = self.progress(run_id)
        except BroadcastStoreError:
            return
        self.progress_changed.emit(progress)

    def _publish(self, row: RowInfo) -> None:
        live = self._live.get(row.run_id)
        if live is not None:
            live[1][row.position] = row
        self.row_changed.emit(row)

    # -- the run ---------------------------------------------------------------------
    def _cancel_open_rows(self, run_id: int) -> None:
        open_rows = [r.position for r in self.store.rows(run_id) if r.state in OPEN_ROW_STATES]
        self.store.set_rows_state(run_id, open_rows, state=RowState.CANCELLED,
                                  message="Cancelled before it was sent.")
        for row in self.store.rows(run_id):
            if row.position in open_rows:
                self._publish(row)

    def _on_task_done(self, run_id: int, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        err = task.exception()
        if err is not None:
            log.error("broadcast %s stopped", run_id, exc_info=err)
            self._set_state(run_id, RunState.PAUSED)
            self.run_stopped.emit(run_id, f"The broadcast stopped because of an unexpected problem: "
                                          f"{err}. It is paused; press Resume to go on.")
            return
        if run_id in self._restart_after:
            self._restart_after.discard(run_id)
            self.start(run_id)

    async def _write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        await asyncio.to_thread(fn, *args, **kwargs)

    async def _save_outcome(self, run_id: int, position: int, state: RowState, result_id: str | None,
                            message: str) -> None:
        """The outcome is what the server said; a failed write is retried, never changes it."""
        delay = 0.1
        for _attempt in range(8):
            try:
                await self._write(self.store.finish_row, run_id, position, state=state,
                                  result_id=result_id, message=message)
                return
            except BroadcastStoreError as err:
                log.warning("saving row %s of broadcast %s failed: %s", position, run_id, err)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        self._unsaved.append((run_id, position, state, result_id, message))
        self.run_stopped.emit(run_id, (
            f"Row {position + 1}: the outcome ({state}) could not be saved in the broadcast file; "
            "the console keeps trying. Close other programs using the history file."))

    def _flush_unsaved(self) -> None:
        still = []
        for run_id, position, state, result_id, message in self._unsaved:
            try:
                self.store.finish_row(run_id, position, state=state, result_id=result_id,
                                      message=message)
            except BroadcastStoreError:
                still.append((run_id, position, state, result_id, message))
        self._unsaved = still

    def _emit_row(self, row: RowInfo, **changes: Any) -> RowInfo:
        from dataclasses import replace

        row = replace(row, **changes)
        self._publish(row)
        return row

    async def _run(self, run_id: int, control: _Control) -> None:
        run = self.store.run(run_id)
        window, mode, per_second, per_minute, office_zone = run_settings(run.settings)
        await asyncio.to_thread(self.judge.prepare, self._clock())  # tables: not on the UI thread
        # The rules, time zone and holiday tables live as long as the console: keep
        # them out of the collector's full scans, which otherwise stall the window
        # for 20 ms (console/app.py freezes what it builds at start the same way).
        gc.freeze()
        limiter = self._limiters.get(run_id) or RateLimiter(
            per_second=per_second, per_minute=per_minute, clock=self._monotonic)
        self._limiters[run_id] = limiter
        action = "the message" if run.kind == EntryKind.SMS else "the call"

        # A run scheduled for later waits for its time (pause and cancel still work).
        while (run.start_at is not None and self._clock() < run.start_at and not control.cancelled
               and not control.stopping):
            if not control.paused and self._states.get(run_id) != RunState.SCHEDULED:
                self._set_state(run_id, RunState.SCHEDULED)
            self._emit_progress(run_id)
            await control.nap((run.start_at - self._clock()).total_seconds())
        if not control.paused:
            self._set_state(run_id, RunState.RUNNING)

        rows = self.store.rows(run_id)
        self._live[run_id] = (run, {r.position: r for r in rows})
        ready: deque[RowInfo] = deque(r for r in rows if r.state == RowState.QUEUED)
        held: list[tuple[datetime, int, RowInfo]] = [
            (r.not_before or self._clock(), r.position, r) for r in rows if r.state == RowState.WAITING]
        heapq.heapify(held)
        self._emit_progress(run_id)
        last_progress = 0.0

        while (ready or held) and not control.cancelled and not control.stopping:
            if control.paused:
                await control.nap(_MAX_NAP)
                continue
            now = self._clock()
            while held and held[0][0] <= now:
                ready.append(heapq.heappop(held)[2])
            if not ready:
                await control.nap((held[0][0] - now).total_seconds())
                continue
            row = ready[0]
            wait = limiter.delay()
            if wait > 0:
                await control.nap(wait)
                continue
            # Judged with the rules, the list and the counts of this moment.
            try:
                verdict = await self.judge.judge_now(row, now, window=window, mode=mode,
                                                     office_zone=office_zone)
            except (BroadcastStoreError, JournalError) as err:
                self._pause_for(run_id, control, (
                    f"Row {row.source_row}: not sent, because the do-not-contact list or the "
                    f"calling rules could not be read ({err}). The run is paused; press Resume."))
                continue
            if verdict.kind != SEND:
                ready.popleft()
                if verdict.kind == SKIP:
                    await self._write(self.store.finish_row, run_id, row.position,
                                      state=RowState.SKIPPED, message=verdict.reason)
                    self._emit_row(row, state=RowState.SKIPPED, message=verdict.reason)
                else:
                    opening = verdict.at or now
                    await self._write(self.store.set_rows_state, run_id, [row.position],
                                      state=RowState.WAITING, message=verdict.reason,
                                      not_before=opening)
                    row = self._emit_row(row, state=RowState.WAITING, message=verdict.reason,
                                         not_before=opening)
                    heapq.heappush(held, (opening, row.position, row))
                self._emit_progress(run_id)
                continue
            if self._current_profile_id and self._current_profile_id() != run.profile_id:
                self._pause_for(run_id, control, (
                    f"The active profile is no longer '{run.profile_name}', which this broadcast "
                    f"was made with. It is paused: switch back to '{run.profile_name}' and press "
                    "Resume."))
                continue
            ready.popleft()

            try:
                await self._write(self.store.mark_sending, run_id, row.position)
            except BroadcastStoreError as err:
                # Nothing is sent when the "sending" mark is not on disk.
                ready.appendleft(row)
                self._pause_for(run_id, control, (
                    f"Row {row.source_row}: not sent, because the broadcast file could not be "
                    f"updated ({err}). The run is paused; close other programs using the "
                    "history file, then press Resume."))
                continue
            self._emit_row(row, state=RowState.SENDING, message="")
            limiter.started()
            state, result_id, message = await self._send(run, row, limiter, control, action)
            if state == RowState.QUEUED:
                ready.appendleft(row)
                await self._write(self.store.set_rows_state, run_id, [row.position],
                                  state=RowState.QUEUED, message=message)
                self._emit_row(row, state=RowState.QUEUED, message=message)
            else:
                await self._save_outcome(run_id, row.position, state, result_id, message)
                self._emit_row(row, state=state, result_id=result_id, message=message)
            if self._unsaved:
                self._flush_unsaved()
            if self._monotonic() - last_progress > 0.2 or not (ready or held):
                last_progress = self._monotonic()
                self._emit_progress(run_id)

        if control.stopping and not control.cancelled and (ready or held or (
                run.start_at is not None and self._clock() < run.start_at)):
            self._set_state(run_id, RunState.INTERRUPTED)
            self._live.pop(run_id, None)
            return
        if control.cancelled:
            self._cancel_open_rows(run_id)
            final = RunState.CANCELLED
        else:
            final = RunState.FINISHED
        self._set_state(run_id, final)
        self._emit_progress(run_id)
        self._live.pop(run_id, None)
        self.run_finished.emit(run_id, final)

    def _pause_for(self, run_id: int, control: _Control, why: str) -> None:
        control.paused = True
        self._set_state(run_id, RunState.PAUSED)
        self.run_stopped.emit(run_id, why)
        self._emit_progress(run_id)

    async def _send(self, run: RunInfo, row: RowInfo, limiter: RateLimiter, control: _Control,
                    action: str) -> tuple[RowState, str | None, str]:
        """(new row state, reference id, message). "queued": provably not sent; try it later."""
        # The console may close with this request in the air: the row is then unknown.
        outcome = await send_outcome(self._send_row, run, row, limiter, self._describe, action,
                                     in_air=functools.partial(
                                         self._save_outcome, run.id, row.position, RowState.UNKNOWN,
                                         None, IN_AIR_MESSAGE))
        if outcome.slowed:
            self.rate_limited.emit(run.id, limiter.effective_per_second)
        if outcome.stop:
            self._pause_for(run.id, control, outcome.stop)
        return outcome.state, outcome.result_id, outcome.message
