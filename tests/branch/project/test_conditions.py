"""The condition language: examples of what it reads and says, and its laws as
properties (Hypothesis)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.branch.project.condition_reader import ConditionError, parse_condition
from console.branch.project.conditions import (
    AllOf,
    Always,
    AnyOf,
    CallFacts,
    Clause,
    Not,
    evaluate,
    format_condition,
    in_window,
    variables_read,
)
from tests.branch.project.strategies import TIMES, VALUES, conditions, facts


@pytest.mark.parametrize("text, canonical", [
    ("input is 1", "input is 1"),
    ("Input IS 1, 2", "input is 1, 2"),
    ("input is not 1", "input is not 1"),
    ("input is empty", "input is empty"),
    ("caller starts with 845 or hotline is 8459511110",
     "caller starts with 845 or hotline is 8459511110"),
    ("variable appointment is set", "variable appointment is set"),
    ('variable "caller_pin " is 123', 'variable "caller_pin " is 123'),
    ("variable status is not set", "variable status is not set"),
    ("time is between 9:00 and 17:30", "time is between 09:00 and 17:30"),
    ("time is not between 22:00 and 06:00", "time is not between 22:00 and 06:00"),
    ("day is Saturday, sun", "day is sat, sun"),
    ("path ends with 100, 200 and path contains 300", "path ends with 100, 200 and path contains 300"),
    ("not (input is 1 or input is 2)", "not (input is 1 or input is 2)"),
    ("(input is 1 or input is 2) and time is between 09:00 and 17:00",
     "(input is 1 or input is 2) and time is between 09:00 and 17:00"),
    ("input is \"and\"", "input is \"and\""),
    ("always", "always"),
])
def test_reads_and_writes_plain_words(text, canonical):
    assert format_condition(parse_condition(text)) == canonical


@pytest.mark.parametrize("text, words, where", [
    ("", "The condition is empty", 0),
    ("input 1", "Expected \u201cis\u201d, \u201cstarts with\u201d or \u201ccontains\u201d after \u201cinput\u201d", 6),
    ("input is", "Expected a value after \u201cis\u201d, not the end", 8),
    ("input is and", "write \"and\" in double quotes", 9),
    ("time is between 9 and 17", "Expected a time written HH:MM", 16),
    ("time is between 25:00 and 17:00", "not \u201c25:00\u201d", 16),
    ("day is someday", "Expected a day (mon, tue", 7),
    ("(input is 1", "A bracket is not closed", 11),
    ("input is 1 2", "Expected \u201cand\u201d, \u201cor\u201d or the end", 11),
    ('input is "1', "is not closed", 9),
    ("input is 1 & 2", "\u201c&\u201d cannot be used here", 11),
    ("weather is fine", "Expected a test like \u201cinput is 1\u201d", 0),
])
def test_mistakes_are_explained_where_they_are(text, words, where):
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert words in caught.value.message
    assert caught.value.position == where


def test_deep_brackets_are_refused_not_a_crash():
    with pytest.raises(ConditionError, match="Too many brackets"):
        parse_condition("(" * 200 + "always" + ")" * 200)


def test_what_each_subject_reads():
    facts_ = CallFacts(input="2", path=("100", "200"), variables=(("status", "late"),),
                       caller="8459511000", hotline="8459511110", minute=9 * 60, day="tue")
    holds = {text: evaluate(parse_condition(text), facts_) for text in [
        "input is 2", "input is 1", "caller starts with 845", "hotline contains 5111",
        "variable status is late", "variable status is set", "variable other is set",
        "variable other is empty", "path ends with 100, 200", "path ends with 200, 100",
        "path contains 300, 100", "time is between 09:00 and 09:01",
        "time is between 08:00 and 09:00", "day is mon, tue", "day is not tue"]}
    assert [text for text, result in holds.items() if result] == [
        "input is 2", "caller starts with 845", "hotline contains 5111",
        "variable status is late", "variable status is set", "variable other is empty",
        "path ends with 100, 200", "path contains 300, 100", "time is between 09:00 and 09:01",
        "day is mon, tue"]


def test_time_and_day_need_a_readable_date():
    assert not evaluate(parse_condition("time is between 00:00 and 24:00"), CallFacts())
    assert evaluate(parse_condition("time is not between 00:00 and 24:00"), CallFacts())


def test_variables_read_lists_each_name_once_in_order():
    condition = parse_condition("variable b is 1 and (variable a is set or not variable b is 2)")
    assert variables_read(condition) == ("b", "a")


# -- properties ----------------------------------------------------------------


@given(conditions())
def test_writing_and_reading_back_gives_the_same_condition(condition):
    assert parse_condition(format_condition(condition)) == condition


@given(st.text(max_size=40) | st.lists(st.sampled_from(
    ["input", "is", "not", "1", ",", "(", ")", "and", "or", "time", "between", "09:00",
     "variable", "\"x y\"", "day", "mon", "path", "ends", "with", "always", "empty"]),
    max_size=10).map(" ".join))
def test_any_text_is_a_condition_or_an_explained_mistake(text):
    try:
        condition = parse_condition(text)
    except ConditionError as error:
        assert 0 <= error.position <= len(text)
        assert error.message.endswith(".")
    else:
        assert format_condition(parse_condition(format_condition(condition))) == \
            format_condition(condition)


@given(conditions(), facts())
def test_not_is_the_opposite(condition, facts_):
    assert evaluate(Not(condition), facts_) is (not evaluate(condition, facts_))


@given(st.lists(conditions(), min_size=2, max_size=3), facts())
def test_and_is_all_or_is_any_and_de_morgan_holds(items, facts_):
    results = [evaluate(item, facts_) for item in items]
    assert evaluate(AllOf(tuple(items)), facts_) is all(results)
    assert evaluate(AnyOf(tuple(items)), facts_) is any(results)
    assert evaluate(Not(AllOf(tuple(items))), facts_) is \
        evaluate(AnyOf(tuple(Not(item) for item in items)), facts_)


@given(TIMES, TIMES, st.integers(0, 1439))
def test_a_time_window_and_its_reverse_split_the_day(start, end, minute):
    there, back = in_window(minute, start, end), in_window(minute, end, start)
    if start == end:
        assert not there and not back
    else:
        assert there is not back


@given(st.sampled_from(["input", "caller", "hotline"]), VALUES, facts())
def test_is_with_several_values_is_any_of_them(subject, values, facts_):
    together = evaluate(Clause(subject, "is", values), facts_)
    apart = evaluate(AnyOf(tuple(Clause(subject, "is", (v,)) for v in values)), facts_) \
        if len(values) > 1 else evaluate(Clause(subject, "is", values), facts_)
    assert together is apart


@given(facts())
def test_always_holds_and_is_set_is_the_opposite_of_is_empty(facts_):
    assert evaluate(Always(), facts_)
    for name in ("appointment", "status"):
        assert evaluate(Clause("variable", "is_set", (), name), facts_) is \
            (not evaluate(Clause("variable", "is_empty", (), name), facts_))
