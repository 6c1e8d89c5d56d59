"""The do-not-contact list as CSV (what an import reads, what an export writes), and its words.

The list is one for the whole office. Each entry keeps when it arrived and
how: typed in, imported from a file, a customer's reply (a keyword such as
STOP, or plain words a person confirmed), or moved from the per-profile lists
of earlier versions.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from console.domain.broadcast.recipients import guess_number_column, looks_like_header
from console.domain.broadcast.table import Table, TableError, field_key, read_csv
from console.domain.csv_safe import csv_bytes
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone

__all__ = ["DncEntry", "DncImport", "parse_dnc_csv", "dnc_csv", "dnc_words", "day_words"]

_REASON_TITLES = {"reason", "why", "note", "notes", "comment", "comments"}
_DATE_TITLES = {"date", "added", "added_on", "date_added", "since"}


@dataclass(frozen=True)
class DncEntry:
    number: str  # 10 digits
    reason: str  # "reply STOP", "asked by phone"
    added: str  # ISO date "2026-11-29" or date and time (UTC) "2026-11-29T14:02:00+00:00"
    source: str = ""  # how it arrived: "typed in", "imported from dnc.csv", "reply imported ..."


def day_words(added: str) -> str:
    """ "3 Dec" (this year's dates) or "3 Dec 2025"; the text as it is when it is no date."""
    try:
        moment = datetime.fromisoformat(added)
    except ValueError:
        return added
    return f"{moment.day} {moment:%b %Y}"


def dnc_words(reason: str, added: str) -> str:
    """Why a row is left out: "opted out on 3 Dec 2026 by reply STOP", or
    "on the do-not-contact list since 3 Dec 2026 (asked by phone)"."""
    if reason.startswith("reply "):
        return f"opted out on {day_words(added)} by {reason}"
    return f"on the do-not-contact list since {day_words(added)} ({reason or 'no reason given'})"


@dataclass
class DncImport:
    entries: list[DncEntry]
    problems: list[str]


def _iso_date(text: str) -> str | None:
    text = text.strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def parse_dnc_csv(data: bytes, *, today: date) -> DncImport:
    """Entries from a CSV (a column of numbers; optional reason and date columns)."""
    table: Table = read_csv(data)
    header = looks_like_header(table)
    titles = [field_key(c) for c in table.rows[0]] if header else []
    rows = table.rows[1:] if header else table.rows
    number_col = next((i for i, t in enumerate(titles) if t in ("number", "phone", "phone_number",
                                                                  "to", "mobile", "telephone")),
                      None)
    if number_col is None:
        number_col = guess_number_column(rows)
    reason_col = next((i for i, t in enumerate(titles) if t in _REASON_TITLES), None)
    date_col = next((i for i, t in enumerate(titles) if t in _DATE_TITLES), None)
    if header and reason_col is None:
        # Titles in another language ("Raison", "Motivo"): the first other column.
        reason_col = next((i for i in range(table.width) if i not in (number_col, date_col)), None)
    if not header and reason_col is None:
        # No titles: number, reason, date is the order the export writes.
        width = table.width
        reason_col = 1 if width > 1 and number_col == 0 else None
        date_col = 2 if width > 2 and number_col == 0 else None
    result = DncImport(entries=[], problems=[])
    seen: set[str] = set()
    for offset, cells in enumerate(rows, start=2 if header else 1):
        written = cells[number_col] if number_col < len(cells) else ""
        try:
            number = normalize_phone(written, field=f"Row {offset}")
        except InvalidPhoneError as err:
            result.problems.append(str(err))
            continue
        if number in seen:
            continue
        seen.add(number)
        reason = cells[reason_col] if reason_col is not None and reason_col < len(cells) else ""
        added = (_iso_date(cells[date_col]) if date_col is not None and date_col < len(cells)
                 else None) or today.isoformat()
        result.entries.append(DncEntry(number, reason.strip() or "Imported", added, "imported"))
    if not result.entries and not result.problems:
        raise TableError("The file holds no phone numbers.")
    return result


def dnc_csv(entries: Iterable[DncEntry]) -> bytes:
    """UTF-8 with BOM, comma-separated, with titles; every cell formula-safe."""
    return csv_bytes(["number", "reason", "added", "how it arrived"],
                     ([format_phone(e.number), e.reason, e.added, e.source] for e in entries))
