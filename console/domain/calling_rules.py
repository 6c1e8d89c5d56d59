"""When a message may reach a customer: the federal floor and each state's stricter rule, as data.

`resources/calling-rules.json` holds the law, one entry per jurisdiction, each
with its source and the date it was last checked. A customer is judged by the
federal entry combined with the entry of their state (the stricter of the two
for every part: later opening, earlier closing, no day the other forbids,
every cap of both), then by the office's own stricter settings
(`console.domain.office_rules`). Public holidays come from the `holidays`
package (`console.domain.public_holidays`).

`Rule.window` answers "from when to when may this customer be reached,
starting at this moment" in the customer's own time zone(s): where a state
spans several zones and the list does not say which, the message waits until
it is allowed in all of them.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["Hours", "Cap", "Rule", "RuleBook", "RulesError", "OpenWindow", "Closed", "FEDERAL",
           "DAY_NAMES", "parse_rules", "rule_book", "combine", "window", "closed_reason",
           "HolidayLookup", "clock"]

FEDERAL = "US"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_GROUPS = {"weekdays": range(0, 5), "saturday": range(5, 6), "sunday": range(6, 7)}
_SEARCH_DAYS = 16  # how far ahead an opening is looked for (a blocked holiday weekend is 4 days)

# (state code or None, local date) -> the holiday's name, or None.
HolidayLookup = Callable[[str | None, date], str | None]


class RulesError(ValueError):
    """The rules file cannot be used; the message names the entry and what is wrong."""


def clock(moment: time) -> str:
    """ "8:00", "20:00", "9:30": the way the office writes times."""
    return f"{moment.hour}:{moment.minute:02d}"


@dataclass(frozen=True)
class Hours:
    """Open from `opens` (included) to `closes` (excluded), local time."""

    opens: time
    closes: time

    def describe(self) -> str:
        return f"{clock(self.opens)}–{clock(self.closes)}"


@dataclass(frozen=True)
class Cap:
    """At most `messages` to one number in any `hours` hours."""

    messages: int
    hours: int

    @property
    def period(self) -> timedelta:
        return timedelta(hours=self.hours)

    def describe(self) -> str:
        noun = "message" if self.messages == 1 else "messages"
        return f"{self.messages} {noun} in {self.hours} h"

    def at_least_as_strict_as(self, other: Cap) -> bool:
        return self.messages <= other.messages and self.hours >= other.hours


@dataclass(frozen=True)
class Rule:
    key: str  # "US", "FL", or a combination such as "US+FL"
    name: str  # the place in words: "Florida"
    days: tuple[Hours | None, ...]  # Monday .. Sunday; None: no messages that day
    holidays_closed: bool
    caps: tuple[Cap, ...] = ()
    source: str = ""
    checked: date | None = None
    state: str | None = None  # whose public holidays count
    notes: tuple[str, ...] = field(default_factory=tuple)  # office settings applied, in words

    def hours_on(self, weekday: int) -> Hours | None:
        return self.days[weekday]

    def describe_hours(self) -> str:
        """ "8:00–20:00", or "8:00–20:00, Sunday 12:00–21:00", or "... no messages on Sundays"."""
        common = max(set(self.days), key=self.days.count)
        parts = [common.describe() if common else "no messages"]
        for day, hours in enumerate(self.days):
            if hours != common:
                parts.append(f"{DAY_NAMES[day]} {hours.describe()}" if hours
                             else f"none on {DAY_NAMES[day]}s")
        if self.holidays_closed:
            parts.append("none on public holidays")
        return ", ".join(parts)

    def describe_caps(self) -> str:
        return ", ".join(f"at most {c.describe()}" for c in self.caps) or "no limit"


@dataclass(frozen=True)
class RuleBook:
    rules: Mapping[str, Rule]

    @property
    def federal(self) -> Rule:
        return self.rules[FEDERAL]

    def law_for(self, state: str | None, place: str | None = None) -> Rule:
        """The federal floor combined with the state's entry (the federal floor alone
        for a state with no entry of its own, or no known state)."""
        federal = self.federal
        own = self.rules.get(state) if state else None
        if own is None or own.key == FEDERAL:
            return replace(federal, name=place or federal.name, state=state)
        return combine(federal, own)


def _hours(text: str, where: str) -> Hours | None:
    if text.strip().lower() == "none":
        return None
    try:
        opens_text, closes_text = text.split("-")
        opens, closes = time.fromisoformat(opens_text.strip()), time.fromisoformat(closes_text.strip())
    except ValueError:
        raise RulesError(f"{where}: hours '{text}' are not written as 08:00-20:00 or none.") from None
    if opens >= closes:
        raise RulesError(f"{where}: hours '{text}' open after they close.")
    return Hours(opens, closes)


def _rule(entry: Mapping[str, Any], index: int) -> Rule:
    key = str(entry.get("key") or "").strip()
    where = f"Rule {index + 1} ({key or 'no key'})"
    if not key:
        raise RulesError(f"{where}: the entry has no key (US, or a state's two-letter code).")
    source = str(entry.get("source") or "").strip()
    if not source:
        raise RulesError(f"{where}: the entry names no source (the statute or rule it follows).")
    checked_text = str(entry.get("checked") or "").strip()
    try:
        checked = date.fromisoformat(checked_text)
    except ValueError:
        raise RulesError(f"{where}: the entry has no date it was last checked "
                         f"(checked: YYYY-MM-DD), it has '{checked_text}'.") from None
    hours = entry.get("hours")
    if not isinstance(hours, Mapping) or set(hours) != set(_DAY_GROUPS):
        raise RulesError(f"{where}: hours must give weekdays, saturday and sunday.")
    days: list[Hours | None] = [None] * 7
    for group, weekdays in _DAY_GROUPS.items():
        for day in weekdays:
            days[day] = _hours(str(hours[group]), where)
    holidays = str(entry.get("holidays") or "")
    if holidays not in ("none", "allowed"):
        raise RulesError(f"{where}: holidays must be 'none' or 'allowed', not '{holidays}'.")
    caps: tuple[Cap, ...] = ()
    cap = entry.get("cap")
    if cap is not None:
        try:
            caps = (Cap(int(cap["messages"]), int(cap["hours"])),)
        except (KeyError, TypeError, ValueError):
            raise RulesError(f"{where}: cap must give messages and hours as whole numbers.") from None
        if caps[0].messages < 1 or caps[0].hours < 1:
            raise RulesError(f"{where}: cap must allow at least 1 message in at least 1 hour.")
    return Rule(key=key, name=str(entry.get("name") or key), days=tuple(days),
                holidays_closed=holidays == "none", caps=caps, source=source, checked=checked,
                state=None if key == FEDERAL else key)


def parse_rules(text: str) -> RuleBook:
    """The rules file's entries; RulesError naming the first entry that cannot be used."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise RulesError(f"The calling rules file is not valid JSON ({err}).") from None
    entries = data.get("rules") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise RulesError("The calling rules file has no list of rules.")
    rules: dict[str, Rule] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise RulesError(f"Rule {index + 1}: not an entry.")
        rule = _rule(entry, index)
        if rule.key in rules:
            raise RulesError(f"Rule {index + 1} ({rule.key}): the key is used twice.")
        rules[rule.key] = rule
    if FEDERAL not in rules:
        raise RulesError("The calling rules file has no federal entry (key US).")
    return RuleBook(rules)


