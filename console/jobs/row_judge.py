"""The runner's question before each row: may it go now, and if not, until when or why not.

The store is read off the UI thread (`refresh`, `send_times`), the verdict
worked out on it from those copies (`verdict`): the copies of the list and the
office's rules are read again as soon as this console changes them, and at
least every couple of seconds for changes made elsewhere. The answer is
`console.domain.broadcast.judge.judge`'s, the one the pre-flight gave, with
what holds at this moment:

- the office's do-not-contact list (a STOP imported while the run goes stops
  the next row to that number);
- the law's rules for the customer's state with the office's stricter settings
  as they are now (a change applies to the next row);
- the public holidays where the customer is;
- the per-person caps, counted in History across every broadcast and one-off
  send, every profile.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from console.domain.area_codes import area_codes
from console.domain.broadcast.do_not_contact import dnc_words
from console.domain.broadcast.judge import SKIP, Verdict, judge
from console.domain.broadcast.quiet_hours import Window, load_tables, zone_names_for_number
from console.domain.calling_rules import Hours, Rule, RuleBook, rule_book
from console.domain.caps import longest_period
from console.domain.office_rules import OfficeRules, effective_rule
from console.domain.places import Place, PlaceResolver
from console.domain.public_holidays import holiday_name, load_calendars
from console.store.broadcasts import BroadcastStore, RowInfo

__all__ = ["CapHistory", "RowJudge", "zone_key", "REFRESH_S"]

REFRESH_S = 2.0  # the list and the office's rules are read again at least this often


class CapHistory(Protocol):
    """What the caps need of History (console.store.journal.Journal has it)."""

    def recent_sends_to(self, recipient: str, since: datetime) -> list[str]: ...


def zone_key(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) and key else "UTC"


class RowJudge:
    def __init__(self, *, store: BroadcastStore, history: CapHistory | None = None,
                 rules: RuleBook | None = None) -> None:
        self.store = store
        self.history = history
        self._rules = rules
        self._dnc: dict[str, tuple[str, str]] = {}
        self._office = OfficeRules()
        self._read_version: int | None = None
        self._read_at = 0.0

    @property
    def rules(self) -> RuleBook:
        if self._rules is None:
            self._rules = rule_book()
        return self._rules

    def prepare(self, now: datetime) -> None:
        """Load the tables (time zones, holidays, rules: a few hundred ms once) and the lists."""
        load_tables()
        load_calendars(now.year)
        area_codes()
        _ = self.rules
        self.refresh()

    # -- what is read from the stores (off the UI thread) -------------------------------
    def stale(self) -> bool:
        return (self._read_version != self.store.lists_version()
                or time.monotonic() - self._read_at > REFRESH_S)

    def refresh(self) -> None:
        version = self.store.lists_version()
        self._dnc = {r.number: (r.reason, r.added) for r in self.store.do_not_contact()}
        self._office = OfficeRules.from_json(self.store.office_rules())
        self._read_version, self._read_at = version, time.monotonic()

    def send_times(self, number: str, rule: Rule, now: datetime) -> list[datetime]:
        if not rule.caps or self.history is None:
            return []
        since = now - longest_period(rule.caps) - timedelta(seconds=1)
        return sorted(datetime.fromisoformat(t) for t in self.history.recent_sends_to(number, since))

    # -- the verdict (on the UI thread, from the copies) ---------------------------------
    def place_of(self, row: RowInfo, office_zone: str) -> Place:
        """The place the pre-flight found, kept with the row; the area code's for rows
        of runs made before places were kept."""
        if row.zones:
            label = row.place.split(" (")[0] if row.place else (row.us_state or "unknown place")
            return Place(row.us_state or None, tuple(row.zones.split(",")), row.place, label)
        resolver = PlaceResolver(area_codes=area_codes(), zones_of=zone_names_for_number,
                                 office_zone=office_zone)
        return resolver(row.number)

    def rule_for(self, row: RowInfo, *, window: Window, office_zone: tzinfo) -> tuple[Place, Rule]:
        place = self.place_of(row, zone_key(office_zone))
        return place, effective_rule(self.rules, self._office, place.state, place.label,
                                     window=Hours(window.opens, window.closes))

    def verdict(self, row: RowInfo, now: datetime, *, place: Place, rule: Rule, mode: str,
                send_times: list[datetime]) -> Verdict:
        listed = self._dnc.get(row.number)
        if listed is not None:
            return Verdict(SKIP, None, "skipped: " + dnc_words(*listed))
        return judge(rule, place, now, mode=mode, send_times=send_times, holiday=holiday_name)

    async def judge_now(self, row: RowInfo, now: datetime, *, window: Window, mode: str,
                        office_zone: tzinfo) -> Verdict:
        """The verdict for `row` at `now`, the store read off this thread when the copies are
        stale and for the counts the caps need. Raises BroadcastStoreError or JournalError
        when they cannot be read: the row is then neither sent nor skipped."""
        if self.stale():
            await asyncio.to_thread(self.refresh)
        place, rule = self.rule_for(row, window=window, office_zone=office_zone)
        times = await asyncio.to_thread(self.send_times, row.number, rule, now) if rule.caps else []
        return self.verdict(row, now, place=place, rule=rule, mode=mode, send_times=times)
