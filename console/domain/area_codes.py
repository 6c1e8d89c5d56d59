"""Which US state an area code belongs to, and which time zones each state spans.

The table is `resources/area-codes.json`, derived from phonenumbers
(libphonenumber's geocoder and time-zone data) by `python -m
console.domain.area_codes`: the geocoder itself holds every country's place
names and costs about 100 MiB once loaded, so the console reads the few
kilobytes it needs instead. `tests/domain/test_area_codes.py` checks the shipped
table against the installed phonenumbers, so an update of either is noticed.

An area code never crosses a state line; a number keeps its area code when it
is ported to another state, so the area code is only a guess of where the
customer is, and a state or time-zone column of the list wins over it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

__all__ = ["AreaCodes", "STATE_NAMES", "TOLL_FREE", "NON_GEOGRAPHIC", "area_codes", "parse_area_codes",
           "state_code", "generate"]

# USPS codes of the states, the District of Columbia and the territories that
# have their own area codes.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands", "GU": "Guam",
    "MP": "Northern Mariana Islands", "AS": "American Samoa",
}
_BY_NAME = {name.lower(): code for code, name in STATE_NAMES.items()}
_BY_NAME.update({"washington dc": "DC", "washington, dc": "DC", "dc": "DC",
                 "virgin islands": "VI", "us virgin islands": "VI"})

_TERRITORIES = frozenset({"PR", "VI", "GU", "MP", "AS"})  # their own regions in libphonenumber

# Toll-free area codes ring wherever the subscriber is; no local time follows from them.
TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})
# Codes for services, not places (personal communications, 600 in Canada, 700, 900).
NON_GEOGRAPHIC = frozenset({"500", "521", "522", "523", "524", "525", "526", "527", "528", "529",
                            "533", "544", "566", "577", "588", "600", "622", "700", "710", "900"})


def state_code(text: str) -> str | None:
    """ "FL", "fl", "Florida", " florida ", "D.C." -> the USPS code; None when it names no state."""
    cleaned = " ".join(text.split()).lower().strip(" .")
    if not cleaned:
        return None
    compact = cleaned.replace(".", "").replace(" ", "").upper()
    if len(compact) == 2 and compact in STATE_NAMES:
        return compact
    return _BY_NAME.get(cleaned) or _BY_NAME.get(cleaned.replace(".", ""))


@dataclass(frozen=True)
class AreaCodes:
    states: Mapping[str, str]  # area code -> state code ("" for a code outside the US)
    zones: Mapping[str, tuple[str, ...]]  # state code -> IANA zones, most populous first
    source: str
    generated: date

    def state_of(self, area: str) -> str | None:
        found = self.states.get(area)
        return found or None


def parse_area_codes(text: str) -> AreaCodes:
    data = json.loads(text)
    return AreaCodes(states=dict(data["area_codes"]),
                     zones={k: tuple(v) for k, v in data["state_zones"].items()},
                     source=str(data["source"]), generated=date.fromisoformat(data["generated"]))


@lru_cache(maxsize=1)
def area_codes() -> AreaCodes:
    """The shipped table (read once)."""
    from console.resources import read_resource_text

    return parse_area_codes(read_resource_text("area-codes.json"))


def _state_of_description(description: str) -> str | None:
    if not description:
        return None
    code = state_code(description)
    if code:
        return code
    if ", " in description:  # "New York, NY"
        return state_code(description.rsplit(", ", 1)[1])
    return None


def generate(today: date) -> dict[str, Any]:
    """The table from the installed phonenumbers (loads its geocoder: ~100 MiB, a second)."""
    import phonenumbers
    from phonenumbers import timezone as pn_timezone
    from phonenumbers.geodata import GEOCODE_DATA

    votes: dict[str, dict[str, int]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if not prefix.startswith("1") or len(prefix) < 4:
            continue
        area = prefix[1:4]
        state = _state_of_description(names.get("en", ""))
        tally = votes.setdefault(area, {})
        tally[state or ""] = tally.get(state or "", 0) + 1
    states: dict[str, str] = {}
    for area, tally in sorted(votes.items()):
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
        states[area] = ranked[0][0] if ranked[0][0] or len(ranked) == 1 else ranked[1][0]
    # Territories with their own region in libphonenumber (Puerto Rico, Guam...).
    for npa in range(200, 1000):
        area = str(npa)
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(area + "2000000"))
        region = phonenumbers.region_code_for_number(number) or ""
        if region in _TERRITORIES:
            states[area] = region
    zone_votes: dict[str, dict[str, int]] = {}
    for area, state in states.items():
        if not state:
            continue
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(area + "2000000"))
        for zone in pn_timezone.time_zones_for_geographical_number(number):
            if zone != "Etc/Unknown":
                counts = zone_votes.setdefault(state, {})
                counts[zone] = counts.get(zone, 0) + 1
    zones = {state: [z for z, _ in sorted(c.items(), key=lambda item: (-item[1], item[0]))]
             for state, c in sorted(zone_votes.items())}
    return {
        "_comment": "Generated by `python -m console.domain.area_codes`; do not edit by hand.",
        "source": f"phonenumbers {phonenumbers.__version__} (libphonenumber geocoder and time zones)",
        "generated": today.isoformat(),
        "area_codes": states,
        "state_zones": zones,
    }


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    print(json.dumps(generate(date.today()), indent=1, sort_keys=False, ensure_ascii=False))
