"""How many messages one person may get: caps over a rolling period, counted from History.

Every SMS and call the console sent (or may have sent: pending and unknown
count, only a provable failure does not) to a number is in the journal, from
any broadcast, any profile and any one-off send. A cap of 3 in 24 hours
allows a fourth message only once the oldest of the three is 24 hours old.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.domain.calling_rules import Cap

__all__ = ["CapHold", "cap_hold", "longest_period", "group_send_times", "sent_in"]


@dataclass(frozen=True)
class CapHold:
    cap: Cap
    count: int  # messages in the cap's period before the moment asked about
    frees_at: datetime  # the first moment one more is allowed


def sent_in(times: Sequence[datetime], period: timedelta, moment: datetime) -> int:
    """How many of the sorted `times` fall in (moment - period, moment]."""
    return bisect.bisect_right(times, moment) - bisect.bisect_right(times, moment - period)


def cap_hold(times: Sequence[datetime], caps: Iterable[Cap], moment: datetime) -> CapHold | None:
    """None when one more message is allowed at `moment`; else the binding cap and when it frees.

    `times` are the earlier send times to the number, sorted, oldest first.
    """
    worst: CapHold | None = None
    for cap in caps:
        end = bisect.bisect_right(times, moment)
        start = bisect.bisect_right(times, moment - cap.period)
        count = end - start
        if count < cap.messages:
            continue
        # Once the (count - messages + 1)-th of them is a full period old, one more fits.
        frees_at = times[start + count - cap.messages] + cap.period
        if worst is None or frees_at > worst.frees_at:
            worst = CapHold(cap, count, frees_at)
    return worst


def longest_period(caps: Iterable[Cap]) -> timedelta:
    return max((c.period for c in caps), default=timedelta(0))


def group_send_times(sends: Iterable[tuple[str, str]]) -> Mapping[str, list[datetime]]:
    """(number, ISO time) pairs -> number -> sorted times."""
    grouped: dict[str, list[datetime]] = {}
    for number, when in sends:
        grouped.setdefault(number, []).append(datetime.fromisoformat(when))
    for times in grouped.values():
        times.sort()
    return grouped
