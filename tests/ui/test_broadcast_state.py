"""The Broadcast tab's rules and words without Qt (console/ui/broadcast/state.py)."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from console.domain.broadcast.quiet_hours import WAIT, Window
from console.domain.calling_rules import rule_book
from console.ui.broadcast.state import (
    CALL,
    GOTO,
    MessageChoice,
    check_failure_field,
    draft_of,
    read_draft,
    run_settings,
    sending_window,
    started_words,
)
from tests.test_import_graph import imports as imports_of
from tests.test_import_graph import qt_in, reached

NOW = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
WINDOW = Window(time(8), time(21))


def test_the_model_and_the_rows_words_import_no_qt():
    for module in ("console.ui.broadcast.state", "console.ui.broadcast_rows"):
        found = {other: sorted(qt_in(imports_of(other)[1])) for other in reached(module)}
        assert {k: v for k, v in found.items() if v} == {}, module


def _settings(choice, **given):
    values = dict(number="8459511000", window=WINDOW, per_second=1.0, per_minute=60,
                  quiet_mode=WAIT, start=None, now=NOW, office_zone="America/New_York")
    values.update(given)
    return run_settings(choice, **values)


def test_a_call_lists_every_problem_in_the_order_of_the_fields():
    choice = MessageChoice(kind=CALL, call_type=GOTO, route="12", branch="x")
    settings, problems = _settings(choice, number=None, window=None, per_second=0,
                                   start=NOW - timedelta(minutes=1))
    assert [field for field, _ in problems] == ["cid", "route", "branch", "window", "rate", "start"]
    assert problems[0][1].startswith("Caller id: this profile has no numbers")
    assert problems[3] == ("window", "")  # the sending hours' own check says why
    assert problems[5][1] == "Start: that time has passed. Choose a later time, or Now."
    assert "window_opens" not in settings


def test_an_sms_gets_its_settings():
    settings, problems = _settings(MessageChoice(body="Hi {name}"), per_second=2.5, per_minute=90)
    assert problems == []
    assert settings == {"from": "8459511000", "window_opens": "08:00", "window_closes": "21:00",
                        "per_second": 2.5, "per_minute": 90, "quiet_mode": WAIT,
                        "office_zone": "America/New_York"}


def test_sending_hours_that_close_before_they_open_are_refused_with_the_reason():
    window, refused = sending_window(time(21), time(8), rule_book())
    assert window is None and refused
    assert sending_window(time(9), time(17), rule_book()) == (Window(time(9), time(17)), None)


def test_words_for_a_call_a_start_and_a_failed_check():
    call = MessageChoice(kind=CALL, sfile_shown=" 918357 ")
    assert call.call_description() == "Plays library file 918357"
    assert call.key() == call.run_name() == call.call_description()
    assert MessageChoice(body="").run_name() == "Broadcast"
    assert started_words(7, 3, left_out_twice=1, starts_at="2026-01-16 09:00") == (
        "Broadcast #7 started to 3 recipients. 1 recipient left out who would have got it "
        "twice. It starts at 2026-01-16 09:00.")
    assert check_failure_field("Choose the column that holds the numbers.") == "mapping"
    assert check_failure_field("Message: {x} is not a column.") == "body"
    assert check_failure_field("The check could not read History") is None


def test_a_draft_round_trip_and_what_is_not_a_draft():
    choice = MessageChoice(kind=CALL, body="Hello", sfile_shown="918357")
    assert read_draft(draft_of(choice)) == (CALL, "Hello", "918357")
    assert read_draft({"kind": "fax", "body": 3}) == ("sms", None, None)
    assert read_draft(["not", "a", "draft"]) is None
