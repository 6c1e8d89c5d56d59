from __future__ import annotations

import pytest

from console.domain.broadcast.preview import TOO_LONG, build_preview, charset_words
from console.domain.broadcast.recipients import Recipient


def _r(row, number, **values):
    return Recipient(row=row, number=number, values=values)


@pytest.mark.parametrize(("name", "text", "encoding", "segments"), [
    ("Ann", "Hi Ann, the office is closed tomorrow.", "GSM-7", 1),
    ("René", "Hi René, the office is closed tomorrow.", "GSM-7", 1),  # é is in GSM-7
    ("Zoë", "Hi Zoë, the office is closed tomorrow.", "UCS-2", 1),  # ë is not
    ("Łukasz", "Hi Łukasz, the office is closed tomorrow.", "UCS-2", 1),
    ("A" * 130, "Hi " + "A" * 130 + ", the office is closed tomorrow.", "GSM-7", 2),
    ("Ł" + "a" * 40, "Hi Ł" + "a" * 40 + ", the office is closed tomorrow.", "UCS-2", 2),
])
def test_preview_per_row(name, text, encoding, segments):
    preview = build_preview([_r(2, "8451234567", first_name=name)],
                            "Hi {first_name}, the office is closed tomorrow.")
    row = preview.rows[0]
    assert (row.text, row.encoding, row.segments) == (text, encoding, segments)
    assert row.charset == charset_words(encoding)


def test_totals_and_special_rows():
    preview = build_preview([_r(2, "8451234567", n="Ann"), _r(3, "8451234568", n="Łukasz"),
                             _r(4, "8451234569", n="B" * 200)], "{n}")
    assert [r.segments for r in preview.rows] == [1, 1, 2]
    assert preview.total_segments == 4
    assert preview.special_rows == 1


def test_a_row_whose_message_is_too_long_is_a_problem():
    preview = build_preview([_r(2, "8451234567", n="x" * 2000), _r(3, "8451234568", n="ok")], "{n}")
    assert [r.recipient.row for r in preview.rows] == [3]
    assert [(p.row, p.kind) for p in preview.problems] == [(2, TOO_LONG)]
    assert "too long at 2,000 of 1,600 characters" in preview.problems[0].reason


def test_calls_cost_no_segments():
    preview = build_preview([_r(2, "8451234567")], "Play library file 918357", sms=False)
    assert (preview.rows[0].text, preview.total_segments) == ("Play library file 918357", 0)


@pytest.mark.parametrize(("encoding", "words"), [("GSM-7", "160 letters per text"),
                                                 ("UCS-2", "70 letters per text")])
def test_charset_words(encoding, words):
    assert charset_words(encoding) == words
