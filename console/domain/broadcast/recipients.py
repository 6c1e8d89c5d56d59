"""From a table of cells to the recipients of a broadcast, with every row that cannot be sent.

Each number is checked and formatted by the SMS tab's own rules
(console.domain.phone). A row is left out, with its reason, when its number
is not one, when the same number came earlier (the later row is left out: one
message per number), when a merge field the message uses is empty in it, or
when the number is on the do-not-contact list.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from console.domain.broadcast.table import Table, field_key
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone

__all__ = ["ColumnMapping", "Recipient", "RowProblem", "RecipientList", "MappingError",
           "INVALID", "DUPLICATE", "MISSING_FIELD", "DO_NOT_CONTACT", "PROBLEM_WORDS",
           "guess_mapping", "looks_like_header", "guess_number_column", "check_names",
           "build_recipients", "duplicate_words", "guess_role_column", "STATE_TITLES", "ZONE_TITLES",
           "NAME_TITLES"]

INVALID = "invalid"
DUPLICATE = "duplicate"
MISSING_FIELD = "missing_field"
DO_NOT_CONTACT = "do_not_contact"
PROBLEM_WORDS = {
    INVALID: "Invalid number",
    DUPLICATE: "Duplicate",
    MISSING_FIELD: "Missing merge field",
    DO_NOT_CONTACT: "Do not contact",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class MappingError(ValueError):
    """The column choices cannot be used; the message says which and why."""


STATE_TITLES = ("state", "st", "state_code", "us_state", "province", "state_province")
ZONE_TITLES = ("time_zone", "timezone", "tz", "zone", "time_zone_name")
NAME_TITLES = ("name", "full_name", "customer", "customer_name", "client", "patient", "first_name",
               "prenom", "nombre", "contact", "contact_name")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds the number, what each column is called, and whether row 1 is titles.

    The state, time-zone and name columns are optional (None): where the
    customer is, and who, for the pre-flight and the report."""

    number_column: int
    names: tuple[str, ...]
    has_header: bool
    state_column: int | None = None
    zone_column: int | None = None
    name_column: int | None = None


def guess_role_column(names: Sequence[str], titles: Sequence[str]) -> int | None:
    """The first column whose merge-field name is one of `titles` (in `titles`' order)."""
    for title in titles:
        if title in names:
            return list(names).index(title)
    return None


@dataclass(frozen=True)
class Recipient:
    row: int  # the row as the spreadsheet numbers it (titles included)
    number: str  # 10 digits
    values: Mapping[str, str]

    @property
    def shown_number(self) -> str:
        return format_phone(self.number)


@dataclass(frozen=True)
class RowProblem:
    row: int
    number_text: str
    kind: str
    reason: str


@dataclass
class RecipientList:
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.kind == kind)


def duplicate_words(first: int) -> str:
    return f"Duplicate of row {first}: left out, so the customer gets one message."


def _is_phone(text: str) -> bool:
    if not text or sum(ch.isdigit() for ch in text) < 10:
        return False
    try:
        normalize_phone(text)
    except InvalidPhoneError:
        return False
    return True


def guess_number_column(rows: Sequence[Sequence[str]]) -> int:
    """The column with the most valid phone numbers (the first on a tie; 0 when none)."""
    width = max((len(r) for r in rows), default=0)
    counts = [sum(1 for r in rows[:200] if c < len(r) and _is_phone(r[c])) for c in range(width)]
    return max(range(width), key=lambda c: (counts[c], -c)) if width else 0


def looks_like_header(table: Table) -> bool:
    """Row 1 holds titles: no phone number in it, and text where the other rows have numbers."""
    if len(table.rows) < 1:
        return False
    first = table.rows[0]
    if any(_is_phone(c) for c in first):
        return False
    if len(table.rows) == 1:
        return all(c and not c[0].isdigit() for c in first)
    column = guess_number_column(table.rows[1:])
    others_have_numbers = any(column < len(r) and _is_phone(r[column]) for r in table.rows[1:50])
    return others_have_numbers or all(c and not any(ch.isdigit() for ch in c) for c in first)


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 1)
        out.append(name)
    return tuple(out)


def guess_mapping(table: Table) -> ColumnMapping:
    header = looks_like_header(table)
    data = table.rows[1:] if header else table.rows
    number_column = guess_number_column(data)
    names = []
    for c in range(table.width):
        title = table.rows[0][c] if header and c < len(table.rows[0]) else ""
        key = field_key(title) if title else ""
        if not key:
            key = "number" if c == number_column else f"column_{c + 1}"
        names.append(key)
    unique = _unique(names)
    roles = {} if not header else {
        "state_column": guess_role_column(unique, STATE_TITLES),
        "zone_column": guess_role_column(unique, ZONE_TITLES),
        "name_column": guess_role_column(unique, NAME_TITLES)}
    return ColumnMapping(number_column=number_column, names=unique, has_header=header, **roles)


def check_names(names: Sequence[str]) -> None:
    """MappingError naming the first column name that cannot be a merge field."""
    seen: set[str] = set()
    for index, name in enumerate(names, start=1):
        if not _NAME.fullmatch(name):
            raise MappingError(
                f"Column {index}: '{name}' cannot be a merge field name. Use letters, digits "
                "and _ only, starting with a letter, for example first_name.")
        if name in seen:
            raise MappingError(f"Column {index}: the name '{name}' is used twice. Give each column "
                               "its own name.")
        seen.add(name)


def build_recipients(table: Table, mapping: ColumnMapping, *, required_fields: Iterable[str] = (),
                     do_not_contact: Mapping[str, str] | None = None) -> RecipientList:
    """The rows that can be sent, and every other row with its reason, in table order.

    `required_fields` are the merge fields the message uses; `do_not_contact`
    maps a 10-digit number to the reason it is on the list.
    """
    check_names(mapping.names)
    if not 0 <= mapping.number_column < len(mapping.names):
        raise MappingError("Choose the column that holds the phone numbers.")
    required = list(required_fields)
    do_not_contact = do_not_contact or {}
    result = RecipientList()
    first_row_of: dict[str, int] = {}
    start = 1 if mapping.has_header else 0
    for index in range(start, len(table.rows)):
        cells = table.rows[index]
        row = index + 1
        values = {name: (cells[c] if c < len(cells) else "") for c, name in enumerate(mapping.names)}
        written = values[mapping.names[mapping.number_column]]
        try:
            number = normalize_phone(written, field="Number")
        except InvalidPhoneError as err:
            result.problems.append(RowProblem(row, written, INVALID, str(err)))
            continue
        values[mapping.names[mapping.number_column]] = format_phone(number)
        if number in first_row_of:
            result.problems.append(RowProblem(
                row, written, DUPLICATE,
                duplicate_words(first_row_of[number])))
            continue
        first_row_of[number] = row
        if number in do_not_contact:
            reason = do_not_contact[number] or "no reason given"
            result.problems.append(RowProblem(
                row, written, DO_NOT_CONTACT, f"On the do-not-contact list ({reason})."))
            continue
        missing = [name for name in required if not values.get(name, "").strip()]
        if missing:
            which = ", ".join("{" + m + "}" for m in missing)
            result.problems.append(RowProblem(
                row, written, MISSING_FIELD,
                f"The merge field {which} is empty in this row. Fill it in the file or "
                "remove it from the message."))
            continue
        result.recipients.append(Recipient(row=row, number=number, values=values))
    return result
