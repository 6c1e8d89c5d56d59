"""Hostile list files: a zip bomb, millions of rows, giant cells, a huge file. Each gets a clear
refusal naming the limit, quickly and within a bounded amount of memory."""
from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from console.domain.broadcast.bounded import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS
from console.domain.broadcast.table import TableError, read_list_file

REPO = Path(__file__).resolve().parents[3]


def small_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "Phone"])
    book.active.append(["Ann", "2125550001"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_member(workbook: bytes, name: str, write) -> bytes:
    """`workbook` with member `name` replaced by what `write(handle)` streams into it."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        with target.open(name, "w", force_zip64=True) as handle:
            write(handle)
    return out.getvalue()


def declare_size(workbook: bytes, name: str, size: int) -> bytes:
    """The archive's directory claims `name` unpacks to `size` bytes (what a bomb declares)."""
    data = bytearray(workbook)
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        assert position >= 0, name
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, position + 24, size)
            return bytes(data)
        position += 4


def bomb(handle) -> None:
    handle.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                 b'spreadsheetml/2006/main"><sheetData>')
    row = b'<row><c t="inlineStr"><is><t>2125550001</t></is></c></row>' * 20000
    for _ in range(170):  # about 200 MB unpacked, well under 1 MB packed
        handle.write(row)
    handle.write(b"</sheetData></worksheet>")


def read(data: bytes):
    return read_list_file(io.BytesIO(data))


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_before_unpacking():
    data = with_member(small_workbook(), "xl/worksheets/sheet1.xml", bomb)
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(TableError, match=r"xl/worksheets/sheet1.xml would unpack to 1\d\d MB; a part "
                                         r"may unpack to at most 96 MB"):
        read(data)


def test_a_workbook_that_declares_gigabytes_is_refused():
    data = declare_size(small_workbook(), "xl/worksheets/sheet1.xml", 3 * 1024 ** 3)
    with pytest.raises(TableError, match=r"would unpack to 3.0 GB"):
        read(data)


def test_a_workbook_packed_far_tighter_than_real_ones_is_refused():
    def dense(handle):
        handle.write(b"<x>" + b"0" * (40 * 1024 * 1024) + b"</x>")

    data = with_member(small_workbook(), "xl/worksheets/sheet1.xml", dense)
    with pytest.raises(TableError, match=r"times larger than it is"):
        read(data)


def test_a_giant_shared_strings_part_is_refused():
    def strings(handle):
        handle.write(b"<sst>" + b"<si><t>abcdefghij</t></si>" * 1_600_000 + b"</sst>")

    data = with_member(small_workbook(), "xl/sharedStrings.xml", strings)
    with pytest.raises(TableError, match=r"sharedStrings.xml would unpack to \d+ MB; a part may "
                                         r"unpack to at most 32 MB"):
        read(data)


def test_a_workbook_cell_past_the_limit_is_refused_with_its_place():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "Phone"])
    book.active.append(["x" * (MAX_CELL_CHARS + 1), "2125550001"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(TableError, match=r"row 2, column 1 holds 5,001 characters; a cell may hold "
                                         r"at most 5,000"):
        read(out.getvalue())


def test_millions_of_csv_rows_are_refused_at_the_limit():
    data = b"phone\n" + b"2125550001\n" * 2_000_000
    with pytest.raises(TableError, match=rf"more than {MAX_ROWS:,} rows; a broadcast takes at most"):
        read(data)


def test_the_limit_itself_is_accepted():
    data = b"phone\n" + b"2125550001\n" * MAX_ROWS
    assert len(read(data).rows) == MAX_ROWS + 1


@pytest.mark.parametrize(("data", "words"), [
    (b"name,phone\n" + b"x" * 1_000_000 + b",2125550001\n", "a cell near line 2 is longer than 5,000"),
    (b'name,phone\n"' + b"x" * 300_000 + b'",2125550001\n', "a cell near line"),
    (b"name,phone\nAnn," + b"y" * 6000 + b"\n", "row 2, column 2 holds 6,000 characters"),
])
def test_giant_csv_cells_are_refused(data, words):
    with pytest.raises(TableError, match=words):
        read(data)


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written or read
    with open(path, "rb") as handle, pytest.raises(TableError, match=r"the file is 64 MB; a list file "
                                                                      r"may be at most 64 MB"):
        read_list_file(handle)


CHILD = r"""
import io, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from tests.domain.broadcast import test_bounded as t
from console.domain.broadcast.table import TableError, read_list_file
files = {
    "bomb": t.with_member(t.small_workbook(), "xl/worksheets/sheet1.xml", t.bomb),
    "rows": b"phone\n" + b"2125550001\n" * 3_000_000,
    "cell": b"name,phone\n" + b"x" * 30_000_000 + b",2125550001\n",
}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = {}
for name, data in files.items():
    start = time.monotonic()
    try:
        read_list_file(io.BytesIO(data))
        report[name] = "read"
    except TableError as err:
        report[name] = [str(err), time.monotonic() - start]
report["growth_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps(report))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
def test_hostile_files_stay_within_memory_and_time():
    found = subprocess.run([sys.executable, "-c", CHILD, str(REPO)], capture_output=True, text=True,
                           check=True, timeout=120)
    report = json.loads(found.stdout)
    for name in ("bomb", "rows", "cell"):
        words, seconds = report[name]
        assert "It cannot be read" in words, name
        assert seconds < 30, (name, seconds)  # generous: a bound, not a speed target
    assert report["growth_mib"] < 300, report
