"""Checks on a branch response design, in words a non-programmer understands.

`validate(design)` returns findings with the path of the field each is about
(see `console.branch.findings`). Severities:

- ``error``: Voitex cannot do what was meant (a branch number with letters in
  it, a key that is not on a keypad, a key or a variable name used twice).
- ``warning``: it works, but probably not as intended (keys with nothing to
  play, an empty response, spaces around a variable name).
- ``info``: how Voitex will treat the design, including where the provider's
  two editions of the documentation disagree.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from console.branch.findings import Finding
from console.branch.schema import KEYPAD_KEYS, Design, FilePlay
from console.domain.validation import TTS_MAX_CHARS, FieldError, parse_album, parse_sort

_ASCII_DIGITS = re.compile(r"[0-9]+")
_SHOWN_MAX = 30
NO_ROUTE = "the Trigger branch's \"No Route Found\" setting"


def shown(text: str) -> str:
    """A value as quoted in a message, shortened if it is long."""
    if len(text) > _SHOWN_MAX:
        text = text[: _SHOWN_MAX - 1] + "\u2026"
    return f"\u201c{text}\u201d"


def branch_number_problem(text: str) -> str | None:
    """Why `text` is not a branch number Voitex can use, or None when it is one."""
    if text == "":
        return "is empty"
    if text != text.strip():
        return (f"{shown(text)} has a space before or after the number. "
                "Remove the spaces: Voitex looks the branch up exactly as written")
    if not _ASCII_DIGITS.fullmatch(text):
        return f"{shown(text)} is not a branch number. Use digits only, like 150"
    return None


def _number_problem(text: str, label: str, parse: Callable[[str, str], object]) -> str | None:
    if text != text.strip():
        return (f"{label}: {shown(text)} has a space before or after the number. "
                "Remove the spaces.")
    if text and not text.isascii():
        return f"{label}: {shown(text)} is not a number. Use the digits 0 to 9 only."
    try:
        parse(text, label)
    except FieldError as error:
        return error.message
    return None


def _goto_findings(design: Design) -> list[Finding]:
    if design.goto is None:
        return []
    problem = branch_number_problem(design.goto)
    if problem is None:
        return []
    code = "goto.spaces" if design.goto.strip() != design.goto else "goto.not_number"
    return [Finding(("goto",), "error", code, f"Go to branch: {problem}.")]


def _play_findings(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    for row, item in enumerate(design.play):
        label = f"Play item {row + 1}"
        if isinstance(item, FilePlay):
            for name, value, parse, what, example in (
                ("album", item.album, parse_album, "album", "10"),
                ("sort", item.sort, parse_sort, "sort number", "25"),
            ):
                if value.strip() == "":
                    findings.append(Finding(
                        ("play", row, name), "error", f"play.no_{name}",
                        f"{label} is a library file with no {what}. Enter the {what} of the "
                        f"recording, for example {example}."))
                    continue
                problem = _number_problem(value, f"{label} {what}", parse)
                if problem:
                    findings.append(Finding(("play", row, name), "error", f"play.bad_{name}",
                                            problem))
        else:
            if item.text.strip() == "":
                findings.append(Finding(
                    ("play", row, "text"), "error", "play.no_text",
                    f"{label} is text to speech with no text. Type the words to be spoken."))
            elif len(item.text) > TTS_MAX_CHARS:
                findings.append(Finding(
                    ("play", row, "text"), "warning", "play.long_text",
                    f"{label} has {len(item.text):,} characters of text; the console's "
                    f"limit for text to speech is {TTS_MAX_CHARS:,}. A caller rarely listens "
                    "that long; consider shortening it."))
    return findings


def _input_findings(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    first_row: dict[str, int] = {}
    for row, (key, branch) in enumerate(design.inputs):
        label = f"Key row {row + 1}"
        if key == "":
            findings.append(Finding(("inputs", row, "key"), "error", "inputs.no_key",
                                    f"{label} has no key. Choose one of 0 to 9, * or #."))
        elif key not in KEYPAD_KEYS:
            if key.strip() in KEYPAD_KEYS:
                message = (f"{label}: the key {shown(key)} has a space before or after it. "
                           "Remove the space.")
                code = "inputs.key_spaces"
            else:
                message = (f"{label}: {shown(key)} is not a key on a phone keypad. "
                           "Use a single key: 0 to 9, * or #.")
                code = "inputs.not_keypad"
            findings.append(Finding(("inputs", row, "key"), "error", code, message))
        elif key in first_row:
            findings.append(Finding(
                ("inputs", row, "key"), "error", "inputs.duplicate_key",
                f"Key {key} is used twice (rows {first_row[key] + 1} and {row + 1}). "
                "Voitex would keep only one of them; remove one or choose another key."))
        else:
            first_row[key] = row
        where = f"{label} (key {key})" if key else label
        if branch == "":
            findings.append(Finding(("inputs", row, "branch"), "error", "inputs.no_branch",
                                    f"{where} has no branch to go to. Enter a branch number."))
        else:
            problem = branch_number_problem(branch)
            if problem:
                findings.append(Finding(("inputs", row, "branch"), "error",
                                        "inputs.bad_branch", f"{where}: {problem}."))
    if design.inputs and not design.play:
        findings.append(Finding(
            ("inputs",), "warning", "inputs.without_play",
            "Keys only work while something plays, and nothing is set to play. Add a "
            "recording or text to Play, or the caller has no moment to press a key."))
    return findings


def _variable_findings(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    first_row: dict[str, int] = {}
    for row, (name, _value) in enumerate(design.variables):
        label = f"Variable row {row + 1}"
        if name.strip() == "":
            findings.append(Finding(("variables", row, "name"), "error", "variables.no_name",
                                    f"{label} has no name. Give the variable a name."))
            continue
        if name in first_row:
            findings.append(Finding(
                ("variables", row, "name"), "error", "variables.duplicate_name",
                f"The variable name {shown(name)} is used twice (rows {first_row[name] + 1} "
                f"and {row + 1}). Voitex would keep only one value; remove one or rename it."))
        else:
            first_row[name] = row
        if name != name.strip():
            findings.append(Finding(
                ("variables", row, "name"), "warning", "variables.name_spaces",
                f"The variable name {shown(name)} has a space at its start or end. The space "
                f"is part of the name, so a later branch looking for {shown(name.strip())} "
                "would not find it."))
    return findings


def _response_findings(design: Design) -> list[Finding]:
    if design.is_empty():
        return [Finding((), "warning", "response.empty",
                        "The response is empty. Voitex gets no instructions from it, and the "
                        f"call will follow {NO_ROUTE}.")]
    findings: list[Finding] = []
    if design.goto is None and not design.play and not design.inputs:
        findings.append(Finding(
            (), "info", "response.variables_only",
            "Nothing to play, no keys and no branch to go to: after keeping the variables, "
            f"the call will follow {NO_ROUTE}."))
    elif design.goto is None and design.play and not design.inputs:
        findings.append(Finding(
            ("goto",), "info", "response.no_goto",
            "There is no branch to go to: when the recordings have played, the call will "
            f"follow {NO_ROUTE}."))
    if design.goto is not None and (design.play or design.inputs):
        present = " and ".join(
            name for name, there in (("Play", design.play), ("Keys", design.inputs)) if there)
        # The words leave the branch number out on purpose: the note then stays
        # the same while the number is typed, and the form does not re-flow.
        findings.append(Finding(
            ("goto",), "info", "goto.editions_differ",
            f"The provider's documentation has two editions that disagree about Go to branch "
            f"next to {present}. The edition this console follows says the recordings play "
            "first and the call then goes to the Go to branch. A later edition says "
            "\u201cgoto\u201d only counts when there is nothing to play and no keys, so the "
            "call may never go there. Try it on a test call before relying on it."))
    return findings


def validate(design: Design) -> tuple[Finding, ...]:
    """Every finding about `design`: whole-response findings first, then by field."""
    return tuple(
        _response_findings(design)
        + _goto_findings(design)
        + _play_findings(design)
        + _input_findings(design)
        + _variable_findings(design)
    )
