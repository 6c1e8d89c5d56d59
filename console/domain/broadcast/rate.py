"""How fast a broadcast sends: at most N per second and M per minute, slower after a 429.

A pure object: it is told the time by an injected clock and answers how long
to wait before the next request may start. The runner does the waiting.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter", "RateError", "check_rates"]


class RateError(ValueError):
    pass


def check_rates(per_second: float, per_minute: int) -> None:
    if not 0 < per_second <= 100:
        raise RateError("Messages per second: choose a number from 0.1 to 100.")
    if not 1 <= per_minute <= 6000:
        raise RateError("Messages per minute: choose a whole number from 1 to 6,000.")


class RateLimiter:
    """Spaces starts at least 1/per_second apart and keeps a sliding minute under per_minute.

    A 429 (the server asking to slow down) halves the pace for the whole run
    and holds every start until the server's Retry-After has passed; after
    `recover_after` successes in a row the pace doubles back, never above
    what the user chose.
    """

    MIN_FACTOR = 1 / 64

    def __init__(self, *, per_second: float, per_minute: int, clock: Callable[[], float],
                 recover_after: int = 50) -> None:
        check_rates(per_second, per_minute)
        self.per_second = float(per_second)
        self.per_minute = int(per_minute)
        self._clock = clock
        self._recover_after = recover_after
        self.factor = 1.0
        self._starts: deque[float] = deque()
        self._last_start: float | None = None
        self._hold_until = 0.0
        self._successes = 0
        self.slowdowns = 0

    @property
    def interval(self) -> float:
        """Seconds between two starts at the current pace."""
        return 1.0 / (self.per_second * self.factor)

    @property
    def effective_per_second(self) -> float:
        return min(self.per_second * self.factor, self.per_minute / 60.0)

    def delay(self) -> float:
        """Seconds to wait before the next start may happen (0.0: now)."""
        now = self._clock()
        while self._starts and self._starts[0] <= now - 60.0:
            self._starts.popleft()
        ready = self._hold_until
        if self._last_start is not None:
            ready = max(ready, self._last_start + self.interval)
        if len(self._starts) >= self.per_minute:
            ready = max(ready, self._starts[len(self._starts) - self.per_minute] + 60.0)
        return max(0.0, ready - now)

    def started(self) -> None:
        """A request started now."""
        now = self._clock()
        self._starts.append(now)
        self._last_start = now

    def succeeded(self) -> None:
        self._successes += 1
        if self.factor < 1.0 and self._successes >= self._recover_after:
            self.factor = min(1.0, self.factor * 2)
            self._successes = 0

    def rate_limited(self, retry_after: float | None) -> None:
        """The server answered 429: slow the whole run down."""
        self.slowdowns += 1
        self._successes = 0
        self.factor = max(self.MIN_FACTOR, self.factor / 2)
        wait = retry_after if retry_after is not None and retry_after >= 0 else self.interval
        self._hold_until = max(self._hold_until, self._clock() + wait)

    def seconds_for(self, count: int) -> float:
        """Roughly how long `count` more starts take at the current pace."""
        if count <= 0:
            return 0.0
        return count / self.effective_per_second
