"""Where a customer is: their state and time zone, and how the console knows.

A list may say it (a state column: "FL", "Florida"; a time-zone column:
"America/Chicago", "Central", "CST"); numbers are ported, so the area code is
only a guess and a column wins over it. Without either, the area code gives the
state (console.domain.area_codes) and the zones (libphonenumber, per exchange).
A toll-free or other non-geographic number rings anywhere: it is judged by the
office's own time zone and the federal rule, and the pre-flight says so.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.domain.area_codes import NON_GEOGRAPHIC, STATE_NAMES, TOLL_FREE, AreaCodes, state_code

__all__ = ["Place", "zone_name", "resolve_place", "PlaceResolver", "short_zone"]

_ZONE_ALIASES = {
    "eastern": "America/New_York", "et": "America/New_York", "est": "America/New_York",
    "edt": "America/New_York", "central": "America/Chicago", "ct": "America/Chicago",
    "cst": "America/Chicago", "cdt": "America/Chicago", "mountain": "America/Denver",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "arizona": "America/Phoenix", "pacific": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "alaska": "America/Anchorage",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "hawaii": "Pacific/Honolulu",
    "hst": "Pacific/Honolulu", "atlantic": "America/Puerto_Rico", "ast": "America/Puerto_Rico",
}
_SHORT = {"America/New_York": "Eastern", "America/Chicago": "Central", "America/Denver": "Mountain",
          "America/Phoenix": "Arizona", "America/Los_Angeles": "Pacific",
          "America/Anchorage": "Alaska", "Pacific/Honolulu": "Hawaii",
          "America/Puerto_Rico": "Atlantic"}


def short_zone(name: str) -> str:
    """ "America/Chicago" -> "Central"; other zones by their own name."""
    return _SHORT.get(name, name.rsplit("/", 1)[-1].replace("_", " "))


@lru_cache(maxsize=512)
def zone_name(text: str) -> str | None:
    """An IANA zone name from what a list writes ("Central", "CST", "America/Chicago"), or None."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    alias = _ZONE_ALIASES.get(cleaned.lower().replace(" time", "").replace(" standard", ""))
    if alias:
        return alias
    if "/" in cleaned:
        try:
            ZoneInfo(cleaned)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return cleaned
    return None


@dataclass(frozen=True)
class Place:
    state: str | None  # USPS code, or None when not known
    zones: tuple[str, ...]  # IANA names; the message must be allowed in every one
    source: str  # how it is known, in words: "state column 'State'", "area code 305"
    label: str  # the place in words: "Florida", "toll-free number"

    @property
    def zone_words(self) -> str:
        return " / ".join(short_zone(z) for z in self.zones)


ZonesOf = Callable[[str], tuple[str, ...]]  # 10-digit number -> IANA zones from its exchange


def resolve_place(number: str, *, state_text: str = "", zone_text: str = "", state_column: str = "",
                  zone_column: str = "", area_codes: AreaCodes, zones_of: ZonesOf,
                  office_zone: str) -> Place:
    area = number[:3]
    area_state = area_codes.state_of(area)
    zone = zone_name(zone_text) if zone_column else None
    state = state_code(state_text) if state_column else None
    notes = []
    if state_column and state_text.strip() and state is None:
        notes.append(f"the {state_column!r} column's '{state_text.strip()}' is not a state")
    if zone_column and zone_text.strip() and zone is None:
        notes.append(f"the {zone_column!r} column's '{zone_text.strip()}' is not a time zone")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    if state is not None:
        zones: tuple[str, ...]
        if zone is not None:
            zones, source = (zone,), f"state column {state_column!r}, time-zone column {zone_column!r}"
        else:
            own = area_codes.zones.get(state, ())
            by_number = zones_of(number) if area_state == state else ()
            zones = by_number or own or (office_zone,)
            source = f"state column {state_column!r}"
        return Place(state, zones, source + suffix, STATE_NAMES.get(state, state))
    if zone is not None:
        # The zone says when, not which state: the area code's state counts only
        # when that state lies in the zone.
        if area_state and zone in area_codes.zones.get(area_state, ()):
            return Place(area_state, (zone,),
                         f"time-zone column {zone_column!r}; state from area code {area}" + suffix,
                         STATE_NAMES.get(area_state, area_state))
        return Place(None, (zone,), f"time-zone column {zone_column!r}; state not known, so the "
                                    "federal rule" + suffix, short_zone(zone) + " time")
    if area in TOLL_FREE or area in NON_GEOGRAPHIC:
        kind = "toll-free" if area in TOLL_FREE else "non-geographic"
        return Place(None, (office_zone,),
                     f"{kind} number: judged by the office's time ({short_zone(office_zone)}) "
                     "and the federal rule" + suffix, f"{kind} number")
    zones = zones_of(number)
    if area_state:
        zones = zones or area_codes.zones.get(area_state, ()) or (office_zone,)
        return Place(area_state, zones, f"area code {area}" + suffix,
                     STATE_NAMES.get(area_state, area_state))
    if zones:
        return Place(None, zones, f"area code {area}, outside the US: the federal rule" + suffix,
                     "outside the US")
    return Place(None, (office_zone,), f"area code {area} is not known: judged by the office's "
                                       f"time ({short_zone(office_zone)}) and the federal rule" + suffix,
                 "unknown place")


class PlaceResolver:
    """resolve_place with a cache per (area code and exchange, column values): a list of
    100,000 rows has a few thousand distinct answers."""

    def __init__(self, *, area_codes: AreaCodes, zones_of: ZonesOf, office_zone: str,
                 state_column: str = "", zone_column: str = "") -> None:
        self._area_codes = area_codes
        self._zones_of = zones_of
        self._office_zone = office_zone
        self._state_column = state_column
        self._zone_column = zone_column
        self._cache: dict[tuple[str, str, str], Place] = {}

    def __call__(self, number: str, state_text: str = "", zone_text: str = "") -> Place:
        key = (number[:6], state_text, zone_text)
        found = self._cache.get(key)
        if found is None:
            found = resolve_place(number, state_text=state_text, zone_text=zone_text,
                                  state_column=self._state_column, zone_column=self._zone_column,
                                  area_codes=self._area_codes, zones_of=self._zones_of,
                                  office_zone=self._office_zone)
            self._cache[key] = found
        return found
