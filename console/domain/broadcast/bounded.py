"""The bounds a list file is read within, so a hostile or broken file is refused, not obeyed.

A spreadsheet is a zip archive: a few kilobytes can unpack to gigabytes (a
"zip bomb"). Its members' sizes are checked from the archive's directory
before anything is unpacked, and Python's zip reader never unpacks more than
a member declares, so the declared sizes bound what is read. A CSV file's size
is checked before it is read; rows are counted and cells measured while they
are parsed, and reading stops at the first one past its bound. Each refusal
names the limit and what to do, never a bare MemoryError.
"""
from __future__ import annotations

import zipfile
from collections.abc import Sequence

__all__ = ["MAX_FILE_BYTES", "MAX_ROWS", "MAX_CELL_CHARS", "MAX_UNPACKED_BYTES", "MAX_MEMBER_BYTES",
           "MAX_SHARED_STRINGS_BYTES", "MAX_RATIO", "ListTooBig", "check_rows", "check_cells",
           "check_workbook", "size_words"]

MAX_FILE_BYTES = 64 * 1024 * 1024  # a CSV or workbook file on disk
MAX_ROWS = 100_000  # rows of customers (the titles row is extra)
MAX_CELL_CHARS = 5_000  # one cell: a message is at most 1,600 characters
MAX_UNPACKED_BYTES = 160 * 1024 * 1024  # a workbook's members, all together, unpacked
MAX_MEMBER_BYTES = 96 * 1024 * 1024  # one member (a sheet), unpacked
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024  # read whole by the workbook reader
MAX_RATIO = 150  # unpacked / packed for a member over a few megabytes: real sheets pack 5-30x
_RATIO_FROM = 4 * 1024 * 1024
_MAX_MEMBERS = 5_000


class ListTooBig(ValueError):
    """Past one of the bounds above; the message names it. A TableError subclass uses it."""


def size_words(size: int) -> str:
    if size >= 1024 ** 3:
        return f"{size / 1024 ** 3:.1f} GB"
    if size >= 1024 ** 2:
        return f"{size / 1024 ** 2:.0f} MB"
    return f"{max(1, size // 1024)} KB"


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ListTooBig(f"the file is {size_words(size)}; a list file may be at most "
                         f"{size_words(MAX_FILE_BYTES)} (about {MAX_ROWS:,} rows). Split it into "
                         "smaller files.")


def check_rows(count: int, *, titles: int = 1) -> None:
    """Refuses once more than MAX_ROWS rows (and a titles row) were read."""
    if count > MAX_ROWS + titles:
        raise ListTooBig(f"it has more than {MAX_ROWS:,} rows; a broadcast takes at most "
                         f"{MAX_ROWS:,}. Split it into smaller files.")


def check_cells(cells: Sequence[str], row: int) -> None:
    for column, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise ListTooBig(f"row {row:,}, column {column} holds {len(cell):,} characters; a cell "
                             f"may hold at most {MAX_CELL_CHARS:,}. Check that the file is the "
                             "list of customers.")


def check_workbook(archive: zipfile.ZipFile) -> None:
    """Refuses a workbook that would unpack past the bounds, before anything is unpacked."""
    members = archive.infolist()
    if len(members) > _MAX_MEMBERS:
        raise ListTooBig(f"the workbook holds {len(members):,} parts; a workbook may hold at most "
                         f"{_MAX_MEMBERS:,}. Save it again in Excel, or save it as CSV.")
    total = 0
    for info in members:
        size = info.file_size
        total += size
        name = info.filename
        limit = MAX_SHARED_STRINGS_BYTES if name.lower().endswith("sharedstrings.xml") else MAX_MEMBER_BYTES
        if size > limit:
            raise ListTooBig(f"its part {name} would unpack to {size_words(size)}; a part may unpack "
                             f"to at most {size_words(limit)}. It may be damaged or built to harm: "
                             "open it in Excel and save it as CSV, then open that file.")
        if size > _RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            raise ListTooBig(f"its part {name} would unpack {size // max(info.compress_size, 1):,} "
                             f"times larger than it is ({size_words(size)}); real workbooks pack at "
                             f"most about {MAX_RATIO} times. It may be built to harm: open it in "
                             "Excel and save it as CSV, then open that file.")
    if total > MAX_UNPACKED_BYTES:
        raise ListTooBig(f"the workbook would unpack to {size_words(total)}; a list may unpack to at "
                         f"most {size_words(MAX_UNPACKED_BYTES)}. Split it into smaller files, or "
                         "save it as CSV.")
