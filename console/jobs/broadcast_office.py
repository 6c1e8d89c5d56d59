"""The desk's runner on an office database: this desk's part in office broadcasts.

`BroadcastRunner` (console/jobs/broadcast_runner.py) hands its work here when
its store is an office's (`SharedBroadcastStore`): Start and Resume make this
desk take part (an `OfficeParticipant`, console/jobs/broadcast_participant.py);
Pause and Cancel act on the run for every desk and runner taking part, from
whichever desk presses them. The runner's signals keep their meaning, so the
Broadcast tab works the same on either engine.

Everything here is called on the window's thread; every store call goes to a
worker thread (the window never waits on the database).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from console.domain.vocabulary import RowState, RunState
from console.jobs.broadcast_participant import STOPPED, OfficeParticipant, ParticipantEvents
from console.jobs.broadcast_send import Describe, RowSender
from console.jobs.row_judge import RowJudge
from console.store.broadcast_types import BroadcastStoreError, Participant, RowInfo, RunInfo, SharedBroadcastStore

log = logging.getLogger(__name__)

__all__ = ["OfficeRuns", "DeskParts", "desk_participant"]

_PROGRESS_EVERY_S = 0.2
_AGAIN = (RowState.FAILED, RowState.UNKNOWN, RowState.CANCELLED, RowState.SKIPPED)


def desk_participant(desk: str, kind: str = "desk") -> Participant:
    """This process's name in the participants table: unique, and readable by IT."""
    return Participant(f"{kind} {desk} {os.getpid()} {secrets.token_hex(3)}", desk, kind)


@dataclass(frozen=True)
class DeskParts:
    """What the desk's runner lends its office runs: how a row is sent and judged, the clocks,
    and what to tell (the runner's signals, by run id)."""

    send_row: RowSender
    judge: RowJudge
    clock: Callable[[], datetime]
    monotonic: Callable[[], float]
    describe: Describe
    profile_id: Callable[[], str] | None  # the active profile's id; None: any profile may send
    row_changed: Callable[[RowInfo], None]
    progress: Callable[[int], None]
    finished: Callable[[int, str], None]  # run id, final run state
    stopped: Callable[[int, str], None]  # run id, why, in words for the user
    rate_limited: Callable[[int, float], None]  # run id, the new pace per second


