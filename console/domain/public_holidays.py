"""Public holidays of a US state on a day, from the `holidays` package (python-holidays).

The package keeps each state's calendar (federal holidays, the state's own such
as Mardi Gras in Louisiana or Pioneer Day in Utah, and the days they are
observed on when they fall on a weekend) and is updated as legislatures add
days. A state it does not know, or no state, is judged by the federal calendar.
"""
from __future__ import annotations

import threading
from datetime import date

__all__ = ["holiday_name", "load_calendars"]

_lock = threading.Lock()
_calendars: dict[tuple[str, int], dict[date, str]] = {}


def _calendar(state: str, year: int) -> dict[date, str]:
    key = (state, year)
    found = _calendars.get(key)
    if found is not None:
        return found
    import holidays

    subdivision = state if state in holidays.list_supported_countries()["US"] else None
    calendar = holidays.country_holidays("US", subdiv=subdivision, years=year)
    with _lock:
        found = _calendars.setdefault(key, {day: str(name) for day, name in calendar.items()})
    return found


def holiday_name(state: str | None, day: date) -> str | None:
    """ "Thanksgiving Day" when `day` is a public holiday where `state` is, else None."""
    return _calendar(state or "", day.year).get(day)


def load_calendars(year: int) -> None:
    """Import the package and build a calendar (about 0.1 s the first time): off the UI thread."""
    holiday_name(None, date(year, 1, 1))
