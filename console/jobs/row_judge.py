"""The runner's question before each row: may it go now, and if not, until when or why not.

Asked off the UI thread (it reads the broadcast store and History). The
answer is `console.domain.broadcast.judge.judge`'s, the same the pre-flight
gave, with what holds at this moment:

- the office's do-not-contact list (a STOP imported while the run goes stops
  the next row to that number);
- the law's rules for the customer's state with the office's stricter settings
  as they are now (a change applies to the next row);
- the public holidays where the customer is;
- the per-person caps, counted in History across every broadcast and one-off
  send, every profile.
"""
from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from console.domain.area_codes import area_codes
from console.domain.broadcast.do_not_contact import dnc_words
from console.domain.broadcast.judge import SKIP, Verdict, judge
from console.domain.broadcast.quiet_hours import Window, load_tables, zone_names_for_number
from console.domain.calling_rules import Hours, RuleBook, rule_book
from console.domain.caps import longest_period
from console.domain.office_rules import OfficeRules, effective_rule
from console.domain.places import Place, PlaceResolver
from console.domain.public_holidays import holiday_name, load_calendars
from console.store.broadcasts import BroadcastStore, RowInfo, RunInfo

__all__ = ["CapHistory", "RowJudge", "zone_key"]


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

    @property
    def rules(self) -> RuleBook:
        if self._rules is None:
            self._rules = rule_book()
        return self._rules

    def prepare(self, now: datetime) -> None:
        """Load the tables (time zones, holidays, rules: a few hundred ms once)."""
        load_tables()
        load_calendars(now.year)
        area_codes()
        _ = self.rules

    def place_of(self, row: RowInfo, office_zone: str) -> Place:
        """The place the pre-flight found, kept with the row; the area code's for rows
        of runs made before places were kept."""
        if row.zones:
            label = row.place.split(" (")[0] if row.place else (row.us_state or "unknown place")
            return Place(row.us_state or None, tuple(row.zones.split(",")), row.place, label)
        resolver = PlaceResolver(area_codes=area_codes(), zones_of=zone_names_for_number,
                                 office_zone=office_zone)
        return resolver(row.number)

    def verdict(self, run: RunInfo, row: RowInfo, now: datetime, *, window: Window, mode: str,
                office_zone: tzinfo) -> Verdict:
        listed = self.store.do_not_contact_entry(row.number)
        if listed is not None:
            return Verdict(SKIP, None, "skipped: " + dnc_words(listed.reason, listed.added))
        place = self.place_of(row, zone_key(office_zone))
        office = OfficeRules.from_json(self.store.office_rules())
        rule = effective_rule(self.rules, office, place.state, place.label,
                              window=Hours(window.opens, window.closes))
        times: list[datetime] = []
        if rule.caps and self.history is not None:
            since = now - longest_period(rule.caps) - timedelta(seconds=1)
            times = sorted(datetime.fromisoformat(t)
                           for t in self.history.recent_sends_to(row.number, since))
        return judge(rule, place, now, mode=mode, send_times=times, holiday=holiday_name)
