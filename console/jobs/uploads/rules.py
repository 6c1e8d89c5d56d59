"""The queue's rules as pure functions: sort numbers from names, display names,
the problems that block an upload, and the time-left estimate.

No Qt, no threads, no files: each rule is tested by a table
(tests/jobs/test_upload_rules.py).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from console.domain.validation import SORT_MAX, SORT_MIN, leading_number
from console.domain.wording import plural
from console.jobs.uploads.status import Status

# "2023-07-20 message", "2023_07_20", "20.07.2023", "07-20-23": a date, not a sort number.
_DATE_PREFIX = re.compile(
    r"\s*(?:\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-_.]\d{1,2}[-_.]\d{2,4})(?!\d)")
# The number a name starts with and what separates it from the words: "05 ", "05-", "05_", "05. ".
_NUMBER_PREFIX = re.compile(r"\s*\d+(?!\d)\s*[-_.)]?\s*(?=\S)")


@dataclass(frozen=True)
class NameNumber:
    sort: int | None
    problem: str | None  # why the name's number cannot be used, in plain words


def number_from_name(name: str) -> NameNumber:
    """The sort number a file name starts with ("05 Welcome.wav" -> 5), or why not."""
    if _DATE_PREFIX.match(name):
        return NameNumber(None, "Its name starts with a date, not a sort number. "
                                "Type a sort number in the Sort column.")
    number = leading_number(name)
    if number is None:
        digits = re.match(r"\s*(\d+)", name)
        if digits:  # too many digits for leading_number to read
            return NameNumber(None, f"Its name starts with {digits.group(1)}, above the "
                                    f"{SORT_MAX:,} maximum for a sort number. "
                                    "Type one in the Sort column.")
        return NameNumber(None, "Needs a sort number: its name does not start with one. "
                                "Type one in the Sort column.")
    if not SORT_MIN <= number <= SORT_MAX:
        return NameNumber(None, f"Its name starts with {number}, above the {SORT_MAX:,} "
                                "maximum for a sort number. Type one in the Sort column.")
    return NameNumber(number, None)


def display_name(stem: str) -> str:
    """The label for the portal: the file name without its number ("05 Main menu" -> "Main menu").

    A date at the start is part of the name; a name that is only a number keeps it.
    """
    stem = stem.strip()
    if _DATE_PREFIX.match(stem) or leading_number(stem) is None:
        return stem
    rest = _NUMBER_PREFIX.sub("", stem, count=1).strip()
    return rest or stem


class RowFacts(NamedTuple):
    """What the problem rules need to know about one row, in table order.

    A NamedTuple: built for every row on every check, so it must be cheap."""
    id: int
    name: str
    status: Status
    album: int | None
    sort: int | None
    path_key: str = ""  # the resolved path
    content_key: tuple[int, str] | None = None  # (size, sha256) once read
    name_problem: str | None = None  # from number_from_name, while the sort is unset


def duplicate_of(rows: Sequence[RowFacts]) -> dict[int, tuple[int, bool]]:
    """Rows that repeat an earlier row: id -> (row number of the earlier one, same path?).

    Rejected and cancelled rows hold no place, so repeating them is fine.
    """
    by_path: dict[str, int] = {}
    by_content: dict[tuple[int, str], int] = {}
    found: dict[int, tuple[int, bool]] = {}
    for number, row in enumerate(rows):
        if not (row.status.holds_number or row.status == Status.INSPECTING):
            continue
        if row.path_key and row.path_key in by_path:
            found[row.id] = (by_path[row.path_key], True)
            continue
        if row.content_key is not None and row.content_key in by_content:
            found[row.id] = (by_content[row.content_key], False)
            continue
        if row.path_key:
            by_path[row.path_key] = number
        if row.content_key is not None:
            by_content[row.content_key] = number
    return found


def find_problems(rows: Sequence[RowFacts]) -> dict[int, str]:
    """Problems that must be fixed before a row can be uploaded: id -> message."""
    problems: dict[int, str] = {}
    duplicates = duplicate_of(rows)
    for row_id, (other, same_path) in duplicates.items():
        first = rows[other]
        what = "the same file" if same_path else "a file with the same content"
        where = ("was already uploaded" if first.status == Status.DONE
                 else "is already in the queue")
        problems[row_id] = (f"Repeat: {what} {where} as “{first.name}” (row {other + 1}). "
                            "Remove one of the two rows.")
    by_pair: dict[tuple[int, int], list[RowFacts]] = {}
    for row in rows:
        if row.id in duplicates or not row.status.holds_number:
            continue
        if row.album is None:
            problems[row.id] = "Needs an album number."
            continue
        if row.sort is None:
            if row.status != Status.DONE:
                problems[row.id] = row.name_problem or (
                    "Needs a sort number: its name does not start with one. "
                    "Type one in the Sort column.")
            continue
        by_pair.setdefault((row.album, row.sort), []).append(row)
    for (album, sort), same in by_pair.items():
        if len(same) < 2:
            continue
        for row in same:
            if row.status not in (Status.QUEUED, Status.FAILED):
                continue
            others = [o for o in same if o is not row]
            first = others[0]
            more = f" and {plural(len(others) - 1, 'other row')}" if len(others) > 1 else ""
            if first.status == Status.DONE:
                where = f"was already uploaded from “{first.name}”"
            else:
                where = f"is also used by “{first.name}”"
            problems[row.id] = (f"Album {album} / sort {sort} {where}{more}. "
                                "Change the sort number or remove one of them.")
    return problems


def smooth_eta(previous: float | None, raw: float | None, elapsed: float) -> float | None:
    """The time left to show, from the last shown value and a fresh raw estimate.

    The raw estimate jumps with every finished file and every slow reply. The
    shown value counts down by the time that passed, and moves towards a new
    raw value: quickly when the raw one says "sooner" (so the end is never
    announced minutes away seconds before it comes), slowly when it says
    "later" (so one slow reply does not make the figure jump).
    """
    if raw is None:
        return None
    if previous is None:
        return raw
    counted_down = max(0.0, previous - elapsed)
    weight = 0.5 if raw < counted_down else 0.15
    return counted_down + (raw - counted_down) * weight
