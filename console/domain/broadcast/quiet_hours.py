"""Quiet hours in the recipient's own time, worked out from the number's area code.

The area code -> time zone table is phonenumbers' (libphonenumber's), which is
maintained upstream as area codes are split and added. A number whose zone is
not known from it (an unassigned exchange, a toll-free number that rings
anywhere) is judged by the office's own time zone, and the preview says so.
Where an area code spans zones, the message waits until it is within the
window in all of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Window", "zones_for_number", "zone_names_for_number", "load_tables", "next_opening",
           "in_window", "WAIT", "SKIP", "parse_clock_time", "DEFAULT_WINDOW"]

WAIT = "wait"
SKIP = "skip"
_MAX_ZONES = 3  # more than this is a non-geographic number (toll-free): no single local time


@dataclass(frozen=True)
class Window:
    """Messages go out from `opens` (inclusive) to `closes` (exclusive), local time."""

    opens: time = time(8, 0)
    closes: time = time(21, 0)

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(
                f"Quiet hours: the sending window must open before it closes "
                f"(opens {self.opens:%H:%M}, closes {self.closes:%H:%M}).")

    def describe(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


DEFAULT_WINDOW = Window()


def parse_clock_time(text: str, field: str) -> time:
    """ "8:00", "08:00", "21:30" -> time; ValueError naming `field` otherwise."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{field}: '{text}' is not a time of day. Write it as 08:00 or 21:30.") from None


@lru_cache(maxsize=8192)
def _zones_for_prefix(prefix: str) -> tuple[str, ...]:
    """Zones of an area code and exchange (the first six digits): the line number
    never changes them, so one lookup serves every customer of an exchange."""
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(prefix + "5555"))
    zones = tuple(pn_timezone.time_zones_for_number(number))
    if zones == ("Etc/Unknown",):
        # An exchange libphonenumber does not know (the documentation's own
        # 845-123-4567): the area code alone still places it.
        zones = tuple(pn_timezone.time_zones_for_geographical_number(number))
    if zones == ("Etc/Unknown",) or len(zones) > _MAX_ZONES:
        return ()
    return zones


def zone_names_for_number(number: str) -> tuple[str, ...]:
    """The IANA zone names of a 10-digit number's exchange; () when it does not tell."""
    return _zones_for_prefix(number[:6])


def zones_for_number(number: str) -> tuple[tzinfo, ...]:
    """The time zones of a 10-digit number; () when the area code does not tell."""
    zones = []
    for name in _zones_for_prefix(number[:6]):
        try:
            zones.append(ZoneInfo(name))
        except ZoneInfoNotFoundError:
            continue
    return tuple(zones)


def load_tables() -> None:
    """Load phonenumbers' time zone tables (about 50 ms, once): call off the UI thread."""
    _zones_for_prefix("212555")


def in_window(moment: datetime, zones: Sequence[tzinfo], window: Window) -> bool:
    return all(window.opens <= moment.astimezone(z).time().replace(tzinfo=None) < window.closes
               for z in zones)


def _opening_in(zone: tzinfo, moment: datetime, window: Window) -> datetime:
    local = moment.astimezone(zone)
    if window.opens <= local.time().replace(tzinfo=None) < window.closes:
        return moment
    day = local.date()
    if local.time().replace(tzinfo=None) >= window.closes:
        day += timedelta(days=1)
    opening = datetime.combine(day, window.opens, tzinfo=zone)
    return opening.astimezone(moment.tzinfo)


def next_opening(moment: datetime, zones: Sequence[tzinfo], window: Window) -> datetime:
    """`moment` itself when it is inside the window in every zone, else the first moment that is."""
    if moment.tzinfo is None:
        raise ValueError("next_opening needs a time with its time zone")
    current = moment
    for _ in range(8):
        if in_window(current, zones, window):
            return current
        current = max(_opening_in(z, current, window) for z in zones)
    # Zones whose windows never overlap (cannot happen with <= 3 North American
    # zones and a window of a few hours; kept as a guard): the first zone decides.
    return _opening_in(zones[0], moment, window)
