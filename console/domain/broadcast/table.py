"""A spreadsheet's cells from CSV bytes or from cells pasted out of a spreadsheet.

Spreadsheets write CSV in many shapes: a comma or (in most of Europe, where the
comma is the decimal mark) a semicolon, a tab for "text" exports, UTF-8 with or
without a byte-order mark, or the program's own code page (Windows-1252). The
reader guesses each of these and says what it guessed, so the tab can show it.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from console.domain.broadcast.bounded import (
    MAX_CELL_CHARS,
    MAX_ROWS,
    ListTooBig,
    check_cells,
    check_file_size,
    check_rows,
    check_workbook,
)

__all__ = ["Table", "TableError", "decode", "sniff_delimiter", "read_csv", "read_pasted",
           "read_xlsx", "read_file_bytes", "read_list_file", "field_key", "DELIMITER_NAMES",
           "MAX_ROWS"]

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_SNIFF_LINES = 50
_SNIFF_CHARS = 256 * 1024  # the first lines, however long a line is


class TableError(ValueError):
    """The file or the pasted text cannot be read as a table; the message says why."""


@dataclass
class Table:
    """Rows of cells as read; `encoding` and `delimiter` say how the bytes were read."""

    rows: list[list[str]]
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (with BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export.
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (Western European)"
    except UnicodeDecodeError:
        # Five bytes are undefined in Windows-1252; Latin-1 reads every byte.
        return data.decode("latin-1"), "Latin-1"


def _parse(text: str, delimiter: str, limit: int | None = None, *,
           bounded: bool = True) -> list[list[str]]:
    """Rows of cells; with `bounded`, TableError past MAX_ROWS rows or MAX_CELL_CHARS in a cell."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', skipinitialspace=False)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if bounded:
                check_cells(row, reader.line_num)
                if any(row):
                    check_rows(len(rows) + 1)
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    except ListTooBig as err:
        raise TableError(f"It cannot be read: {err}") from None
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            raise TableError(f"It cannot be read: a cell near line {reader.line_num:,} is longer than "
                             f"{MAX_CELL_CHARS:,} characters, the most a cell may hold. Check "
                             "that the file is the list of customers.") from None
        raise TableError(f"The file could not be read as a table ({err}).") from err
    return rows


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of cells most often."""
    best, best_score = ",", (-1, 0, 0)
    sample = "\n".join(text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES])
    for candidate in DELIMITERS:
        try:
            rows = [r for r in _parse(sample, candidate, bounded=False) if any(c.strip() for c in r)]
        except TableError:
            continue
        if not rows:
            continue
        widths = [len(r) for r in rows]
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        # Most rows of the same width first, then more columns; ties keep
        # DELIMITERS' order, so a comma wins over a semicolon only when better.
        score = (widths.count(common), common, -DELIMITERS.index(candidate))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _clean_rows(rows: list[list[str]]) -> list[list[str]]:
    # Stripped in place: a second list of 100,000 rows, freed at once, held the
    # interpreter for some 10 ms while it went (bench/preflight.py).
    for row in rows:
        row[:] = [c.strip() for c in row]
    # Blank lines and rows of empty cells (a spreadsheet's trailing ";;;") carry nothing.
    return [row for row in rows if any(row)]


def read_csv(data: bytes, *, delimiter: str | None = None) -> Table:
    """A table from a CSV file's bytes. Raises TableError when nothing usable is in it."""
    try:
        check_file_size(len(data))
    except ListTooBig as err:
        raise TableError(f"It cannot be read: {err}") from None
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("This file is not a CSV text file (it holds binary data). "
                         "In the spreadsheet, use File > Save as > CSV, then open that file.")
    text, encoding = decode(data)
    delimiter = delimiter or sniff_delimiter(text)
    rows = _clean_rows(_parse(text, delimiter))
    if not rows:
        raise TableError("The file is empty: it holds no rows. Open another file.")
    return Table(rows=rows, encoding=encoding, delimiter=delimiter)


_ZIP = b"PK\x03\x04"
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"


def _cell_text(value: object) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # A number column (phone numbers typed as numbers) comes back as 2125550001.0.
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def read_xlsx(data: bytes | BinaryIO) -> Table:
    """A table from the first sheet of an Excel workbook (.xlsx), values as shown.

    The archive's declared sizes are checked first (bounded.check_workbook);
    rows and cells are bounded while the sheet streams."""
    import io as _io
    import zipfile

    handle: BinaryIO = _io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        with zipfile.ZipFile(handle) as archive:
            check_workbook(archive)
    except ListTooBig as err:
        raise TableError(f"It cannot be read: {err}") from None
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise TableError(f"This workbook could not be read ({err}). In Excel, use File > Save as "
                         "> CSV, then open that file.") from err
    handle.seek(0)

    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a dependency, listed in pyproject.toml
        raise TableError("Excel workbooks cannot be read here. In Excel, use File > Save as > "
                         "CSV, then open that file.") from None
    import warnings

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; the values are what count.
            warnings.simplefilter("ignore")
            book = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise TableError(f"This workbook could not be read ({err}). In Excel, use File > Save as "
                         "> CSV, then open that file.") from err
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise TableError("The workbook has no sheets.")
        rows: list[list[str]] = []
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                check_cells(cells, number)
                if any(cells):
                    check_rows(len(rows) + 1)
                rows.append(cells)
        except ListTooBig as err:
            raise TableError(f"It cannot be read: {err}") from None
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
            raise TableError(f"This workbook could not be read ({err}). In Excel, use File > "
                             "Save as > CSV, then open that file.") from err
        title = sheet.title
        sheets = len(book.worksheets)
    finally:
        book.close()
    rows = _clean_rows(rows)
    if not rows:
        raise TableError(f"The sheet '{title}' is empty. Put the recipients on the first sheet.")
    notes = [f"Only the first sheet ('{title}') was read."] if sheets > 1 else []
    return Table(rows=rows, encoding=f"Excel workbook, sheet '{title}'", delimiter="", notes=notes)


def read_file_bytes(data: bytes) -> Table:
    """A CSV or text file, or an Excel workbook (.xlsx), told apart by their content."""
    return read_list_file(io.BytesIO(data))


def read_list_file(handle: BinaryIO) -> Table:
    """A list file from a seekable binary handle, read within the bounds of bounded.py:
    its size is checked before anything else is read."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    try:
        check_file_size(size)
    except ListTooBig as err:
        raise TableError(f"It cannot be read: {err}") from None
    start = handle.read(8)
    handle.seek(0)
    if start.startswith(_ZIP):
        return read_xlsx(handle)
    if start.startswith(_OLD_EXCEL):
        raise TableError("This is an old Excel workbook (.xls). In Excel, use File > Save as and "
                         "choose Excel Workbook (.xlsx) or CSV, then open that file.")
    return read_csv(handle.read())


def read_pasted(text: str) -> Table:
    """A table from cells copied in a spreadsheet (tab-separated lines)."""
    if not text.strip():
        raise TableError("Nothing was pasted. Copy the cells in the spreadsheet first, then paste.")
    delimiter = "\t" if "\t" in text[:_SNIFF_CHARS] else sniff_delimiter(text)
    rows = _clean_rows(_parse(text, delimiter))
    return Table(rows=rows, encoding="pasted", delimiter=delimiter)


_NOT_KEY = re.compile(r"[^0-9a-z]+")


def field_key(name: str) -> str:
    """A column title as a merge-field name: "First name" -> "first_name", "Prénom" -> "prenom"."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = _NOT_KEY.sub("_", ascii_text.lower()).strip("_")
    if key and key[0].isdigit():
        key = "column_" + key
    return key
