"""One desk's or runner's part in an office broadcast (no Qt: the desk-less runner uses it too).

A participant joins the run, then claims a few rows at a time (the store's
claims, console/store/pg/broadcast_claims.py), judges each just before it goes
(console/jobs/row_judge.py: the do-not-contact list, the calling rules with
the office's settings, public holidays, the per-person caps counted in the
office's History), marks it "sending" (refused, in that same statement, when
the run was paused anywhere or the number was listed meanwhile), sends it
through the journalled Sender and writes the answer. A heartbeat renews its
lease; another desk takes over the rows it holds if it stops renewing.

It sends at its share of the run's pace (the run's pace divided by the desks
and runners taking part), and stops when the run is over, paused or cancelled
(by anyone), when asked (`stop`: the desk closes, the runner gets SIGTERM), or
on a problem of its own (no key, no connection: `on_stopped` says why; the
others go on). Whatever stops it, the rows it holds and has not sent go back,
and a row in the air when it is cancelled is written "unknown".
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from console.domain.broadcast.do_not_contact import dnc_words
from console.domain.broadcast.judge import SEND, SKIP
from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import EntryKind, RowState, RunState
from console.jobs.broadcast_send import Describe, RowSender, SendOutcome, send_outcome
from console.jobs.row_judge import RowJudge
from console.store.broadcast_types import BroadcastStoreError, Participant, RowInfo, RunInfo, SharedBroadcastStore
from console.store.journal import JournalError

log = logging.getLogger(__name__)

__all__ = ["OfficeParticipant", "ParticipantEvents", "LEASE_S", "STOPPED", "IN_AIR_MESSAGE"]

LEASE_S = 30.0  # a participant silent this long is given up: its rows go to others
STOPPED = "stopped"  # the participant was asked to stop (the run goes on without it)
IN_AIR_MESSAGE = "Stopped while this was being sent; it may have gone out."
_AWAY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # retries while the database is away


@dataclass
class ParticipantEvents:
    """What a participant tells (on its event loop's thread); every callback is optional."""

    row_changed: Callable[[RowInfo], None] = lambda row: None
    progress: Callable[[], None] = lambda: None
    stopped: Callable[[str], None] = lambda why: None  # this participant stopped on a problem
    rate_limited: Callable[[float], None] = lambda per_second: None
    waiting: Callable[[str], None] = lambda why: None  # the database is away ("" once it is back)


@dataclass
class _State:
    run_state: str = RunState.RUNNING
    participants: int = 1
    stop_requested: bool = False
    problem: str | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class OfficeParticipant:
    def __init__(self, *, store: SharedBroadcastStore, run_id: int, who: Participant,
                 send_row: RowSender, judge: RowJudge,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] = time.monotonic,
                 describe: Describe | None = None,
                 may_send: Callable[[RunInfo], str | None] | None = None,
                 lease_s: float = LEASE_S, batch: int | None = None,
                 give_up_s: float | None = None,
                 events: ParticipantEvents | None = None) -> None:
        self.store = store
        self.run_id = run_id
        self.who = who
        self.judge = judge
        self.lease_s = lease_s
        self._send_row = send_row
        self._clock = clock
        self._monotonic = monotonic
        self._describe: Describe = describe or (lambda err, action: str(err))
        # A desk sends with its active profile: None, or why this run may not go now.
        self._may_send = may_send or (lambda run: None)
        self._batch = batch
        self._give_up_s = give_up_s
        # Answers the database has not taken yet: tried again at each heartbeat and on leaving.
        self._unsaved: list[tuple[RowInfo, RowState, str | None, str]] = []
        self.events = events or ParticipantEvents()
        self._s = _State()
        self.limiter: RateLimiter | None = None
        self.sent = 0
        self.in_air: RowInfo | None = None

    # -- control (from the loop's thread) --------------------------------------------
    def stop(self) -> None:
        """Finish the request in the air, if any, then leave; the others go on."""
        self._s.stop_requested = True
        self._s.wake.set()

    @property
    def stopping(self) -> bool:
        return self._s.stop_requested

    @property
    def problem(self) -> str | None:
        """Why this participant stopped on a problem of its own (no key, no connection), if it did."""
        return self._s.problem

    async def _nap(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        self._s.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._s.wake.wait(), timeout=min(seconds, self.lease_s / 3))

    async def _db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A store call off this thread, tried again with growing pauses while the database is
        away: the run goes on once it is back. Raises only when stopping, or once `give_up_s`
        has passed (the desk-less runner's limit)."""
        started = self._monotonic()
        attempt = 0
        while True:
            try:
                result = await asyncio.to_thread(fn, *args, **kwargs)
            except BroadcastStoreError as err:
                waited = self._monotonic() - started
                if self._s.stop_requested or (self._give_up_s is not None
                                              and waited >= self._give_up_s):
                    raise
                if attempt == 0:
                    log.info("broadcast %s: the office database did not answer (%s); trying again",
                             self.run_id, err)
                    self.events.waiting(str(err))
                await self._nap(_AWAY_DELAYS[min(attempt, len(_AWAY_DELAYS) - 1)])
                attempt += 1
                continue
            if attempt:
                self.events.waiting("")
            return result

    # -- the run -----------------------------------------------------------------------
    async def run(self) -> str:
        """Take part until the run ends, is paused or cancelled, or this participant stops.
        Returns the run's state as it left it ("finished", "paused", ...) or STOPPED."""
        heart: asyncio.Task[None] | None = None
        final: str = STOPPED
        try:
            run = await self._db(self.store.join, self.run_id, self.who, self.lease_s)
            if run.state in (RunState.FINISHED, RunState.CANCELLED):
                return str(run.state)
            await asyncio.to_thread(self.judge.prepare, self._clock())
            heart = asyncio.ensure_future(self._heartbeat())
            final = await self._take_part(run)
        finally:
            if heart is not None:
                heart.cancel()
                await asyncio.gather(heart, return_exceptions=True)
            left = await asyncio.shield(self._leave(final))
        return left if final == STOPPED and left == RunState.FINISHED else final

    async def _leave(self, final: str) -> str | None:
        await self._flush_unsaved()
        alone = RunState.PAUSED if self._s.problem is not None else RunState.INTERRUPTED
        try:
            state: str = await asyncio.to_thread(self.store.leave, self.run_id, self.who,
                                                 alone=alone)
            return state
        except BroadcastStoreError as err:
            # The lease runs out by itself; another desk then takes the rows back.
            log.info("broadcast %s: could not say goodbye (%s); the lease will run out",
                     self.run_id, err)
            return None

    async def _flush_unsaved(self) -> None:
        still = []
        for row, state, result_id, message in self._unsaved:
            try:
                await asyncio.to_thread(self.store.finish_claimed, self.run_id, row.position,
                                        self.who, state=state, result_id=result_id, message=message)
            except BroadcastStoreError:
                still.append((row, state, result_id, message))
        self._unsaved = still

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                beat = await asyncio.to_thread(self.store.heartbeat, self.run_id, self.who,
                                               self.lease_s)
            except BroadcastStoreError as err:
                log.info("broadcast %s: heartbeat not delivered: %s", self.run_id, err)
                continue
            if self._unsaved:
                await self._flush_unsaved()
            self._s.run_state, self._s.participants = beat.run_state, max(1, beat.participants)
            if beat.run_state != RunState.RUNNING:
                self._s.wake.set()

    def _pace(self, run: RunInfo) -> RateLimiter:
        """This participant's share of the run's pace."""
        share = max(1, self._s.participants)
        per_second = float(run.settings.get("per_second", 1)) / share
        per_minute = max(1, int(run.settings.get("per_minute", 60)) // share)
        limiter = self.limiter
        if limiter is None or (limiter.per_second, limiter.per_minute) != (per_second, per_minute):
            fresh = RateLimiter(per_second=per_second, per_minute=per_minute, clock=self._monotonic)
            if limiter is not None:
                fresh.factor = limiter.factor
            self.limiter = limiter = fresh
        return limiter

    def _batch_size(self, limiter: RateLimiter) -> int:
        if self._batch is not None:
            return self._batch
        # About a third of a lease of sending: small enough that a stop gives little back.
        return max(1, min(20, int(limiter.effective_per_second * self.lease_s / 3)))

    async def _take_part(self, run: RunInfo) -> str:
        from console.jobs.broadcast_settings import run_settings

        window, mode, _ps, _pm, office_zone = run_settings(run.settings)
        action = "the message" if run.kind == EntryKind.SMS else "the call"
        held: deque[RowInfo] = deque()
        while True:
            if self._s.stop_requested:
                return STOPPED
            if self._s.problem is not None:
                return RunState.PAUSED
            limiter = self._pace(run)
            if not held:
                claim = await self._db(self.store.claim, self.run_id, self.who,
                                       limit=self._batch_size(limiter), lease_s=self.lease_s,
                                       now=self._clock())
                self._s.run_state, self._s.participants = claim.run_state, max(1, claim.participants)
                if claim.run_state in (RunState.FINISHED, RunState.CANCELLED):
                    self.events.progress()
                    return str(claim.run_state)
                if claim.run_state in (RunState.PAUSED, RunState.INTERRUPTED):
                    return RunState.PAUSED
                if claim.run_state == RunState.SCHEDULED:
                    due = (run.start_at - self._clock()).total_seconds() if run.start_at else 1.0
                    await self._nap(max(0.05, due))
                    continue
                if not claim.rows:
                    wait = self.lease_s / 3
                    if claim.next_not_before is not None and not claim.sending:
                        wait = min(wait, (claim.next_not_before - self._clock()).total_seconds())
                    await self._nap(max(0.05, wait))
                    continue
                held.extend(claim.rows)
                continue
            if self._s.run_state != RunState.RUNNING:
                await self._db(self.store.release, self.run_id, self.who)
                held.clear()
                continue
            wait = limiter.delay()
            if wait > 0:
                await self._nap(wait)
                continue
            row = held.popleft()
            await self._one(run, row, window=window, mode=mode, office_zone=office_zone,
                            limiter=limiter, action=action)

    async def _one(self, run: RunInfo, row: RowInfo, *, window: Any, mode: str, office_zone: Any,
                   limiter: RateLimiter, action: str) -> None:
        now = self._clock()
        try:
            verdict = await self.judge.judge_now(row, now, window=window, mode=mode,
                                                 office_zone=office_zone)
        except (BroadcastStoreError, JournalError) as err:
            # Not judged, not sent: it goes back for a later look (here or elsewhere).
            log.info("broadcast %s row %s not judged: %s", self.run_id, row.position, err)
            await self._finish(row, RowState.QUEUED, message="")
            await self._nap(1.0)
            return
        if verdict.kind == SKIP:
            await self._finish(row, RowState.SKIPPED, message=verdict.reason)
            return
        if verdict.kind != SEND:
            await self._finish(row, RowState.WAITING, message=verdict.reason,
                               not_before=verdict.at or now)
            return
        why_not = self._may_send(run)
        if why_not is not None:
            await self._finish(row, RowState.QUEUED, message="")
            self._problem(why_not)
            return
        # Nothing is sent unless this is on the database; while it is away, this waits.
        mark = await self._db(self.store.mark_sending_claimed, self.run_id, row.position,
                              self.who, self.lease_s)
        if not mark.ok:
            if mark.why == "listed" and mark.listed is not None:
                words = "skipped: " + dnc_words(mark.listed.reason, mark.listed.added)
                await self._finish(row, RowState.SKIPPED, message=words)
            elif mark.why == "paused":
                self._s.run_state = RunState.PAUSED
            return
        self.in_air = row = replace(row, state=RowState.SENDING, message="")
        self.events.row_changed(row)
        limiter.started()
        try:
            outcome = await send_outcome(self._send_row, run, row, limiter, self._describe, action,
                                         in_air=lambda: self._finish(row, RowState.UNKNOWN,
                                                                     message=IN_AIR_MESSAGE, tries=3))
        finally:
            self.in_air = None
        await self._record(row, outcome)

    async def _record(self, row: RowInfo, outcome: SendOutcome) -> None:
        if outcome.slowed and self.limiter is not None:
            self.events.rate_limited(self.limiter.effective_per_second)
        await self._finish(row, outcome.state, result_id=outcome.result_id, message=outcome.message,
                           tries=len(_AWAY_DELAYS) * 4)
        if outcome.state == RowState.SENT:
            self.sent += 1
        if outcome.stop:
            self._problem(outcome.stop)
        self.events.progress()

    def _problem(self, why: str) -> None:
        self._s.problem = why
        self.events.stopped(why)

    async def _finish(self, row: RowInfo, state: RowState, *, result_id: str | None = None,
                      message: str = "", not_before: datetime | None = None,
                      tries: int = 1) -> None:
        """The row's new state in the store (its answer is what the server said: a failed write
        is tried again, never turned into another outcome) and in the window."""
        changed = replace(row, state=state, result_id=result_id, message=message,
                          not_before=not_before)
        for attempt in range(max(1, tries)):
            try:
                await asyncio.to_thread(self.store.finish_claimed, self.run_id, row.position,
                                        self.who, state=state, result_id=result_id,
                                        message=message, not_before=not_before)
                break
            except BroadcastStoreError as err:
                if attempt + 1 >= tries:
                    log.info("broadcast %s row %s: its state (%s) is not saved yet: %s",
                             self.run_id, row.position, state, err)
                    if state in (RowState.SENT, RowState.FAILED, RowState.UNKNOWN):
                        self._unsaved.append((row, state, result_id, message))
                    break
                await asyncio.sleep(_AWAY_DELAYS[min(attempt, len(_AWAY_DELAYS) - 1)])
        self.events.row_changed(changed)
