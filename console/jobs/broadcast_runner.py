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

This module keeps the runs and their signals; one run's loop is
console/jobs/broadcast_desk_run.py, its progress console/jobs/broadcast_progress.py.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal

from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import RowState, RunState
from console.jobs.broadcast_desk_run import DeskRun, DeskRunEvents, OutcomeWriter, RunControl, cancel_open_rows
from console.jobs.broadcast_progress import RunProgress, progress_of
from console.jobs.broadcast_send import RowSender, send_broadcast_row
from console.jobs.broadcast_settings import run_settings
from console.jobs.row_judge import CapHistory, RowJudge
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, RowInfo, RunInfo

if TYPE_CHECKING:
    from console.jobs.broadcast_office import OfficeRuns
    from console.store.broadcast_types import SharedBroadcastStore

log = logging.getLogger(__name__)

__all__ = ["BroadcastRunner", "RunProgress", "send_broadcast_row", "RowSender", "run_settings"]


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
        self._controls: dict[int, RunControl] = {}
        self._limiters: dict[int, RateLimiter] = {}
        # Outcomes written as the server said them, kept while their store update does not land.
        self._outcomes = OutcomeWriter(store, self.run_stopped.emit)
        # Runs to start again once their loop ends (rows sent again while it ran).
        self._restart_after: set[int] = set()
        # Runs with a loop going, each with its rows as last known.
        self._live: dict[int, DeskRun] = {}
        self._states: dict[int, str] = {}
        # On an office database, this desk takes part in shared runs (console/jobs/broadcast_office.py).
        self._office: OfficeRuns | None = None
        if getattr(store, "shared", False):
            self._office = self._office_runs(cast("SharedBroadcastStore", store))

    def _office_runs(self, store: SharedBroadcastStore) -> OfficeRuns:
        from console.jobs.broadcast_office import DeskParts, OfficeRuns

        # The sender, clocks and profile are looked up when used: a test may swap them.
        return OfficeRuns(DeskParts(
            send_row=lambda run, row: self._send_row(run, row),
            judge=self.judge,
            clock=lambda: self._clock(),
            monotonic=lambda: self._monotonic(),
            describe=lambda err, action: self._describe(err, action),
            profile_id=self._current_profile_id,
            row_changed=self.row_changed.emit,
            progress=self._emit_progress,
            finished=self.run_finished.emit,
            stopped=self.run_stopped.emit,
            rate_limited=self.rate_limited.emit), store)

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
        control = RunControl()
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
        self._set_paused(run_id, True)

    def resume(self, run_id: int) -> None:
        if self._office is not None:
            self._office.start(run_id)
            return
        if not self._set_paused(run_id, False):
            self.start(run_id)

    def _running_control(self, run_id: int) -> RunControl | None:
        control = self._controls.get(run_id)
        return control if control is not None and self.is_running(run_id) else None

    def _set_paused(self, run_id: int, paused: bool) -> bool:
        """Pause or resume a run whose loop is going; False when none is."""
        control = self._running_control(run_id)
        if control is None:
            return False
        control.paused = paused
        control.wake.set()
        self._set_state(run_id, RunState.PAUSED if paused else RunState.RUNNING)
        self._emit_progress(run_id)
        return True

    def is_paused(self, run_id: int) -> bool:
        control = self._controls.get(run_id)
        return bool(control and control.paused and self.is_running(run_id))

    def cancel(self, run_id: int) -> None:
        """Rows not yet sent are cancelled; a row whose request already left finishes."""
        if self._office is not None:
            self._office.cancel(run_id)
            return
        control = self._running_control(run_id)
        if control is not None:
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
        if live is not None and live.rows is not None:
            return self._progress_of(live.run, list(live.rows.values()))
        return self._progress_of(self.store.run(run_id), self.store.rows(run_id))

    def _progress_of(self, run: RunInfo, rows: list[RowInfo]) -> RunProgress:
        state = self._states.get(run.id, run.state)
        if self.is_paused(run.id):
            state = RunState.PAUSED
        return progress_of(run, rows, state=state, limiter=self._limiters.get(run.id), now=self._clock())

    def _emit_progress(self, run_id: int) -> None:
        try:
            progress = self.progress(run_id)
        except BroadcastStoreError:
            return
        self.progress_changed.emit(progress)

    def _publish(self, row: RowInfo) -> None:
        live = self._live.get(row.run_id)
        if live is not None:
            live.publish(row)  # it tells row_changed
        else:
            self.row_changed.emit(row)

    # -- the run ---------------------------------------------------------------------
    def _cancel_open_rows(self, run_id: int) -> None:
        cancel_open_rows(self.store, run_id, self._publish)

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

    async def _run(self, run_id: int, control: RunControl) -> None:
        run = self.store.run(run_id)
        _window, _mode, per_second, per_minute, _zone = run_settings(run.settings)
        limiter = self._limiters.get(run_id) or RateLimiter(
            per_second=per_second, per_minute=per_minute, clock=self._monotonic)
        self._limiters[run_id] = limiter
        desk = DeskRun(run, control=control, limiter=limiter, store=self.store, judge=self.judge,
                       outcomes=self._outcomes, send_row=self._send_row, describe=self._describe,
                       clock=self._clock, monotonic=self._monotonic,
                       profile_id=self._current_profile_id, events=self._events_for(run_id, control))
        self._live[run_id] = desk
        try:
            await desk.go()
        finally:
            self._live.pop(run_id, None)

    def _events_for(self, run_id: int, control: RunControl) -> DeskRunEvents:
        def paused(why: str) -> None:
            self._set_state(run_id, RunState.PAUSED)
            self.run_stopped.emit(run_id, why)
            self._emit_progress(run_id)

        def finished(final: str) -> None:
            self._live.pop(run_id, None)
            self.run_finished.emit(run_id, final)

        return DeskRunEvents(
            set_state=functools.partial(self._set_state, run_id),
            state=functools.partial(self._states.get, run_id),
            row_changed=self.row_changed.emit,
            progress=functools.partial(self._emit_progress, run_id),
            paused=paused,
            rate_limited=functools.partial(self.rate_limited.emit, run_id),
            finished=finished)
