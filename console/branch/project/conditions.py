"""The condition language of a rule, in words an office can read.

    input is 1
    input is 1, 2 and time is between 09:00 and 17:00
    variable appointment is set
    not (caller starts with 845 or path ends with 100, 200)
    day is sat, sun
    always

Subjects: ``input`` (the last keys the caller pressed), ``caller`` (the
caller's number, ``cid``), ``hotline`` (the number called, ``did``),
``variable NAME``, ``path`` (the branches walked, oldest first), ``time`` and
``day`` (from the request's ``date_time``). Tests: ``is V, V...`` (any of),
``is empty``, ``starts with``, ``contains``; ``variable NAME is set``; ``path
ends with B, B...`` (the last branches, in order) and ``path contains B,
B...`` (any of them); ``time is between HH:MM and HH:MM`` (from the first
time up to, not including, the second; across midnight when the second is
earlier); ``day is mon, tue...``. ``is not`` negates. ``and`` binds tighter
than ``or``; brackets group. A value with spaces or a keyword in it is
written in double quotes, with JSON's escapes.

`condition_reader.parse_condition` turns text into a `Condition`,
`format_condition` writes one back (``parse_condition(format_condition(c)) == c``), and `evaluate`
checks one against a `CallFacts`. Standard library only, Python 3.10: the
exported endpoint carries a copy of this module.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Always:
    pass


@dataclass(frozen=True)
class Clause:
    subject: str  # "input", "caller", "hotline", "variable", "path", "time", "day"
    op: str  # "is", "is_empty", "is_set", "starts_with", "contains", "ends_with", "between"
    values: tuple[str, ...] = ()
    name: str = ""  # the variable's name


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Condition = Always | Clause | Not | AllOf | AnyOf

TEXT_SUBJECTS = ("input", "caller", "hotline")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYWORDS = frozenset({"and", "or", "not", "is", "empty", "set", "with", "starts", "contains",
                      "ends", "between", "always", "input", "caller", "hotline", "variable",
                      "path", "time", "day"})
_BARE = re.compile(r"[A-Za-z0-9_*#+.:\-]+")

# ---------------------------------------------------------------------------
# Writing


def format_value(value: str) -> str:
    if _BARE.fullmatch(value) and value.lower() not in KEYWORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(format_value(value) for value in values)


def _test_text(test: Clause, negate: bool) -> str:
    subject = test.subject
    if subject == "variable":
        subject = f"variable {format_value(test.name)}"
    is_word = "is not" if negate else "is"
    if test.op == "is_empty":
        return f"{subject} {is_word} empty"
    if test.op == "is_set":
        return f"{subject} {is_word} set"
    if test.op == "between":
        return f"time {is_word} between {test.values[0]} and {test.values[1]}"
    if test.op == "is":
        return f"{subject} {is_word} {_values(test.values)}"
    words = {"starts_with": "starts with", "contains": "contains", "ends_with": "ends with"}
    text = f"{subject} {words[test.op]} {_values(test.values)}"
    return f"not {text}" if negate else text


def format_condition(condition: Condition, *, inside: str = "") -> str:
    """`condition` as text, with only the brackets needed; `inside` is the kind of
    the condition around this one ("and", "or", "not")."""
    if isinstance(condition, Always):
        return "always"
    if isinstance(condition, Clause):
        return _test_text(condition, False)
    if isinstance(condition, Not):
        item = condition.item
        if isinstance(item, Clause) and item.op in ("is", "is_empty", "is_set", "between"):
            return _test_text(item, True)
        return "not " + format_condition(item, inside="not")
    # A group inside a group of the same kind keeps its brackets, so the text
    # reads back as the same conditions, nested as they were.
    if isinstance(condition, AllOf):
        text = " and ".join(format_condition(item, inside="and") for item in condition.items)
        return f"({text})" if inside in ("not", "and") else text
    text = " or ".join(format_condition(item, inside="or") for item in condition.items)
    return f"({text})" if inside else text


# ---------------------------------------------------------------------------
# Evaluating


@dataclass(frozen=True)
class CallFacts:
    """What a condition can ask about one request."""

    input: str = ""
    path: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    caller: str = ""
    hotline: str = ""
    minute: int | None = None  # minutes since midnight; None when date_time is unreadable
    day: str | None = None  # "mon" ... "sun"

    def variable(self, name: str) -> str | None:
        for key, value in reversed(self.variables):
            if key == name:
                return value
        return None


def in_window(minute: int, start: str, end: str) -> bool:
    """True when `minute` (since midnight) is from `start` up to `end` (HH:MM),
    across midnight when `end` is earlier than `start`; never when they are equal."""
    low = int(start[:2]) * 60 + int(start[3:])
    high = int(end[:2]) * 60 + int(end[3:])
    if low <= high:
        return low <= minute < high
    return minute >= low or minute < high


def _text_matches(op: str, value: str | None, values: tuple[str, ...]) -> bool:
    if op == "is_set":
        return bool(value)
    if op == "is_empty":
        return not value
    if value is None:
        return False
    if op == "is":
        return value in values
    if op == "starts_with":
        return any(value.startswith(item) for item in values)
    return any(item in value for item in values)  # contains


def evaluate(condition: Condition, facts: CallFacts) -> bool:
    if isinstance(condition, Always):
        return True
    if isinstance(condition, Not):
        return not evaluate(condition.item, facts)
    if isinstance(condition, AllOf):
        return all(evaluate(item, facts) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(item, facts) for item in condition.items)
    test = condition
    if test.subject == "path":
        if test.op == "ends_with":
            size = len(test.values)
            return len(facts.path) >= size and facts.path[len(facts.path) - size:] == test.values
        return any(branch in facts.path for branch in test.values)
    if test.subject == "time":
        return facts.minute is not None and in_window(facts.minute, *test.values[:2])
    if test.subject == "day":
        return facts.day is not None and facts.day in test.values
    if test.subject == "variable":
        value = facts.variable(test.name)
    else:
        value = {"input": facts.input, "caller": facts.caller,
                 "hotline": facts.hotline}.get(test.subject, "")
    return _text_matches(test.op, value, test.values)


def variables_read(condition: Condition) -> tuple[str, ...]:
    """The names of the variables `condition` reads, in order, each once."""
    found: dict[str, None] = {}
    stack = [condition]
    while stack:
        item = stack.pop(0)
        if isinstance(item, Not):
            stack.insert(0, item.item)
        elif isinstance(item, (AllOf, AnyOf)):
            stack[0:0] = list(item.items)
        elif isinstance(item, Clause) and item.subject == "variable":
            found[item.name] = None
    return tuple(found)
