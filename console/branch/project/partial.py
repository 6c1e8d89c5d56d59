"""Whether a condition can hold when only part of the request is known.

The project check asks "when the caller presses 2 in branch 100 and so reaches
trigger 300, can any of 300's rules answer?" before any call exists. Only the
key and the last branches walked are known then; `could_hold` answers True
(it holds whatever the rest is), False (it cannot hold) or None (it depends on
what is not known). It never contradicts `conditions.evaluate` on a request
that agrees with what is known (tested with Hypothesis).
"""
from __future__ import annotations

from dataclasses import dataclass

from console.branch.project.conditions import AllOf, Always, AnyOf, Clause, Condition, Not


@dataclass(frozen=True)
class Known:
    input: str | None = None  # the last keys pressed; None when not known
    path_end: tuple[str, ...] = ()  # the last branches walked, in order
    path_complete: bool = False  # True when `path_end` is the whole path


def _text_test(test: Clause, value: str | None) -> bool | None:
    if value is None:
        return None
    if test.op == "is_empty":
        return not value
    if test.op == "is":
        return value in test.values
    if test.op == "starts_with":
        return any(value.startswith(item) for item in test.values)
    if test.op == "contains":
        return any(item in value for item in test.values)
    return None


def _ends_with(values: tuple[str, ...], known: Known) -> bool | None:
    end = known.path_end
    if len(values) <= len(end):
        return end[len(end) - len(values):] == values
    if values[len(values) - len(end):] != end:
        return False
    return False if known.path_complete else None


def _test(test: Clause, known: Known) -> bool | None:
    if test.subject == "input":
        return _text_test(test, known.input)
    if test.subject == "path":
        if test.op == "ends_with":
            return _ends_with(test.values, known)
        if any(branch in known.path_end for branch in test.values):
            return True
        return False if known.path_complete else None
    return None


def could_hold(condition: Condition, known: Known) -> bool | None:
    if isinstance(condition, Always):
        return True
    if isinstance(condition, Not):
        inner = could_hold(condition.item, known)
        return None if inner is None else not inner
    if isinstance(condition, AllOf):
        results = [could_hold(item, known) for item in condition.items]
        if any(result is False for result in results):
            return False
        return True if all(result is True for result in results) else None
    if isinstance(condition, AnyOf):
        results = [could_hold(item, known) for item in condition.items]
        if any(result is True for result in results):
            return True
        return False if all(result is False for result in results) else None
    return _test(condition, known)
