"""The calling rules as data: each entry's source, each entry's effect, holidays and daylight saving."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.broadcast.judge import SEND, SKIP, WAIT, judge
from console.domain.calling_rules import FEDERAL, RulesError, parse_rules, rule_book, window
from console.domain.office_rules import OfficeRules, effective_rule
from console.domain.places import Place
from console.domain.public_holidays import holiday_name
from console.resources import read_resource_text

BOOK = rule_book()
NY, CHI, DEN, LA_ZONE, PHX = ("America/New_York", "America/Chicago", "America/Denver",
                               "America/Los_Angeles", "America/Phoenix")
ZONE_OF = {"US": NY, "AL": CHI, "CT": NY, "FL": NY, "KY": NY, "LA": CHI, "MD": NY, "MS": CHI,
           "OK": CHI, "PA": NY, "RI": NY, "TX": CHI, "UT": DEN, "WA": LA_ZONE}


def at(local: str, zone: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def verdict(state, local, *, zone=None, mode="wait", times=()):
    zone = zone or ZONE_OF[state]
    key = None if state == FEDERAL else state
    label = "New York" if state == FEDERAL else state
    rule = effective_rule(BOOK, OfficeRules(), key, label)
    place = Place(key, (zone,), "test", label)
    return judge(rule, place, at(local, zone), mode=mode, send_times=list(times), holiday=holiday_name)


def test_every_entry_names_its_source_and_when_it_was_checked():
    data = json.loads(read_resource_text("calling-rules.json"))
    for entry in data["rules"]:
        assert entry.get("source", "").strip(), f"{entry['key']} has no source"
        date.fromisoformat(entry["checked"])  # raises for a missing or bad date
    assert set(ZONE_OF) == {e["key"] for e in data["rules"]}  # every entry has its cases below


@pytest.mark.parametrize("missing", ["source", "checked"])
def test_an_entry_without_a_source_or_a_date_is_refused(missing):
    data = json.loads(read_resource_text("calling-rules.json"))
    del data["rules"][3][missing]
    with pytest.raises(RulesError, match=r"Rule 4 \(FL\)"):
        parse_rules(json.dumps(data))


# (entry, local time where the customer is, expected kind, expected words or time)
# 2026-12-04 is a Friday, 2026-12-06 a Sunday; 2026-11-26 is Thanksgiving.
CASES = [
    ("US", "2026-12-04 20:59", SEND, "sends now"),
    ("US", "2026-12-04 21:00", WAIT, "waits until Sat 08:00 (New York, 8:00–21:00)"),
    ("US", "2026-12-06 07:30", WAIT, "waits until Sun 08:00"),
    ("AL", "2026-12-05 19:59", SEND, "sends now"),
    ("AL", "2026-12-06 12:00", WAIT, "waits until Mon 08:00 (Alabama: no messages on Sundays)"),
    ("AL", "2026-11-26 12:00", WAIT, "waits until Fri 08:00 (holiday in Alabama: Thanksgiving Day)"),
    ("CT", "2026-12-04 08:30", WAIT, "waits until Fri 09:00 (Connecticut, 9:00–20:00)"),
    ("CT", "2026-12-06 19:59", SEND, "sends now"),
    ("FL", "2026-12-04 19:59", SEND, "sends now"),
    ("FL", "2026-12-04 20:00", WAIT, "waits until Sat 08:00 (Florida, 8:00–20:00)"),
    ("FL", "2026-11-26 12:00", SEND, "sends now"),  # no holiday rule in Florida
    ("KY", "2026-12-04 09:59", WAIT, "waits until Fri 10:00 (Kentucky, 10:00–21:00)"),
    ("KY", "2026-12-04 20:59", SEND, "sends now"),
    ("LA", "2026-12-06 10:00", WAIT, "waits until Mon 08:00 (Louisiana: no messages on Sundays)"),
    ("LA", "2026-02-17 10:00", WAIT, "waits until Wed 08:00 (holiday in Louisiana: Mardi Gras)"),
    ("LA", "2026-12-05 19:00", SEND, "sends now"),
    ("MD", "2026-12-04 20:00", WAIT, "waits until Sat 08:00 (Maryland, 8:00–20:00)"),
    ("MS", "2026-12-06 10:00", WAIT, "waits until Mon 08:00 (Mississippi: no messages on Sundays)"),
    ("MS", "2026-11-26 10:00", SEND, "sends now"),  # the holiday rule was repealed in 2024
    ("MS", "2026-12-05 20:30", SEND, "sends now"),
    ("OK", "2026-12-04 20:00", WAIT, "waits until Sat 08:00 (Oklahoma, 8:00–20:00)"),
    ("PA", "2026-11-27 10:00", WAIT, "waits until Sat 08:00 (holiday in Pennsylvania: Day After "
                                     "Thanksgiving)"),
    ("PA", "2026-12-06 20:30", SEND, "sends now"),
    ("RI", "2026-12-04 18:00", WAIT, "waits until Sat 10:00 (Rhode Island, 9:00–18:00)"),
    ("RI", "2026-12-05 16:59", SEND, "sends now"),
    ("RI", "2026-12-05 17:00", WAIT, "waits until Mon 09:00 (Rhode Island, 10:00–17:00)"),
    ("TX", "2026-12-06 11:00", WAIT, "waits until Sun 12:00 (Texas, 12:00–21:00)"),
    ("TX", "2026-12-05 08:30", WAIT, "waits until Sat 09:00 (Texas, 9:00–21:00)"),
    ("TX", "2026-12-04 20:59", SEND, "sends now"),
    ("UT", "2026-07-24 10:00", WAIT, "waits until Sat 08:00 (holiday in Utah: Pioneer Day)"),
    ("UT", "2026-12-06 10:00", WAIT, "waits until Mon 08:00 (Utah: no messages on Sundays)"),
    ("WA", "2026-12-04 20:00", WAIT, "waits until Sat 08:00 (Washington, 8:00–20:00)"),
    ("WA", "2026-12-04 07:59", WAIT, "waits until Fri 08:00 (Washington, 8:00–20:00)"),
]


@pytest.mark.parametrize(("state", "local", "kind", "words"), CASES)
def test_each_entry(state, local, kind, words):
    found = verdict(state, local)
    assert found.kind == kind
    assert found.reason.startswith(words)


def test_every_entry_has_a_case():
    assert {c[0] for c in CASES} == set(ZONE_OF)


@pytest.mark.parametrize(("state", "local", "words"), [
    ("AL", "2026-11-26 12:00", "skipped: holiday (Thanksgiving Day), Alabama"),
    ("LA", "2026-12-06 10:00", "skipped: Sunday (Louisiana: no messages on Sundays)"),
    ("FL", "2026-12-04 20:30", "skipped: outside 8:00–20:00 (Florida, their time)"),
])
def test_skip_mode_says_why(state, local, words):
    found = verdict(state, local, mode="skip")
    assert (found.kind, found.reason) == (SKIP, words)


@pytest.mark.parametrize("state", ["FL", "MD", "OK"])
def test_three_messages_in_24_hours_hold_the_fourth(state):
    zone = ZONE_OF[state]
    sent = [at("2026-12-03 16:00", zone), at("2026-12-03 18:00", zone), at("2026-12-04 09:00", zone)]
    # The fourth may go once the first is 24 hours old: Friday 16:00, within the day's hours.
    found = verdict(state, "2026-12-04 15:00", times=sent)
    assert (found.kind, found.at) == (WAIT, at("2026-12-04 16:00", zone))
    assert found.reason.startswith("waits until Fri 16:00 (3 messages in 24 h;")
    # Two are fine.
    assert verdict(state, "2026-12-04 15:00", times=sent[1:]).kind == SEND
    # When the cap frees only after the day's sending hours end, the row is skipped.
    today = [at("2026-12-04 09:00", zone), at("2026-12-04 11:00", zone), at("2026-12-04 13:00", zone)]
    skipped = verdict(state, "2026-12-04 15:00", times=today)
    assert (skipped.kind, skipped.at) == (SKIP, None)
    assert skipped.reason.startswith("skipped: 3 messages in 24 h")


def test_no_cap_where_the_law_has_none():
    sent = [at("2026-12-04 09:00", NY)] * 10
    assert verdict("US", "2026-12-04 15:00", times=sent).kind == SEND


def test_spring_forward_opens_at_eight_local():
    # Sunday 8 March 2026: clocks go from 02:00 EST to 03:00 EDT in New York.
    moment = at("2026-03-07 22:00", NY)
    opening = window(BOOK.federal, (NY,), moment, holiday_name)
    assert opening.opens == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert opening.closes == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # 21:00 EDT


def test_fall_back_opens_at_eight_local():
    # Sunday 1 November 2026: clocks go from 02:00 EDT back to 01:00 EST.
    moment = at("2026-10-31 22:00", NY)
    opening = window(BOOK.federal, (NY,), moment, holiday_name)
    assert opening.opens == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert opening.closes - opening.opens == timedelta(hours=13)


def test_arizona_keeps_its_time_when_denver_changes():
    moment = datetime(2026, 7, 1, 14, 30, tzinfo=UTC)  # 07:30 in Phoenix, 08:30 in Denver
    assert window(BOOK.federal, (DEN,), moment, holiday_name).opens == moment
    assert window(BOOK.federal, (PHX,), moment, holiday_name).opens == datetime(
        2026, 7, 1, 15, 0, tzinfo=UTC)


def test_a_state_over_two_zones_waits_for_both():
    rule = effective_rule(BOOK, OfficeRules(), "FL", "Florida")
    moment = at("2026-12-04 19:30", CHI)  # 20:30 in Miami, 19:30 in Pensacola
    place = Place("FL", (NY, CHI), "state column 'state'", "Florida")
    found = judge(rule, place, moment, mode="wait", send_times=(), holiday=holiday_name)
    assert (found.kind, found.at) == (WAIT, at("2026-12-05 08:00", CHI))  # 08:00 in both


def test_describe_hours_in_words():
    assert BOOK.rules["TX"].describe_hours() == "9:00–21:00, Sunday 12:00–21:00"
    assert BOOK.rules["LA"].describe_hours() == "8:00–20:00, none on Sundays, none on public holidays"
    assert BOOK.rules["FL"].describe_caps() == "at most 3 messages in 24 h"
