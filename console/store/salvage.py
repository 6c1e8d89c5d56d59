"""Reading what still parses from a damaged or cut-off JSON file.

A state file cut off mid-write (a full disk, a crash in an older version, a
copy that stopped) still holds whole entries before the cut. `salvage_json`
keeps them: the outer `open_levels` containers may end early and keep their
complete items; anything deeper is kept whole or not at all, so a profile or
a draft is never half restored. (A damaged SQLite file: `sqlite_salvage.py`.)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.store.notices import json_problem

_decoder = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


@dataclass
class JsonReading:
    """What a state file held: `value` (None when nothing could be read),
    `problem` in words (None when the file was whole and valid), and whether
    the file exists at all."""

    value: Any = None
    problem: str | None = None
    exists: bool = True

    @property
    def damaged(self) -> bool:
        return self.problem is not None


class _Cut(Exception):
    pass


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _parse(text: str, index: int, depth: int, open_levels: int) -> tuple[Any, int, bool]:
    """(value, end, complete). Raises _Cut when nothing usable starts at `index`."""
    index = _skip(text, index)
    if index >= len(text):
        raise _Cut
    opener = text[index]
    if depth < open_levels and opener in "{[":
        closer = "}" if opener == "{" else "]"
        container: Any = {} if opener == "{" else []
        index = _skip(text, index + 1)
        first = True
        while True:
            if index >= len(text):
                return container, index, False
            if text[index] == closer:
                return container, index + 1, True
            if not first:
                if text[index] != ",":
                    return container, index, False
                index = _skip(text, index + 1)
            first = False
            try:
                if opener == "{":
                    key, index = _decoder.raw_decode(text, index)
                    if not isinstance(key, str):
                        return container, index, False
                    index = _skip(text, index)
                    if index >= len(text) or text[index] != ":":
                        return container, index, False
                    index += 1
                child, index, complete = _parse(text, index, depth + 1, open_levels)
            except (_Cut, ValueError, RecursionError):
                return container, index, False
            # A deeper container cut short is itself only a part: kept when it
            # may be open (its whole items count), dropped otherwise.
            if complete or (depth + 1 < open_levels and isinstance(child, (dict, list))):
                if opener == "{":
                    container[key] = child
                else:
                    container.append(child)
            if not complete:
                return container, index, False
            index = _skip(text, index)
    try:
        value, end = _decoder.raw_decode(text, index)
    except (ValueError, RecursionError):
        raise _Cut from None
    return value, end, True


def salvage_json(text: str, *, open_levels: int = 1) -> Any:
    """The complete parts of `text` (see the module docstring), or None."""
    try:
        value, _end, _complete = _parse(text, 0, 0, open_levels)
    except (_Cut, RecursionError):
        return None
    return value


def read_json_file(path: Path | str, *, open_levels: int = 1) -> JsonReading:
    """Read a JSON state file; on damage, `value` holds what could be salvaged."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return JsonReading(exists=False)
    except OSError as err:
        return JsonReading(problem=f"it could not be read ({err.strerror or err})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return JsonReading(value=salvage_json(raw.decode("utf-8", "replace"),
                                              open_levels=open_levels),
                           problem=json_problem(err))
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return JsonReading(value=json.loads(text))
    except (ValueError, RecursionError) as err:
        if not text.strip():
            problem = "it is empty"
        else:
            problem = json_problem(err)
        return JsonReading(value=salvage_json(text, open_levels=open_levels), problem=problem)
