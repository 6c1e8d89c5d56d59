"""One CSV writer for every export: cells a spreadsheet would run as formulas are defused."""
from __future__ import annotations

import csv
import io

import pytest

from console.domain.csv_safe import csv_bytes, safe_cell


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://x\",\"y\")", "+1 845", "-2+3", "@SUM(A1)", "\tcmd", "\r=1",
    "  =1+1", "\u200b=1", "\ufeff=1", "\u00a0@x", " \u2060 +x", "\uff1d1+1",
])
def test_formula_cells_get_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Zoë", "(845) 123-4567", "a=b", "", "  plain", "100%", "2026-12-07"])
def test_plain_cells_pass(value):
    assert safe_cell(value) == value


def test_numbers_stay_numbers():
    assert [safe_cell(v) for v in (3, -2, 1.5, None, True)] == ["3", "-2", "1.5", "", "True"]


def test_csv_bytes_has_a_bom_and_safe_cells():
    data = csv_bytes(["name", "reply"], [["=cmd|' /C calc'!A0", "@x"], ["Ann", "ok"]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "reply"], ["'=cmd|' /C calc'!A0", "'@x"], ["Ann", "ok"]]
