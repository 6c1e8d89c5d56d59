"""A tolerant JSON reader for what people paste or open.

The provider's response sample has trailing commas (``"text": "...", }``), so
it is not JSON, and files written from it carry the same mistake. This reader
accepts strict JSON as it is, and otherwise removes trailing commas (and a
byte-order mark) and says where it did. Anything else wrong is reported with
its line and column in plain words.

Objects can be read as `JsonObject` (a list of ``(name, value)`` pairs) so a
name written twice is kept twice: the designer shows such a duplicate as a
finding instead of silently keeping one of them.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class JsonObject(list[tuple[str, Any]]):
    """A JSON object as its ``(name, value)`` pairs, in order, duplicates kept."""

    def names(self) -> list[str]:
        return [name for name, _ in self]

    def get(self, name: str, default: Any = None) -> Any:
        """The last value written for `name`, as most JSON readers would keep."""
        for key, value in reversed(self):
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class LenientFix:
    line: int  # 1-based, in the text as given
    column: int  # 1-based
    kind: str  # "trailing_comma" or "byte_order_mark"
    description: str


@dataclass(frozen=True)
class LenientResult:
    value: Any
    fixes: tuple[LenientFix, ...]

    @property
    def was_strict(self) -> bool:
        return not self.fixes


class LenientJSONError(ValueError):
    """The text is not JSON even leniently; `message` is meant for the user."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


_PLAIN_WORDS = (
    ("Expecting property name enclosed in double quotes",
     "a field name must be written in double quotes, like \"goto\""),
    ("Expecting value", "a value is missing or not valid here (text must be in double quotes)"),
    ("Expecting ',' delimiter", "a comma is missing between two items"),
    ("Expecting ':' delimiter", "a colon is missing after a field name"),
    ("Unterminated string", "a text value is not closed with a double quote"),
    ("Invalid control character",
     "a text value contains a line break or tab; write it as \\n or \\t instead"),
    ("Invalid \\escape", "a backslash is followed by a character JSON does not allow"),
    ("Invalid \\uXXXX escape", "a \\u escape must be followed by four hexadecimal digits"),
    ("Extra data", "there is more text after the end of the JSON"),
)


def _plain(msg: str) -> str:
    for prefix, words in _PLAIN_WORDS:
        if msg.startswith(prefix):
            return words
    return msg[:1].lower() + msg[1:]


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


class _OutsideStrings:
    """The characters of JSON text outside its strings, with their indexes (each string's
    opening quote included); `in_string` tells afterwards whether the text ended in one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.in_string = False

    def __iter__(self) -> Iterator[tuple[int, str]]:
        escaped = False
        for index, char in enumerate(self.text):
            if self.in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    self.in_string = False
                continue
            if char == '"':
                self.in_string = True
            yield index, char


def _trailing_commas(text: str) -> list[int]:
    """Indexes of commas that only whitespace separates from a closing } or ]."""
    found: list[int] = []
    pending: int | None = None
    previous = ""  # the last character outside strings and whitespace
    for index, char in _OutsideStrings(text):
        if char in " \t\r\n":
            continue
        if char in "}]" and pending is not None:
            found.append(pending)
        # Only a comma after a value is a trailing one; ",," or "[," is a mistake
        # of another kind, reported as such.
        pending = index if char == "," and previous not in ",[{:" else None
        previous = char
    return found


def _decode(text: str, keep_pairs: bool) -> Any:
    if keep_pairs:
        return json.loads(text, object_pairs_hook=JsonObject)
    return json.loads(text)


def read_json(text: str, *, keep_pairs: bool = False) -> LenientResult:
    """Parse `text` as JSON, tolerating trailing commas and a byte-order mark."""
    fixes: list[LenientFix] = []
    offset = 0
    if text.startswith("\ufeff"):
        text = text[1:]
        offset = 1
        fixes.append(LenientFix(1, 1, "byte_order_mark",
                                "Removed an invisible byte-order mark at the start."))
    if not text.strip():
        raise LenientJSONError("The text is empty: there is no JSON in it.")
    try:
        return LenientResult(_decode(text, keep_pairs), tuple(fixes))
    except json.JSONDecodeError as strict_error:
        first_error = strict_error
    except RecursionError:
        raise LenientJSONError("The JSON is nested too deeply to read.") from None

    commas = _trailing_commas(text)
    if not commas:
        raise _user_error(first_error, text, offset, []) from None
    removed = set(commas)
    fixed = "".join(char for index, char in enumerate(text) if index not in removed)
    try:
        value = _decode(fixed, keep_pairs)
    except json.JSONDecodeError as error:
        raise _user_error(error, text, offset, commas) from None
    except RecursionError:
        raise LenientJSONError("The JSON is nested too deeply to read.") from None
    for index in commas:
        line, column = _line_col(text, index)
        fixes.append(LenientFix(line, column + (offset if line == 1 else 0), "trailing_comma",
                                "Removed a comma before a closing bracket."))
    return LenientResult(value, tuple(fixes))


def _user_error(error: json.JSONDecodeError, original: str, offset: int,
                removed: list[int]) -> LenientJSONError:
    # Map the position in the comma-free text back to the text the user has.
    index = error.pos
    for _ in range(len(removed) + 1):
        candidate = error.pos + bisect_right(removed, index)
        if candidate == index:
            break
        index = candidate
    index = min(index, len(original))
    line, column = _line_col(original, index)
    if line == 1:
        column += offset
    words = _plain(error.msg)
    if original[index:index + 1] == ",":
        words = "there is one comma too many here"
    last = original.rstrip().count("\n") + 1
    # A string left open on the last line of several is a cut too (one line alone
    # is more likely a missing quote).
    if not original[index:].strip() or (error.msg.startswith("Unterminated string")
                                        and last > 1):
        # Cut off (a copy or a save that stopped half-way): say so, at the last line,
        # with what the JSON still lacks.
        missing = _unclosed(original)
        needs = (f" (the JSON still needs {' '.join(missing)} to be complete)"
                 if missing else "")
        return LenientJSONError(f"The text ends too early at line {last}: it may have been "
                                f"cut off while it was saved or copied{needs}.", last, None)
    return LenientJSONError(f"Line {line}, column {column}: {words}.", line, column)


def _unclosed(text: str) -> list[str]:
    """The closing quote and brackets the text still needs, innermost first."""
    stack: list[str] = []
    scan = _OutsideStrings(text)
    for _index, char in scan:
        if char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]" and stack:
            stack.pop()
    closing = list(reversed(stack))
    return (['"'] if scan.in_string else []) + closing


def describe_fixes(fixes: tuple[LenientFix, ...]) -> str:
    """One sentence for the user about what the reader repaired."""
    commas = [fix for fix in fixes if fix.kind == "trailing_comma"]
    parts = []
    if commas:
        where = ", ".join(f"line {fix.line} column {fix.column}" for fix in commas[:5])
        if len(commas) > 5:
            where += f" and {len(commas) - 5} more"
        noun = "a trailing comma" if len(commas) == 1 else f"{len(commas)} trailing commas"
        parts.append(
            f"The text had {noun} ({where}), as in the documentation's sample. "
            "Strict JSON does not allow them, so they were removed"
        )
    if any(fix.kind == "byte_order_mark" for fix in fixes):
        parts.append("An invisible byte-order mark at the start was removed")
    return ". ".join(parts) + "."
