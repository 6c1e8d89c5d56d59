"""Where a broadcast run stands, counted from its rows (pure: no Qt, no store).

The desk's runner (console/jobs/broadcast_runner.py) counts a run's rows as
last known, with the pace its limiter allows, into a :class:`RunProgress`
for the Broadcast tab's list of runs and its progress line.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import RowState
from console.store.broadcast_types import OPEN_ROW_STATES, RowInfo, RunInfo

__all__ = ["RunProgress", "progress_of"]


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


def progress_of(run: RunInfo, rows: list[RowInfo], *, state: str, limiter: RateLimiter | None,
                now: datetime) -> RunProgress:
    """`run`'s progress in `state`, from `rows`; the time left at the limiter's pace (the run's
    settings' without one), and at least until the next waiting row may go."""
    c: dict[str, int] = {}
    for r in rows:
        c[r.state] = c.get(r.state, 0) + 1
    per_second = (limiter.effective_per_second if limiter
                  else min(float(run.settings.get("per_second", 1)),
                           int(run.settings.get("per_minute", 60)) / 60))
    to_send = sum(c.get(s, 0) for s in OPEN_ROW_STATES)
    waiting = c.get(RowState.WAITING, 0)
    openings = [r.not_before for r in rows if r.state == RowState.WAITING and r.not_before]
    next_open = min(openings) if openings else None
    seconds = to_send / per_second if per_second else 0.0
    if next_open is not None:
        seconds = max(seconds, (next_open - now).total_seconds() + waiting / per_second)
    return RunProgress(run_id=run.id, state=state, total=sum(c.values()), sent=c.get(RowState.SENT, 0),
                       failed=c.get(RowState.FAILED, 0), unknown=c.get(RowState.UNKNOWN, 0),
                       skipped=c.get(RowState.SKIPPED, 0), cancelled=c.get(RowState.CANCELLED, 0),
                       to_send=to_send, waiting=waiting, next_opening=next_open,
                       seconds_left=max(0.0, seconds), per_second=per_second,
                       slowed=bool(limiter and limiter.factor < 1.0), start_at=run.start_at)
