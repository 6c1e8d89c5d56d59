"""The one CSV writer for every file the console writes: cells a spreadsheet would run are defused.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, one that starts with a tab or a carriage return) as a
formula: ``=HYPERLINK("http://evil.example", "Click")`` in a customer's name,
a message text or a reply from Voitex would run on the office computer that
opens the export. Spreadsheets skip leading spaces and invisible characters
(zero-width space, byte-order mark, no-break space) before they look, so the
check looks past them too. Such a cell gets a leading apostrophe, which the
spreadsheet shows as text and does not display.

Every export (broadcast reports, the pre-flight, the do-not-contact list,
History, the Library) writes through `safe_writer` or `csv_bytes`, so no
layer has a check of its own to forget.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = ["safe_cell", "SafeWriter", "safe_writer", "csv_bytes", "FORMULA_STARTS"]

FORMULA_STARTS = frozenset("=+-@\t\r\n")
# Characters a spreadsheet skips before it decides whether a cell is a formula:
# spaces, and characters that take no room on screen.
_SKIPPED = frozenset(" \u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                     "\u2009\u200a\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c"
                     "\u202d\u202e\u202f\u205f\u2060\u2061\u2062\u2063\u2064\u3000\ufeff")
# Look-alikes that some spreadsheet programs read as the ASCII sign (fullwidth forms).
_LOOKALIKES = frozenset("\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\u2212")


def _skipped(ch: str) -> bool:
    return ch in _SKIPPED or unicodedata.category(ch) in ("Cf", "Zs")


def safe_cell(value: object) -> str:
    """`value` as text a spreadsheet shows as it is (numbers and None pass unchanged as text)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    text = str(value)
    for ch in text:
        if ch in FORMULA_STARTS or ch in _LOOKALIKES:
            return "'" + text
        if not _skipped(ch):
            return text
    return text


class _Handle(Protocol):
    def write(self, text: str, /) -> int: ...


class SafeWriter:
    """csv.writer's rows, each cell through safe_cell. Numbers stay numbers."""

    def __init__(self, handle: _Handle) -> None:
        self._writer = csv.writer(handle, lineterminator="\r\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(handle: _Handle) -> SafeWriter:
    """A writer for a text handle opened with newline="" (and utf-8-sig for spreadsheets)."""
    return SafeWriter(handle)


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file: UTF-8 with a byte-order mark (so Excel shows accents right), CRLF lines."""
    out = io.StringIO()
    writer = safe_writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
