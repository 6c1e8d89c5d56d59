"""The queue's pure rules, by tables: no Qt, no threads, no files."""
from __future__ import annotations

import pytest

from console.jobs.uploads.rules import (
    RowFacts,
    display_name,
    duplicate_of,
    find_problems,
    number_from_name,
    smooth_eta,
)
from console.jobs.uploads.status import Status

# One letter per status keeps the tables readable.
Q, D, F, C, R, U, S, I, UN = (  # noqa: E741
    Status.QUEUED, Status.DONE, Status.FAILED, Status.CANCELLED, Status.REJECTED, Status.UPLOADING,
    Status.SENT, Status.INSPECTING, Status.UNSURE)


@pytest.mark.parametrize("name, sort, problem", [
    ("05 Welcome.wav", 5, None),
    ("0 Intro.wav", 0, None),
    ("99999 Last.wav", 99999, None),
    ("100000 Over.wav", None, "Its name starts with 100000, above the 99,999 maximum"),
    ("99999999 big.wav", None, "Its name starts with 99999999, above the 99,999 maximum"),
    ("1234567890123456789012 huge.wav", None, "above the 99,999 maximum"),
    ("2023-07-20 message.wav", None, "Its name starts with a date"),
    ("2023_07_20 message.wav", None, "starts with a date"),
    ("20.07.2023 message.wav", None, "starts with a date"),
    ("Goodbye.wav", None, "does not start with one"),
    ("05-Welcome.wav", 5, None),
])
def test_number_from_name(name, sort, problem):
    result = number_from_name(name)
    assert result.sort == sort
    if problem is None:
        assert result.problem is None
    else:
        assert problem in result.problem and "Sort column" in result.problem


@pytest.mark.parametrize("stem, shown", [
    ("05 Main menu", "Main menu"),
    ("05-Main menu", "Main menu"),
    ("05_Main menu", "Main menu"),
    ("05. Main menu", "Main menu"),
    ("  12   Hours ", "Hours"),
    ("05", "05"),  # only a number: keep it
    ("Main menu", "Main menu"),
    ("2023-07-20 message", "2023-07-20 message"),  # a date belongs to the name
    ("3rd floor", "3rd floor"),  # not a number prefix
])
def test_display_name(stem, shown):
    assert display_name(stem) == shown


def row(id, status=Q, album=1, sort=None, path=None, content=None, name=None, name_problem=None):
    return RowFacts(id=id, name=name or f"f{id}.wav", status=status, album=album, sort=sort,
                    path_key=path or f"/p/{id}", content_key=content, name_problem=name_problem)


@pytest.mark.parametrize("rows, expected", [
    # Same path twice: the later one repeats row 1 (number 0).
    ([row(1, path="/a"), row(2, path="/a")], {2: (0, True)}),
    # Same content under another name.
    ([row(1, content=(10, "x")), row(2, content=(10, "x"))], {2: (0, False)}),
    # Same hash, different size: not the same.
    ([row(1, content=(10, "x")), row(2, content=(11, "x"))], {}),
    # A rejected or cancelled row holds no place.
    ([row(1, R, path="/a"), row(2, path="/a")], {}),
    ([row(1, C, path="/a"), row(2, path="/a")], {}),
    # Still being read counts: the second drop of a file being read is a repeat.
    ([row(1, I, path="/a"), row(2, I, path="/a")], {2: (0, True)}),
    # Already uploaded counts too.
    ([row(1, D, content=(5, "h")), row(2, content=(5, "h"))], {2: (0, False)}),
    ([row(1, path="/a"), row(2, path="/a"), row(3, path="/a")], {2: (0, True), 3: (0, True)}),
])
def test_duplicate_of(rows, expected):
    assert duplicate_of(rows) == expected


@pytest.mark.parametrize("rows, expected", [
    ([row(1, sort=1), row(2, sort=2)], {}),
    ([row(1, sort=None)], {1: "Needs a sort number"}),
    ([row(1, sort=None, name_problem="Its name starts with a date, not a sort number.")],
     {1: "Its name starts with a date"}),
    ([row(1, album=None, sort=3)], {1: "Needs an album number."}),
    ([row(1, sort=5, name="a.wav"), row(2, sort=5, name="b.wav")],
     {1: "Album 1 / sort 5 is also used by “b.wav”", 2: "is also used by “a.wav”"}),
    # A done row keeps its place but is not flagged itself.
    ([row(1, D, sort=5, name="a.wav"), row(2, sort=5)],
     {2: "Album 1 / sort 5 was already uploaded from “a.wav”"}),
    # Rows on the wire or unsure hold their pair, but are not flagged (nothing to fix there).
    ([row(1, S, sort=5), row(2, UN, sort=6), row(3, sort=5), row(4, sort=6)],
     {3: "is also used by", 4: "is also used by"}),
    # A repeat says so and names the other row; its own missing number is not the point.
    ([row(1, sort=1, name="a.wav", path="/a"), row(2, sort=None, path="/a")],
     {2: "Repeat: the same file is already in the queue as “a.wav” (row 1)"}),
    ([row(1, D, sort=1, name="a.wav", content=(1, "h")), row(2, sort=2, content=(1, "h"))],
     {2: "Repeat: a file with the same content was already uploaded as “a.wav” (row 1)"}),
    # A repeat does not make its original clash on album and sort.
    ([row(1, sort=4, path="/a"), row(2, sort=4, path="/a")], {2: "Repeat"}),
    ([row(1, R, sort=None), row(2, C, sort=None)], {}),
])
def test_find_problems(rows, expected):
    problems = find_problems(rows)
    assert set(problems) == set(expected)
    for row_id, text in expected.items():
        assert text in problems[row_id]


@pytest.mark.parametrize("status, cancel, retry, remove, edit", [
    (I, True, False, True, True),
    (Q, True, False, True, True),
    (U, True, False, False, False),
    (S, False, False, False, False),
    (D, False, False, True, False),
    (F, True, True, True, True),
    (C, False, True, True, True),
    (UN, False, True, True, False),
    (R, False, False, True, False),
])
def test_status_knows_what_can_be_done(status, cancel, retry, remove, edit):
    assert (status.can_cancel, status.can_retry, status.can_remove, status.can_edit) == (
        cancel, retry, remove, edit)


@pytest.mark.parametrize("previous, raw, elapsed, expected", [
    (None, None, 0, None),
    (None, 120.0, 0, 120.0),
    (100.0, None, 1, None),
    # Counting down with the clock when the raw estimate agrees.
    (100.0, 90.0, 10, 90.0),
    # "Sooner" is taken quickly: near the end the figure drops fast.
    (180.0, 4.0, 1, 91.5),
    # "Later" is taken slowly: one slow reply does not make the figure jump.
    (60.0, 300.0, 0, 96.0),
])
def test_smooth_eta(previous, raw, elapsed, expected):
    assert smooth_eta(previous, raw, elapsed) == pytest.approx(expected) if expected is not None \
        else smooth_eta(previous, raw, elapsed) is None


def test_smoothed_eta_reaches_less_than_a_minute_before_the_end():
    """The issue's case: "about 3 min left" seconds before the end."""
    shown = 180.0
    for _ in range(5):  # five ticks of a second, the raw estimate saying 4 s
        shown = smooth_eta(shown, 4.0, 1.0)
    assert shown < 60
