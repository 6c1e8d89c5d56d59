"""The shared words equal the strings already stored in history files and
broadcast tables: renaming a member's value would orphan every stored row."""
from __future__ import annotations

import json
import sqlite3

import pytest

from console.domain.vocabulary import EntryKind, MessageLevel, Outcome, RowState, RunState


@pytest.mark.parametrize(
    ("enum", "stored"),
    [
        (EntryKind, ["sms", "call", "tts", "upload"]),
        (Outcome, ["pending", "done", "failed", "unknown"]),
        (RowState, ["queued", "waiting", "sending", "sent", "failed", "unknown", "skipped",
                    "cancelled"]),
        (RunState, ["scheduled", "running", "paused", "interrupted", "cancelled", "finished"]),
        (MessageLevel, ["info", "warning", "error"]),
    ],
)
def test_members_are_the_stored_strings(enum, stored):
    assert [member.value for member in enum] == stored
    for member, text in zip(enum, stored, strict=True):
        assert member == text and str(member) == text and f"{member}" == text
        assert enum(text) is member


def test_a_member_is_written_as_its_plain_string():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (outcome TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (Outcome.UNKNOWN,))
    assert db.execute("SELECT outcome, typeof(outcome) FROM t").fetchone() == ("unknown", "text")
    assert json.dumps({"state": RowState.SENDING}) == '{"state": "sending"}'


def test_only_pending_is_not_final():
    assert [o for o in Outcome if not o.is_final] == [Outcome.PENDING]


def test_open_rows_are_those_still_to_send():
    assert [s for s in RowState if s.is_open] == [RowState.QUEUED, RowState.WAITING]


def test_the_store_tables_follow_the_vocabulary():
    from console.store.broadcasts import OPEN_ROW_STATES, ROW_STATES, RUN_STATES
    from console.store.journal import FINAL_OUTCOMES, KINDS, OUTCOMES

    assert KINDS == ("sms", "call", "tts", "upload")
    assert OUTCOMES == ("pending", "done", "failed", "unknown")
    assert FINAL_OUTCOMES == ("done", "failed", "unknown")
    assert OPEN_ROW_STATES == ("queued", "waiting")
    assert set(ROW_STATES) == set(RowState) and set(RUN_STATES) == set(RunState)
