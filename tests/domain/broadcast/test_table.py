from __future__ import annotations

import pytest

from console.domain.broadcast.table import TableError, decode, field_key, read_csv, read_pasted, sniff_delimiter


@pytest.mark.parametrize(("data", "text", "encoding"), [
    ("Zoë;Müller".encode("utf-8"), "Zoë;Müller", "UTF-8"),
    (b"\xef\xbb\xbf" + "Zoë".encode("utf-8"), "Zoë", "UTF-8 (with BOM)"),
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