class OfficeRuns:
    def __init__(self, desk: DeskParts, store: SharedBroadcastStore, *,
                 lease_s: float | None = None) -> None:
        from console.jobs.broadcast_participant import LEASE_S

        self.desk = desk
        self.store = store
        self.lease_s = lease_s or LEASE_S
        self.who = desk_participant(str(getattr(store, "desk", "") or "desk"))
        self._participants: dict[int, OfficeParticipant] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._paused_here: set[int] = set()
        self._last_progress: dict[int, float] = {}
        self._chores: set[asyncio.Task[Any]] = set()

    # -- what the tab asks ------------------------------------------------------------
    def is_running(self, run_id: int) -> bool:
        task = self._tasks.get(run_id)
        return task is not None and not task.done()

    def sending(self) -> bool:
        return any(self.is_running(run_id) for run_id in self._tasks)

    def start(self, run_id: int) -> None:
        """This desk takes part in `run_id` (the run runs again if it was paused or interrupted)."""
        if self.is_running(run_id):
            return
        self._paused_here.discard(run_id)
        desk = self.desk
        participant = OfficeParticipant(
            store=self.store, run_id=run_id, who=self.who, send_row=desk.send_row,
            judge=desk.judge, clock=desk.clock, monotonic=desk.monotonic,
            describe=desk.describe, may_send=self._may_send, lease_s=self.lease_s,
            events=ParticipantEvents(
                row_changed=self._publish,
                progress=functools.partial(self._progress, run_id),
                stopped=functools.partial(desk.stopped, run_id),
                rate_limited=functools.partial(desk.rate_limited, run_id)))
        self._participants[run_id] = participant
        task = asyncio.ensure_future(self._take_part(run_id, participant))
        self._tasks[run_id] = task

    def pause(self, run_id: int) -> None:
        """Pause the run for every desk and runner: each holds its next row."""
        self._paused_here.add(run_id)
        participant = self._participants.get(run_id)
        if participant is not None:
            participant.stop()
        self._chore(self._write(self.store.set_run_state, run_id, RunState.PAUSED), run_id)

    def cancel(self, run_id: int) -> None:
        self._paused_here.add(run_id)
        participant = self._participants.get(run_id)
        if participant is not None:
            participant.stop()

        async def cancel() -> None:
            await self._write(self.store.cancel_run, run_id)
            if not self.is_running(run_id):
                self.desk.finished(run_id, RunState.CANCELLED)

        self._chore(cancel(), run_id)

    def send_again(self, run_id: int, positions: Iterable[int]) -> None:
        chosen = list(positions)

        async def again() -> None:
            rows = {r.position: r for r in await asyncio.to_thread(self.store.rows, run_id)}
            picked = [p for p in chosen if rows.get(p) and rows[p].state in _AGAIN]
            if not picked:
                return
            await self._write(self.store.set_rows_state, run_id, picked, state=RowState.QUEUED,
                              message="Sent again by your choice.")
            for p in picked:
                self._publish(replace(rows[p], state=RowState.QUEUED,
                                      message="Sent again by your choice."))
            self.start(run_id)

        self._chore(again(), run_id)

    def mark_sent(self, run_id: int, positions: Iterable[int]) -> None:
        chosen = list(positions)

        async def mark() -> None:
            rows = {r.position: r for r in await asyncio.to_thread(self.store.rows, run_id)}
            for p in chosen:
                row = rows.get(p)
                if row is not None and row.state == RowState.UNKNOWN:
                    await self._write(self.store.finish_row, run_id, p, state=RowState.SENT,
                                      result_id=row.result_id, message="Marked as sent by you.")
                    self._publish(replace(row, state=RowState.SENT, message="Marked as sent by you."))
            self.desk.progress(run_id)

        self._chore(mark(), run_id)

    async def shutdown(self, grace: float) -> None:
        """The desk closes: no new row starts; a request in the air gets `grace` seconds, then it
        is cancelled and its row is unknown. The rows this desk holds go back to the others."""
        for participant in self._participants.values():
            participant.stop()
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._chores:
            await asyncio.gather(*self._chores, return_exceptions=True)

    # -- internals ----------------------------------------------------------------------
    def _may_send(self, run: RunInfo) -> str | None:
        current = self.desk.profile_id
        if current is None or current() == run.profile_id:
            return None
        return (f"The active profile is no longer '{run.profile_name}', which this broadcast was "
                f"made with. This desk stopped sending it: switch back to '{run.profile_name}' "
                "and press Resume.")

    async def _write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            await asyncio.to_thread(fn, *args, **kwargs)
        except BroadcastStoreError as err:
            self.desk.stopped(int(args[0]) if args else 0, (
                f"That change was not saved: {err}"))

    def _chore(self, work: Any, run_id: int) -> None:
        task = asyncio.ensure_future(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)
        task.add_done_callback(lambda _t: self.desk.progress(run_id))

    def _publish(self, row: RowInfo) -> None:
        absorb = getattr(self.store, "absorb", None)
        if absorb is not None:
            absorb(row)
        self.desk.row_changed(row)

    def _progress(self, run_id: int) -> None:
        now = time.monotonic()
        if now - self._last_progress.get(run_id, 0.0) >= _PROGRESS_EVERY_S:
            self._last_progress[run_id] = now
            self.desk.progress(run_id)

    async def _take_part(self, run_id: int, participant: OfficeParticipant) -> None:
        try:
            final = await participant.run()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.error("broadcast %s stopped on this desk", run_id, exc_info=err)
            self.desk.stopped(run_id, (
                f"This desk stopped sending the broadcast because of a problem: {err}. Press "
                "Resume to take part again."))
            return
        finally:
            if self._participants.get(run_id) is participant:
                self._participants.pop(run_id, None)
        self.desk.progress(run_id)
        if final in (RunState.FINISHED, RunState.CANCELLED):
            self.desk.finished(run_id, final)
        elif final == RunState.PAUSED and run_id not in self._paused_here and not participant.stopping:
            if participant.problem is None:
                self.desk.stopped(run_id, (
                    "It was paused at another desk. Press Resume to go on with it here."))
        elif final == STOPPED:
            pass  # this desk was asked to stop; the others go on
