from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from console.domain.broadcast.quiet_hours import Window, in_window, next_opening, parse_clock_time, zones_for_number

UTC = UTC


@pytest.mark.parametrize(("number", "zones"), [
    ("2125551234", ("America/New_York",)),
    ("3105551234", ("America/Los_Angeles",)),
    ("8085551234", ("Pacific/Honolulu",)),
    ("6025551234", ("America/Phoenix",)),
    ("8451234567", ("America/New_York",)),  # unknown exchange: the area code still places it
    ("8005551234", ()),  # toll-free: no single local time
])
def test_zones_for_number(number, zones):
    assert tuple(z.key for z in zones_for_number(number)) == zones


W = Window(time(8), time(21))


@pytest.mark.parametrize(("now_utc", "number", "expected_utc"), [
    # 14:00 UTC in January = 09:00 New York: inside, goes now.
    (datetime(2026, 1, 15, 14, 0, tzinfo=UTC), "2125551234", datetime(2026, 1, 15, 14, 0, tzinfo=UTC)),
    # Same moment is 06:00 in Los Angeles: waits for 08:00 LA = 16:00 UTC.
    (datetime(2026, 1, 15, 14, 0, tzinfo=UTC), "3105551234", datetime(2026, 1, 15, 16, 0, tzinfo=UTC)),
    # 02:30 UTC on the 16th = 21:30 New York on the 15th: after closing, next day 08:00 = 13:00 UTC.
    (datetime(2026, 1, 16, 2, 30, tzinfo=UTC), "2125551234", datetime(2026, 1, 16, 13, 0, tzinfo=UTC)),
    # Summer time: 08:00 New York is 12:00 UTC.
    (datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "2125551234", datetime(2026, 7, 1, 12, 0, tzinfo=UTC)),
    # Exactly at closing time: closed.
    (datetime(2026, 1, 16, 2, 0, tzinfo=UTC), "2125551234", datetime(2026, 1, 16, 13, 0, tzinfo=UTC)),
    # Exactly at opening: open.
    (datetime(2026, 1, 15, 13, 0, tzinfo=UTC), "2125551234", datetime(2026, 1, 15, 13, 0, tzinfo=UTC)),
])
def test_next_opening(now_utc, number, expected_utc):
    assert next_opening(now_utc, zones_for_number(number), W) == expected_utc


def test_two_zones_wait_for_both():
    zones = (ZoneInfo("America/New_York"), ZoneInfo("America/Chicago"))
    # 12:30 UTC = 07:30 NY, 06:30 Chicago -> both open at 08:00 Chicago = 14:00 UTC.
    now = datetime(2026, 1, 15, 12, 30, tzinfo=UTC)
    assert next_opening(now, zones, W) == datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
    assert not in_window(now, zones, W)


@pytest.mark.parametrize(("text", "value"), [("8:00", time(8)), ("21:30", time(21, 30))])
def test_parse_clock_time(text, value):
    assert parse_clock_time(text, "Opens") == value


@pytest.mark.parametrize("text", ["8", "25:00", "ab:cd", ""])
def test_parse_clock_time_refuses(text):
    with pytest.raises(ValueError, match="Opens: .* is not a time of day"):
        parse_clock_time(text, "Opens")


def test_window_must_open_before_it_closes():
    with pytest.raises(ValueError, match="must open before it closes"):
        Window(time(21), time(8))
