"""Reading the condition language (see `conditions`) from what was typed, with
each mistake explained where it is. Standard library only, Python 3.10: the
exported endpoint carries a copy of this module."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from console.branch.project.conditions import (
    DAYS,
    KEYWORDS,
    TEXT_SUBJECTS,
    AllOf,
    Always,
    AnyOf,
    Clause,
    Condition,
    Not,
)


class ConditionError(ValueError):
    """The text is not a condition; `message` says why in plain words, and
    `position` (0-based) is where in the text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position




_DAY_NAMES = {name: name[:3] for name in (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
_DAY_NAMES.update({day: day for day in DAYS})
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
        return self._joined("or", self.all_of, AnyOf)

    def all_of(self) -> Condition:
        return self._joined("and", self.negation, AllOf)

    def _joined(self, keyword: str, part: Callable[[], Condition],
                combine: Callable[[tuple[Condition, ...]], Condition]) -> Condition:
        """`part`, or several joined by `keyword` (combined, in order)."""
        items = [part()]
        while self.at(keyword):
            self.take()
            items.append(part())
        return items[0] if len(items) == 1 else combine(tuple(items))

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