@lru_cache(maxsize=1)
def rule_book() -> RuleBook:
    """The shipped rules (resources/calling-rules.json), read once."""
    from console.resources import read_resource_text

    return parse_rules(read_resource_text("calling-rules.json"))


def _narrower(a: Hours | None, b: Hours | None) -> Hours | None:
    if a is None or b is None:
        return None
    opens, closes = max(a.opens, b.opens), min(a.closes, b.closes)
    return Hours(opens, closes) if opens < closes else None


def combine(base: Rule, other: Rule) -> Rule:
    """Both rules at once: the stricter of each part. Named after `other` (the state)."""
    caps = tuple(dict.fromkeys(base.caps + other.caps))
    return Rule(key=f"{base.key}+{other.key}", name=other.name,
                days=tuple(_narrower(a, b) for a, b in zip(base.days, other.days, strict=True)),
                holidays_closed=base.holidays_closed or other.holidays_closed, caps=caps,
                source="; ".join(s for s in (other.source, base.source) if s),
                checked=min((d for d in (base.checked, other.checked) if d), default=None),
                state=other.state or base.state, notes=base.notes + other.notes)


@dataclass(frozen=True)
class OpenWindow:
    """The customer may be reached from `opens` to `closes` (UTC-aware times)."""

    opens: datetime
    closes: datetime


