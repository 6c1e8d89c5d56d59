from __future__ import annotations

import pytest

from console.domain.broadcast.rate import RateError, RateLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _run(limiter, clock, count):
    """Start `count` requests as fast as the limiter allows; their start times."""
    starts = []
    for _ in range(count):
        clock.now += limiter.delay()
        assert limiter.delay() == 0
        limiter.started()
        limiter.succeeded()
        starts.append(clock.now - 1000.0)
    return starts


@pytest.mark.parametrize(("per_second", "per_minute", "count", "last_start"), [
    (2, 600, 5, 2.0),     # 0, .5, 1, 1.5, 2
    (10, 600, 11, 1.0),
    (10, 5, 6, 60.0),     # the sixth waits for the first to leave the minute
    (1, 60, 61, 60.0),
])
def test_pace(per_second, per_minute, count, last_start):
    clock = Clock()
    limiter = RateLimiter(per_second=per_second, per_minute=per_minute, clock=clock)
    assert _run(limiter, clock, count)[-1] == pytest.approx(last_start)


def test_a_429_holds_and_halves_the_pace_then_recovers():
    clock = Clock()
    limiter = RateLimiter(per_second=4, per_minute=6000, clock=clock, recover_after=3)
    limiter.started()
    limiter.rate_limited(retry_after=2.0)
    assert limiter.delay() == pytest.approx(2.0)
    assert limiter.interval == pytest.approx(0.5)
    clock.now += 2.0
    assert limiter.delay() == 0
    limiter.rate_limited(retry_after=None)  # no Retry-After: wait one (slower) interval
    assert limiter.interval == pytest.approx(1.0)
    assert limiter.slowdowns == 2
    starts = _run(limiter, clock, 3)
    assert starts[1] - starts[0] == pytest.approx(1.0)
    assert limiter.interval == pytest.approx(0.5)  # three successes: twice as fast again


@pytest.mark.parametrize(("per_second", "per_minute"), [(0, 10), (101, 10), (1, 0), (1, 7000)])
def test_rates_out_of_range(per_second, per_minute):
    with pytest.raises(RateError):
        RateLimiter(per_second=per_second, per_minute=per_minute, clock=Clock())


def test_seconds_for():
    limiter = RateLimiter(per_second=5, per_minute=60, clock=Clock())
    assert limiter.seconds_for(120) == pytest.approx(120.0)  # the minute cap decides: 1 per second
    assert limiter.seconds_for(0) == 0
