"""The do-not-contact list as CSV: what an import reads and what an export writes."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from console.domain.broadcast.recipients import guess_number_column, looks_like_header
from console.domain.broadcast.table import Table, TableError, field_key, read_csv
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone

__all__ = ["DncEntry", "DncImport", "parse_dnc_csv", "dnc_csv"]

_REASON_TITLES = {"reason", "why", "note", "notes", "comment", "comments"}
_DATE_TITLES = {"date", "added", "added_on", "date_added", "since"}


@dataclass(frozen=True)
class DncEntry:
    number: str  # 10 digits
    reason: str
    added: str  # ISO date, "2026-11-29"


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
        result.entries.append(DncEntry(number, reason.strip() or "Imported", added))
    if not result.entries and not result.problems:
        raise TableError("The file holds no phone numbers.")
    return result


def _cell(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def dnc_csv(entries: Iterable[DncEntry]) -> bytes:
    """UTF-8 with BOM (so Excel shows accents right), comma-separated, with titles."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["number", "reason", "added"])
    for entry in entries:
        writer.writerow([format_phone(entry.number), _cell(entry.reason), entry.added])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
