"""Saved walks as test cases: does a reply match the one expected, and if not,
what differs, in words.

The same comparison serves three places: a walk checked again against the
project after it changed (`replay_offline`), a walk replayed against a
running endpoint (the exported one, or the office's own, in the tester), and
the exported test file (which compares the JSON itself).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from console.branch.project.compiled import runtime_project
from console.branch.project.model import Project, SavedStep, SavedWalk
from console.branch.project.runtime import choose_reply
from console.branch.schema import Design, DesignFormatError, FilePlay, Pair, PlayItem, parse_design


@dataclass(frozen=True)
class StepResult:
    walk: int
    step: int
    matches: bool
    words: str  # "As expected." or what differs
    got: Design | None  # the reply that came, when it is a design


def step_title(step: SavedStep, number: int) -> str:
    """ "Step 2: key 1 in branch 100, to branch 200"-style words for a saved step."""
    try:
        payload = json.loads(step.request)
        steps = payload.get("branch_data") or []
        branch = steps[-1].get("branch", "?") if steps else "?"
    except (ValueError, AttributeError, TypeError):
        branch = "?"
    how = {"start": "the call starts", "key": f"after key {step.key}",
           "goto": "after Go to branch"}.get(step.how, step.how)
    return f"Step {number}: branch {branch}, {how}"


_ARROW = " \u2192 "


def _play_words(items: tuple[PlayItem, ...]) -> str:
    if not items:
        return "nothing"
    words = []
    for item in items:
        if isinstance(item, FilePlay):
            words.append(f"recording {item.album}/{item.sort}")
        else:
            text = item.text if len(item.text) <= 40 else item.text[:39] + "\u2026"
            words.append(f"\u201c{text}\u201d")
    return ", ".join(words)


def _pairs_words(pairs: tuple[Pair, ...], joiner: str) -> str:
    return ", ".join(f"{a}{joiner}{b}" for a, b in pairs) if pairs else "none"


def differences(expected: Design, got: Design) -> list[str]:
    """What `got` does differently from `expected`, one sentence per field."""
    found = []
    if got.goto != expected.goto:
        found.append(f"Go to branch is {got.goto or 'none'} instead of {expected.goto or 'none'}.")
    if got.play != expected.play:
        found.append(f"It plays {_play_words(got.play)} instead of {_play_words(expected.play)}.")
    if dict(got.inputs) != dict(expected.inputs):
        found.append(f"Its keys are {_pairs_words(got.inputs, _ARROW)} instead of "
                     f"{_pairs_words(expected.inputs, _ARROW)}.")
    if dict(got.variables) != dict(expected.variables):
        found.append(f"It sets {_pairs_words(got.variables, ' = ')} instead of "
                     f"{_pairs_words(expected.variables, ' = ')}.")
    return found


def compare_reply(expected: Design, reply_text: str) -> tuple[bool, str, Design | None]:
    """Whether `reply_text` gives the call what `expected` does, and in words what not."""
    try:
        got = parse_design(reply_text).design
    except DesignFormatError as error:
        return False, f"The reply is not a branch response: {error.message}", None
    found = differences(expected, got)
    return (not found, " ".join(found) if found else "As expected.", got)


def replay_offline(project: Project, walks: tuple[SavedWalk, ...] | None = None
                   ) -> list[StepResult]:
    """Each saved step's request asked of the project as it is now."""
    runtime = runtime_project(project)
    results = []
    for w, walk in enumerate(project.walks if walks is None else walks):
        for s, step in enumerate(walk.steps):
            payload: Any = json.loads(step.request)
            choice = choose_reply(runtime, payload if isinstance(payload, dict) else {})
            matches, words, got = compare_reply(step.expect, choice.reply)
            results.append(StepResult(w, s, matches, words, got))
    return results


def walk_summary(results: list[StepResult], walk: int) -> tuple[int, int]:
    """(steps as expected, steps) for one walk."""
    mine = [result for result in results if result.walk == walk]
    return sum(result.matches for result in mine), len(mine)
