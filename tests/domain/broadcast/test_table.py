from __future__ import annotations

import pytest

from console.domain.broadcast.table import TableError, decode, field_key, read_csv, read_pasted, sniff_delimiter


@pytest.mark.parametrize(("data", "text", "encoding"), [
    ("Zoë;Müller".encode(), "Zoë;Müller", "UTF-8"),
    (b"\xef\xbb\xbf" + "Zoë".encode(), "Zoë", "UTF-8 (with BOM)"),
    ("Zoë;Müller;€".encode("cp1252"), "Zoë;Müller;€", "Windows-1252 (Western European)"),
    ("Zoë\tA".encode("utf-16"), "Zoë\tA", "UTF-16"),
    (b"caf\xe9\x81", "caf\xe9\x81", "Latin-1"),  # 0x81 is undefined in Windows-1252
])
def test_decode(data, text, encoding):
    assert decode(data) == (text, encoding)


@pytest.mark.parametrize(("text", "delimiter"), [
    ("name,phone\nAnn,8451234567\n", ","),
    ("name;phone;amount\nAnn;8451234567;3,50\nBob;8451234568;4,00\n", ";"),
    ("name\tphone\nAnn\t(845) 123-4567\n", "\t"),
    ("name|phone\nAnn|8451234567\n", "|"),
    ('"Smith, Ann";8451234567\n"Jones, Bob";8451234568\n', ";"),
    ("8451234567\n8451234568\n", ","),  # one column: any delimiter will do
])
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_read_csv_drops_blank_rows_and_trims():
    table = read_csv(b"name ; phone\r\n\r\n Ann ; 8451234567 \r\n;;\r\n")
    assert table.rows == [["name", "phone"], ["Ann", "8451234567"]]
    assert table.delimiter == ";"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"\r\n  \r\n,,\r\n", "empty"),
    (b"PK\x03\x04\x00\x00binary", "binary"),
])
def test_read_csv_refuses(data, words):
    with pytest.raises(TableError, match=words):
        read_csv(data)


def test_read_pasted_cells_with_tabs():
    table = read_pasted("First name\tPhone\nZoë\t845-123-4567\nÉric\t(845) 123-4568\n")
    assert table.rows[2] == ["Éric", "(845) 123-4568"]
    assert table.encoding == "pasted"


def test_read_pasted_nothing():
    with pytest.raises(TableError, match="Nothing was pasted"):
        read_pasted("  \n")


@pytest.mark.parametrize(("title", "key"), [
    ("First name", "first_name"), ("Prénom", "prenom"), ("E-mail address", "e_mail_address"),
    ("  Date  ", "date"), ("2nd line", "column_2nd_line"), ("!!!", ""),
])
def test_field_key(title, key):
    assert field_key(title) == key


def _workbook(rows, *, sheets=1) -> bytes:
    import datetime as dt
    import io as _io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Clients"
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"Other {n}").append(["ignored"])
    out = _io.BytesIO()
    book.save(out)
    assert dt  # dates are written by the callers
    return out.getvalue()


def test_read_xlsx_first_sheet_as_shown():
    import datetime as dt

    from console.domain.broadcast.table import read_file_bytes

    data = _workbook([["Prénom", "Phone", "Date", "Time"],
                      ["Zoë", 2125550001, dt.date(2026, 12, 1), dt.time(9, 30)],
                      [None, None, None, None],
                      ["René", "(212) 555-0002", dt.datetime(2026, 12, 2, 0, 0), None]], sheets=2)
    table = read_file_bytes(data)
    assert table.rows == [["Prénom", "Phone", "Date", "Time"],
                          ["Zoë", "2125550001", "2026-12-01", "09:30"],
                          ["René", "(212) 555-0002", "2026-12-02", ""]]
    assert table.encoding == "Excel workbook, sheet 'Clients'"
    assert table.notes == ["Only the first sheet ('Clients') was read."]


@pytest.mark.parametrize(("data", "words"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel workbook"),
    (b"PK\x03\x04 not really a zip", "could not be read"),
])
def test_read_file_bytes_refuses_workbooks_it_cannot_read(data, words):
    from console.domain.broadcast.table import read_file_bytes

    with pytest.raises(TableError, match=words):
        read_file_bytes(data)
