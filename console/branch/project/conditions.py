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

`parse_condition` turns text into a `Condition`, `format_condition` writes
one back (``parse_condition(format_condition(c)) == c``), and `evaluate`
checks one against a `CallFacts`. Standard library only, Python 3.10: the
exported endpoint carries a copy of this module.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass


class ConditionError(ValueError):
    """The text is not a condition; `message` says why in plain words, and
    `position` (0-based) is where in the text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


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
_DAY_NAMES = {name: name[:3] for name in (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
_DAY_NAMES.update({day: day for day in DAYS})
KEYWORDS = frozenset({"and", "or", "not", "is", "empty", "set", "with", "starts", "contains",
                      "ends", "between", "always", "input", "caller", "hotline", "variable",
                      "path", "time", "day"})
_BARE = re.compile(r"[A-Za-z0-9_*#+.:\-]+")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_TOKEN = re.compile(r"\s*(?:(?P<word>[A-Za-z0-9_*#+.:\-]+)|(?P<string>\")|(?P<sym>[(),]))")


# ---------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "string", "sym", "end"
    text: str  # a word as written, a string's value, a symbol
    position: int

    def keyword(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _string_end(text: str, start: int) -> int:
    """The index just past the closing quote of the string opening at `start`."""
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        index += 1
    raise ConditionError("A text in double quotes is not closed: add the closing \".", start)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while True:
        match = _TOKEN.match(text, index)
        if match is None:
            rest = text[index:]
            stripped = len(rest) - len(rest.lstrip())
            if not rest.strip():
                tokens.append(_Token("end", "", len(text)))
                return tokens
            where = index + stripped
            raise ConditionError(
                f"\u201c{text[where]}\u201d cannot be used here; put text with such "
                "characters in double quotes.", where)
        start = match.start(match.lastgroup or "sym")
        if match.group("word") is not None:
            tokens.append(_Token("word", match.group("word"), start))
            index = match.end()
        elif match.group("string") is not None:
            end = _string_end(text, start)
            try:
                value = json.loads(text[start:end])
            except ValueError:
                raise ConditionError(
                    "A text in double quotes has a backslash that is not \\\" or \\\\ or "
                    "another JSON escape.", start) from None
            if not isinstance(value, str):  # pragma: no cover - a JSON string is a str
                raise ConditionError("Expected text in double quotes.", start)
            tokens.append(_Token("string", value, start))
            index = end
        else:
            tokens.append(_Token("sym", match.group("sym"), start))
            index = match.end()


def _shown(token: _Token) -> str:
    if token.kind == "end":
        return "the end"
    if token.kind == "string":
        return "a text in quotes"
    return f"\u201c{token.text}\u201d"


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at(self, *keywords: str) -> bool:
        return self.token.keyword() in keywords

    def expect(self, keyword: str, after: str) -> None:
        if not self.at(keyword):
            raise ConditionError(f"Expected \u201c{keyword}\u201d after {after}, not "
                                 f"{_shown(self.token)}.", self.token.position)
        self.take()

    def condition(self) -> Condition:
        items = [self.all_of()]
        while self.at("or"):
            self.take()
            items.append(self.all_of())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def all_of(self) -> Condition:
        items = [self.negation()]
        while self.at("and"):
            self.take()
            items.append(self.negation())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def negation(self) -> Condition:
        if self.at("not"):
            self.take()
            return Not(self.negation())
        return self.atom()

    def atom(self) -> Condition:
        token = self.token
        if token.kind == "sym" and token.text == "(":
            self.depth += 1
            if self.depth > 50:
                raise ConditionError("Too many brackets inside each other.", token.position)
            self.take()
            inner = self.condition()
            if not (self.token.kind == "sym" and self.token.text == ")"):
                raise ConditionError(f"A bracket is not closed: expected \u201c)\u201d, not "
                                     f"{_shown(self.token)}.", self.token.position)
            self.take()
            self.depth -= 1
            return inner
        word = token.keyword()
        if word == "always":
            self.take()
            return Always()
        if word in TEXT_SUBJECTS:
            self.take()
            return self.text_test(word, "")
        if word == "variable":
            self.take()
            name = self.token
            if name.kind not in ("word", "string"):
                raise ConditionError("Expected the variable's name after \u201cvariable\u201d, "
                                     f"not {_shown(name)}.", name.position)
            self.take()
            return self.text_test("variable", name.text)
        if word == "path":
            self.take()
            return self.path_test()
        if word == "time":
            self.take()
            return self.time_test()
        if word == "day":
            self.take()
            return self.day_test()
        raise ConditionError(
            f"Expected a test like \u201cinput is 1\u201d, \u201ctime is between 09:00 and "
            f"17:00\u201d or \u201cvariable NAME is set\u201d, not {_shown(token)}.",
            token.position)

    def values(self, what: str) -> tuple[str, ...]:
        found: list[str] = []
        while True:
            token = self.token
            if token.kind == "string" or (token.kind == "word" and token.keyword() not in KEYWORDS):
                found.append(self.take().text)
            elif token.kind == "word":
                raise ConditionError(f"\u201c{token.text}\u201d is a word of the condition "
                                     f"language; to mean the value, write \"{token.text}\" in "
                                     "double quotes.", token.position)
            else:
                raise ConditionError(f"Expected {what}, not {_shown(token)}.", token.position)
            if not (self.token.kind == "sym" and self.token.text == ","):
                return tuple(found)
            self.take()

    def text_test(self, subject: str, name: str) -> Condition:
        label = f"\u201cvariable {name}\u201d" if subject == "variable" else f"\u201c{subject}\u201d"
        if self.at("is"):
            self.take()
            negate = self.at("not")
            if negate:
                self.take()
            test: Clause
            if self.at("empty"):
                self.take()
                test = Clause(subject, "is_empty", (), name)
            elif self.at("set") and subject == "variable":
                self.take()
                test = Clause(subject, "is_set", (), name)
            else:
                test = Clause(subject, "is", self.values("a value after \u201cis\u201d"), name)
            return Not(test) if negate else test
        if self.at("starts"):
            self.take()
            self.expect("with", "\u201cstarts\u201d")
            return Clause(subject, "starts_with", self.values("a value after \u201cstarts with\u201d"),
                        name)
        if self.at("contains"):
            self.take()
            return Clause(subject, "contains", self.values("a value after \u201ccontains\u201d"), name)
        raise ConditionError(f"Expected \u201cis\u201d, \u201cstarts with\u201d or \u201ccontains\u201d "
                             f"after {label}, not {_shown(self.token)}.", self.token.position)

    def path_test(self) -> Condition:
        if self.at("ends"):
            self.take()
            self.expect("with", "\u201cpath ends\u201d")
            return Clause("path", "ends_with", self.values("a branch number"))
        if self.at("contains"):
            self.take()
            return Clause("path", "contains", self.values("a branch number"))
        raise ConditionError("Expected \u201cends with\u201d or \u201ccontains\u201d after "
                             f"\u201cpath\u201d, not {_shown(self.token)}.", self.token.position)

    def time_value(self) -> str:
        token = self.token
        match = _TIME.fullmatch(token.text) if token.kind == "word" else None
        if match is None or int(match.group(1)) > 24 or int(match.group(2)) > 59 \
                or (int(match.group(1)) == 24 and match.group(2) != "00"):
            raise ConditionError(f"Expected a time written HH:MM, like 09:00 or 17:30, not "
                                 f"{_shown(token)}.", token.position)
        self.take()
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    def time_test(self) -> Condition:
        self.expect("is", "\u201ctime\u201d")
        negate = self.at("not")
        if negate:
            self.take()
        self.expect("between", "\u201ctime is\u201d")
        start = self.time_value()
        self.expect("and", f"\u201ctime is between {start}\u201d")
        end = self.time_value()
        test = Clause("time", "between", (start, end))
        return Not(test) if negate else test

    def day_test(self) -> Condition:
        self.expect("is", "\u201cday\u201d")
        negate = self.at("not")
        if negate:
            self.take()
        days: list[str] = []
        while True:
            token = self.token
            day = _DAY_NAMES.get(token.keyword())
            if day is None:
                raise ConditionError(f"Expected a day (mon, tue, wed, thu, fri, sat or sun), "
                                     f"not {_shown(token)}.", token.position)
            self.take()
            days.append(day)
            if not (self.token.kind == "sym" and self.token.text == ","):
                break
            self.take()
        test = Clause("day", "is", tuple(days))
        return Not(test) if negate else test


def parse_condition(text: str) -> Condition:
    """The condition written in `text`; raises `ConditionError` when it is not one."""
    parser = _Parser(text)
    if parser.token.kind == "end":
        raise ConditionError("The condition is empty: write a test like \u201cinput is 1\u201d, "
                             "or \u201calways\u201d.", 0)
    result = parser.condition()
    if parser.token.kind != "end":
        token = parser.token
        raise ConditionError(f"Expected \u201cand\u201d, \u201cor\u201d or the end after the test, "
                             f"not {_shown(token)}.", token.position)
    return result


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
