from __future__ import annotations

from datetime import date

import pytest

from console.domain.broadcast.do_not_contact import DncEntry, dnc_csv, parse_dnc_csv
from console.domain.broadcast.table import TableError

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(("data", "entries"), [
    (b"number,reason,added\r\n(845) 123-4567,Asked by phone,2026-01-02\r\n",
     [DncEntry("8451234567", "Asked by phone", "2026-01-02", "imported")]),
    ("Téléphone;Raison\n845 123 4567;Décédé\n".encode("cp1252"),
     [DncEntry("8451234567", "Décédé", "2026-11-29", "imported")]),
    (b"8451234567\n8451234567\n8451234568\n",
     [DncEntry("8451234567", "Imported", "2026-11-29", "imported"),
      DncEntry("8451234568", "Imported", "2026-11-29", "imported")]),
    (b"8451234567,wrong number,not a date\n",
     [DncEntry("8451234567", "wrong number", "2026-11-29", "imported")]),
])
def test_parse(data, entries):
    assert parse_dnc_csv(data, today=TODAY).entries == entries


def test_parse_lists_bad_rows():
    result = parse_dnc_csv(b"phone\n8451234567\nnope\n", today=TODAY)
    assert [e.number for e in result.entries] == ["8451234567"]
    assert result.problems == ["Row 3: 'nope' contains letters. Enter the number with digits only, "
                               "for example (845) 951-1000."]


def test_parse_nothing():
    with pytest.raises(TableError):
        parse_dnc_csv(b"", today=TODAY)


def test_export_round_trip_and_formula_guard():
    entries = [DncEntry("8451234567", "=HYPERLINK(\"x\")", "2026-01-02"),
               DncEntry("8451234568", "Zoë asked", "2026-01-03")]
    data = dnc_csv(entries)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in data.decode("utf-8-sig")
    back = parse_dnc_csv(data, today=TODAY).entries
    assert [(e.number, e.added) for e in back] == [("8451234567", "2026-01-02"),
                                                   ("8451234568", "2026-01-03")]
    assert back[1].reason == "Zoë asked"


def test_the_reason_a_row_is_left_out_in_words():
    from console.domain.broadcast.do_not_contact import dnc_words

    assert dnc_words("reply STOP", "2026-12-03T14:02:00+00:00") == "opted out on 3 Dec 2026 by reply STOP"
    assert dnc_words("asked by phone", "2026-01-02") == (
        "on the do-not-contact list since 2 Jan 2026 (asked by phone)")
