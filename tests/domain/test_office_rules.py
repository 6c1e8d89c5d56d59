"""The office may make a rule stricter, never looser; a looser setting is refused with its reason."""
from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from console.domain.broadcast.judge import SEND, WAIT, judge
from console.domain.calling_rules import Cap, Hours, rule_book
from console.domain.office_rules import ALL, OfficeRules, OfficeSetting, check_setting, effective_rule, window_refusal
from console.domain.places import Place
from console.domain.public_holidays import holiday_name

BOOK = rule_book()
FL = BOOK.law_for("FL")


def test_stricter_settings_are_kept():
    setting = OfficeSetting(opens=time(9), closes=time(19), blocked_days=frozenset({5}),
                            holidays_closed=True, cap=Cap(2, 24))
    kept, refusals = check_setting(FL, setting)
    assert (kept, refusals) == (setting, [])


def test_looser_settings_are_refused_and_say_what_the_law_allows():
    kept, refusals = check_setting(FL, OfficeSetting(opens=time(7), closes=time(21), cap=Cap(5, 24)))
    assert kept == OfficeSetting()
    assert [r.field for r in refusals] == ["Opens", "Closes", "Messages per person"]
    assert refusals[0].text == ("Florida: opening at 7:00 is earlier than the law allows (8:00, "
                                "Fla. Stat. § 501.616(6)(a)-(b)). The opening stays 8:00.")
    assert "closing at 21:00 is later than the law allows (20:00" in refusals[1].text
    assert "5 messages in 24 h is more than the law allows (at most 3 messages in 24 h" in refusals[2].text
    # A shorter period with the same count is looser too.
    assert check_setting(FL, OfficeSetting(cap=Cap(3, 12)))[1]


def test_the_effective_rule_never_gets_looser():
    office = OfficeRules({ALL: OfficeSetting(closes=time(19)), "FL": OfficeSetting(opens=time(6),
                                                                                   cap=Cap(1, 24))})
    rule = effective_rule(BOOK, office, "FL", "Florida")
    assert rule.days[0] == Hours(time(8), time(19))  # 06:00 refused, 19:00 kept
    assert Cap(1, 24) in rule.caps and Cap(3, 24) in rule.caps
    ny = effective_rule(BOOK, office, "NY", "New York")
    assert ny.days[0] == Hours(time(8), time(19))
    assert ny.caps == ()


def test_office_blocked_saturday_waits_for_monday():
    office = OfficeRules({ALL: OfficeSetting(blocked_days=frozenset({5, 6}))})
    rule = effective_rule(BOOK, office, "NY", "New York")
    zone = "America/New_York"
    now = datetime(2026, 12, 5, 12, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    found = judge(rule, Place("NY", (zone,), "t", "New York"), now, mode="wait", send_times=(),
                  holiday=holiday_name)
    assert found.kind == WAIT
    assert found.reason == "waits until Mon 08:00 (New York: no messages on Saturdays)"


def test_the_broadcast_window_must_stay_within_the_federal_floor():
    assert window_refusal(BOOK, time(8), time(21)) is None
    assert window_refusal(BOOK, time(6), time(21)) == (
        "Sending hours: opening at 6:00 is earlier than the law allows (8:00, 47 U.S.C. § 227(c)). "
        "The opening stays 8:00.")
    rule = effective_rule(BOOK, OfficeRules(), "TX", "Texas", window=Hours(time(10), time(17)))
    assert rule.days[6] == Hours(time(12), time(17))


def test_settings_round_trip_through_json():
    office = OfficeRules({ALL: OfficeSetting(opens=time(9), blocked_days=frozenset({6})),
                          "FL": OfficeSetting(cap=Cap(2, 24), holidays_closed=True)})
    assert OfficeRules.from_json(office.to_json()) == office
    assert OfficeRules.from_json({"FL": {"cap": "nonsense"}, "X": 3}).settings == {}


def test_send_now_inside_office_hours():
    office = OfficeRules({ALL: OfficeSetting(opens=time(9))})
    rule = effective_rule(BOOK, office, "NY", "New York")
    now = datetime(2026, 12, 4, 15, tzinfo=UTC)  # 10:00 in New York
    place = Place("NY", ("America/New_York",), "t", "New York")
    assert judge(rule, place, now, mode="wait", send_times=(), holiday=holiday_name).kind == SEND
