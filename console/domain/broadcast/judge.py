"""One row's verdict at one moment: it sends now, waits until when, or is skipped, and why.

The pre-flight asks this for every row at the start time; the runner asks it
again for each row just before it goes, with the rules, holidays and counts of
that moment, so a rule that changed meanwhile applies to the next row.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from console.domain.calling_rules import HolidayLookup, Rule, closed_reason, window
from console.domain.caps import cap_hold
from console.domain.places import Place

__all__ = ["SEND", "WAIT", "SKIP", "Verdict", "judge", "local_words", "SKIP_MODE"]

SEND = "send"
WAIT = "wait"
SKIP = "skip"
SKIP_MODE = "skip"  # the run's choice for rows outside their hours (else they wait)


@dataclass(frozen=True)
class Verdict:
    kind: str  # SEND, WAIT or SKIP
    at: datetime | None  # when it goes (now, or the time it waits for); None when skipped
    reason: str  # plain words: "sends now", "waits until Tue 08:00 (Florida, 8:00–20:00)"


def local_words(moment: datetime, zone: str, now: datetime) -> str:
    """ "Tue 08:00" in the customer's time; with the date when it is a week or more away."""
    local = moment.astimezone(ZoneInfo(zone))
    if (moment - now).days >= 6:
        return f"{local:%a %d %b %H:%M}".replace(" 0", " ")
    return f"{local:%a %H:%M}"


def judge(rule: Rule, place: Place, now: datetime, *, mode: str, send_times: Sequence[datetime],
          holiday: HolidayLookup) -> Verdict:
    open_window = window(rule, place.zones, now, holiday)
    if open_window is None:
        return Verdict(SKIP, None, f"skipped: no day of the next two weeks is open ({rule.name}, "
                                   f"{rule.describe_hours()})")
    closed = closed_reason(rule, place.zones, now, holiday) if open_window.opens > now else None
    if closed is not None and mode == SKIP_MODE:
        if closed.kind == "holiday":
            return Verdict(SKIP, None, f"skipped: {closed.words}, {rule.name}")
        if closed.kind == "day":
            return Verdict(SKIP, None, f"skipped: {closed.words} ({closed.detail})")
        return Verdict(SKIP, None, f"skipped: {closed.words} ({rule.name}, their time)")
    goes = open_window.opens
    hold = cap_hold(send_times, rule.caps, goes) if rule.caps else None
    if hold is not None:
        count = f"{hold.count} {'message' if hold.count == 1 else 'messages'} in {hold.cap.hours} h"
        if hold.frees_at >= open_window.closes:
            return Verdict(SKIP, None, f"skipped: {count} ({rule.name} allows "
                                       f"{hold.cap.describe()})")
        goes = hold.frees_at
        if goes > now:
            return Verdict(WAIT, goes, f"waits until {local_words(goes, place.zones[0], now)} "
                                       f"({count}; {rule.name} allows {hold.cap.describe()})")
    if goes <= now:
        return Verdict(SEND, now, "sends now")
    detail = closed.detail if closed is not None else rule.name
    return Verdict(WAIT, goes, f"waits until {local_words(goes, place.zones[0], now)} ({detail})")
