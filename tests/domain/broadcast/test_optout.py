"""Opt-out replies: keywords opt out at once; plain-words revocations wait for a person."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.broadcast.optout import IGNORED, OPT_OUT, TO_CONFIRM, classify_reply, read_replies
from console.domain.broadcast.table import read_csv, read_pasted

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("text", "keyword"), [
    ("STOP", "STOP"), ("stop", "STOP"), ("Stop.", "STOP"), ("STOP please", "STOP"),
    ("stopall", "STOPALL"), ("Unsubscribe", "UNSUBSCRIBE"), ("END", "END"), ("quit", "QUIT"),
    ("Cancel", "CANCEL"), ("REVOKE", "REVOKE"), ("optout", "OPTOUT"), ("Opt-out", "OPTOUT"),
    ("opt out", "OPTOUT"), ("  STOP!!  ", "STOP"),
])
def test_keywords_opt_out(text, keyword):
    assert classify_reply(text) == (OPT_OUT, keyword)


@pytest.mark.parametrize("text", [
    "please stop texting me", "Please don't text me again", "take me off your list",
    "remove my number", "no more messages", "I want to unsubscribe", "wrong number",
    "Do not contact me",
])
def test_plain_words_are_flagged_for_a_person(text):
    assert classify_reply(text) == (TO_CONFIRM, "")


@pytest.mark.parametrize("text", ["Thanks, see you Tuesday", "Yes", "", "Can I come at 3?",
                                  "Who is this?"])
def test_other_replies_are_left_alone(text):
    assert classify_reply(text)[0] == IGNORED


def test_a_csv_of_replies_with_titles():
    table = read_csv(b"From,Message,Received\n(212) 555-0001,STOP,2026-12-03 14:02\n"
                     b"212-555-0002,please stop texting me,12/03/2026 2:05 PM\n"
                     b"2125550003,see you then,\nnope,STOP,2026-12-03\n")
    found = read_replies(table, zone=NY, now=NOW)
    assert [(r.number, r.verdict, r.keyword) for r in found.replies] == [
        ("2125550001", OPT_OUT, "STOP"), ("2125550002", TO_CONFIRM, ""), ("2125550003", IGNORED, "")]
    assert found.replies[0].received == datetime(2026, 12, 3, 19, 2, tzinfo=UTC)
    assert found.replies[1].received == datetime(2026, 12, 3, 19, 5, tzinfo=UTC)
    assert found.replies[2].received == NOW
    assert found.problems[0].startswith("Line 5: 'nope' contains letters")


def test_pasted_lines_without_titles():
    table = read_pasted("2125550001\tSTOP\t2026-12-03T14:02:00-05:00\n2125550002\tEnd\t2026-12-03 9:00\n")
    found = read_replies(table, zone=NY, now=NOW)
    assert [(r.number, r.keyword) for r in found.replies] == [("2125550001", "STOP"),
                                                             ("2125550002", "END")]


def test_a_time_that_is_not_one_is_a_problem():
    found = read_replies(read_csv(b"number,text,time\n2125550001,STOP,yesterday\n"), zone=NY, now=NOW)
    assert found.replies == []
    assert "'yesterday' is not a date and time" in found.problems[0]