@dataclass(frozen=True)
class Closed:
    """Why a moment is outside the rule, in the customer's own time."""

    kind: str  # "holiday", "day" or "hours"
    words: str  # "holiday (Thanksgiving Day)", "Sunday", "outside 8:00–20:00"
    detail: str  # "holiday in Alabama: Thanksgiving Day", "Louisiana: no messages on Sundays"


def _intervals(rule: Rule, zone: ZoneInfo, start: datetime,
               holiday: HolidayLookup) -> list[tuple[datetime, datetime]]:
    first = start.astimezone(zone).date() - timedelta(days=1)
    found = []
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        hours = rule.days[day.weekday()]
        if hours is None or (rule.holidays_closed and holiday(rule.state, day)):
            continue
        # combine() with a ZoneInfo applies the day's own offset, so the opening
        # stays 08:00 local across a daylight-saving change.
        found.append((datetime.combine(day, hours.opens, tzinfo=zone),
                      datetime.combine(day, hours.closes, tzinfo=zone)))
    return found


def _intersect(a: Sequence[tuple[datetime, datetime]],
               b: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def window(rule: Rule, zones: Sequence[str], moment: datetime,
           holiday: HolidayLookup) -> OpenWindow | None:
    """The first stretch, at or after `moment`, when the rule allows a message in every
    zone: `moment` itself opens it when allowed now. None when nothing opens in the
    next two weeks (every day blocked)."""
    if moment.tzinfo is None:
        raise ValueError("window() needs a time with its time zone")
    spans: list[tuple[datetime, datetime]] | None = None
    for name in zones:
        own = _intervals(rule, _zone(name), moment, holiday)
        spans = own if spans is None else _intersect(spans, own)
    for opens, closes in spans or []:
        if closes > moment:
            return OpenWindow(max(opens, moment).astimezone(moment.tzinfo),
                              closes.astimezone(moment.tzinfo))
    return None


def closed_reason(rule: Rule, zones: Sequence[str], moment: datetime,
                  holiday: HolidayLookup) -> Closed | None:
    """Why `moment` is outside the rule (the first zone that forbids it), or None."""
    for name in zones:
        local = moment.astimezone(_zone(name))
        day = local.date()
        holiday_name = holiday(rule.state, day) if rule.holidays_closed else None
        if holiday_name:
            return Closed("holiday", f"holiday ({holiday_name})",
                          f"holiday in {rule.name}: {holiday_name}")
        hours = rule.days[day.weekday()]
        if hours is None:
            return Closed("day", DAY_NAMES[day.weekday()],
                          f"{rule.name}: no messages on {DAY_NAMES[day.weekday()]}s")
        if not hours.opens <= local.time().replace(tzinfo=None) < hours.closes:
            return Closed("hours", f"outside {hours.describe()}", f"{rule.name}, {hours.describe()}")
    return None
