"""Where a customer is, and how the console knows it: a column first, the area code otherwise."""
from __future__ import annotations

import json

import pytest

from console.domain.area_codes import area_codes, generate, state_code
from console.domain.broadcast.quiet_hours import zone_names_for_number
from console.domain.places import resolve_place, zone_name

OFFICE = "America/New_York"


def place(number, **columns):
    return resolve_place(number, area_codes=area_codes(), zones_of=zone_names_for_number,
                         office_zone=OFFICE, **columns)


@pytest.mark.parametrize(("text", "code"), [("FL", "FL"), ("fl", "FL"), ("Florida", "FL"),
                                            (" new  york ", "NY"), ("D.C.", "DC"), ("Floridaa", None),
                                            ("", None)])
def test_state_code(text, code):
    assert state_code(text) == code


@pytest.mark.parametrize(("text", "zone"), [("Central", "America/Chicago"), ("CST", "America/Chicago"),
                                            ("America/Denver", "America/Denver"),
                                            ("Eastern Time", "America/New_York"), ("Mars", None),
                                            ("Europe/Nowhere", None)])
def test_zone_name(text, zone):
    assert zone_name(text) == zone


def test_area_code_gives_state_and_zone():
    found = place("3055550100")
    assert (found.state, found.zones, found.source) == ("FL", ("America/New_York",), "area code 305")


def test_state_column_wins_over_the_area_code():
    found = place("2125550100", state_text="Florida", state_column="state")
    assert found.state == "FL"
    assert found.source == "state column 'state'"
    assert set(found.zones) == {"America/New_York", "America/Chicago"}  # both of Florida's zones
    # A Florida number in the Florida column keeps its own exchange's zone.
    assert place("8505550100", state_text="FL", state_column="state").zones == (
        zone_names_for_number("8505550100"))


def test_time_zone_column():
    found = place("3055550100", zone_text="Central", zone_column="tz")
    assert (found.state, found.zones) == ("FL", ("America/Chicago",))
    assert found.source == "time-zone column 'tz'; state from area code 305"
    pacific = place("3055550100", zone_text="Pacific", zone_column="tz")
    assert pacific.state is None
    assert "state not known, so the federal rule" in pacific.source


def test_unreadable_column_values_fall_back_to_the_area_code_and_say_so():
    found = place("3055550100", state_text="Floridaa", state_column="state")
    assert found.state == "FL"
    assert found.source == "area code 305 (the 'state' column's 'Floridaa' is not a state)"


def test_toll_free_is_judged_by_the_office_time():
    found = place("8005550100")
    assert (found.state, found.zones, found.label) == (None, (OFFICE,), "toll-free number")
    assert found.source == ("toll-free number: judged by the office's time (Eastern) and the "
                            "federal rule")


def test_the_shipped_table_agrees_with_the_installed_phonenumbers():
    from datetime import date

    shipped = json.loads(json.dumps(generate(date(2026, 12, 7))))
    table = area_codes()
    assert shipped["area_codes"] == dict(table.states)
    assert {k: tuple(v) for k, v in shipped["state_zones"].items()} == dict(table.zones)
