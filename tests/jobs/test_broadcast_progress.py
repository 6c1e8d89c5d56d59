"""A run's progress counted from its rows (console/jobs/broadcast_progress.py), without a runner."""
from datetime import UTC, datetime, timedelta

from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import RowState, RunState
from console.jobs.broadcast_progress import progress_of
from console.store.broadcast_types import RowInfo, RunInfo

NOW = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def _run(**settings) -> RunInfo:
    return RunInfo(id=7, created_at="2026-01-15T16:00:00+00:00", profile_id="p", profile_name="Office",
                   kind="sms", name="Reminders", settings={"per_second": 1, "per_minute": 60, **settings},
                   state=RunState.RUNNING, start_at=None)


def _row(position: int, state: str, not_before: datetime | None = None) -> RowInfo:
    return RowInfo(run_id=7, position=position, source_row=position + 2, number="8451230000", text="Hi",
                   segments=1, state=state, not_before=not_before, result_id=None, message="")


def test_rows_are_counted_by_state_and_the_time_left_follows_the_pace():
    rows = [_row(0, RowState.SENT), _row(1, RowState.FAILED), _row(2, RowState.UNKNOWN),
            _row(3, RowState.SKIPPED), _row(4, RowState.QUEUED), _row(5, RowState.QUEUED)]
    progress = progress_of(_run(per_second=0.5, per_minute=60), rows, state=RunState.RUNNING,
                           limiter=None, now=NOW)
    assert (progress.total, progress.sent, progress.failed, progress.unknown, progress.skipped) == (6, 1, 1, 1, 1)
    assert progress.to_send == 2 and progress.finished_rows == 4
    assert progress.per_second == 0.5  # the slower of the two settings
    assert progress.seconds_left == 4.0
    assert progress.state == RunState.RUNNING and not progress.slowed


def test_a_waiting_row_keeps_the_run_going_until_its_opening():
    opening = NOW + timedelta(minutes=10)
    rows = [_row(0, RowState.WAITING, opening), _row(1, RowState.QUEUED)]
    progress = progress_of(_run(), rows, state=RunState.RUNNING, limiter=None, now=NOW)
    assert progress.waiting == 1 and progress.next_opening == opening
    assert progress.seconds_left == 601.0  # the opening, then the waiting row at one a second


def test_the_limiter_s_pace_counts_and_a_slowed_limiter_shows():
    limiter = RateLimiter(per_second=2, per_minute=120, clock=lambda: 0.0)
    limiter.rate_limited(None)
    progress = progress_of(_run(), [_row(0, RowState.QUEUED)], state=RunState.PAUSED, limiter=limiter, now=NOW)
    assert progress.slowed and progress.per_second == limiter.effective_per_second < 2
    assert progress.state == RunState.PAUSED
