"""From the pre-flight to a run's rows, and the few words and settings the tab shows about rules.

No Qt here: the tab and the tests use these as plain functions.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.domain.broadcast.preflight import GOES, Preflight, RowDecision
from console.domain.calling_rules import FEDERAL, RuleBook
from console.store.broadcasts import LeftOutRow, NewRow

__all__ = ["run_rows", "office_zone_name", "rules_summary", "TWICE_WORDS"]

TWICE_WORDS = ("left out at Start: got this same message in the last 24 hours, or waits in a "
               "broadcast not over")
_US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
             "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu")


def _place_words(d: RowDecision) -> tuple[str, str, str]:
    if d.place is None:
        return "", "", ""
    return d.place.state or "", f"{d.place.label} ({d.place.source})", ",".join(d.place.zones)


def run_rows(preflight: Preflight, going: Sequence[RowDecision],
             twice: Sequence[RowDecision] = ()) -> tuple[list[NewRow], list[LeftOutRow]]:
    """The rows to send (`going`, in the file's order) and every other row of the list,
    left out with its reason, so the run's report is the whole list."""
    chosen = {d.row for d in going}
    left_twice = {d.row for d in twice}
    new_rows: list[NewRow] = []
    left_out: list[LeftOutRow] = []
    for d in preflight.rows:
        state, place, zones = _place_words(d)
        if d.row in chosen:
            new_rows.append(NewRow(source_row=d.row, number=d.number, text=d.text,
                                   segments=d.segments, name=d.name, us_state=state, place=place,
                                   zones=zones, preflight=d.reason))
        elif d.row in left_twice:
            left_out.append(LeftOutRow(d.row, d.number_text, d.number, d.name, place, zones,
                                       "twice", f"{d.reason}; {TWICE_WORDS}"))
        elif d.kind not in GOES:
            left_out.append(LeftOutRow(d.row, d.number_text, d.number, d.name, place, zones,
                                       d.kind, d.reason))
    return new_rows, left_out


def office_zone_name() -> str:
    """This computer's time zone as an IANA name (for numbers with no place of their own)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and "/" in name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    # Windows, or no name to be found: the US zone whose offset is this computer's now.
    offset = datetime.now().astimezone().utcoffset()
    for name in _US_ZONES:
        if datetime.now(ZoneInfo(name)).utcoffset() == offset:
            return name
    return "America/New_York"


def rules_summary(book: RuleBook) -> str:
    federal = book.federal
    states = sorted(k for k in book.rules if k != FEDERAL)
    return (f"Federal: {federal.describe_hours()} everywhere. Stricter in {len(states)} states "
            f"({', '.join(states)}): hours, Sundays, public holidays, at most 3 messages in 24 h "
            "in some. The office may make any of them stricter.")
