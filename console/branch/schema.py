"""The response a Voitex "Trigger" branch endpoint returns, as the designer holds it.

Every field is optional (see the notes, "API branch"): ``goto`` (a branch
number), ``play`` (library files and TTS text, in order), ``inputs`` (keypad key
to branch number) and ``variables`` (name to value). All values are text, as in
the documentation's samples.

A `Design` keeps exactly what was typed, mistakes included, so validation can
point at them; ``inputs`` and ``variables`` are lists of pairs so a key or a
name given twice stays visible. `design_to_json` writes valid JSON (a name
given twice is written twice, which JSON's grammar allows and `parse_design`
reads back) and `parse_design` turns that JSON back into the same design.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any, ClassVar

from console.branch.findings import Finding, PathPart
from console.branch.lenient import JsonObject, LenientJSONError, describe_fixes, read_json

FIELD_ORDER = ("goto", "play", "inputs", "variables")
# In the order of a phone's keypad, as the designer and tester show them.
KEYPAD_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")

Pair = tuple[str, str]


@dataclass(frozen=True)
class FilePlay:
    """A recording from the library, named by album and sort number."""

    album: str = ""
    sort: str = ""
    kind: ClassVar[str] = "file"


@dataclass(frozen=True)
class TtsPlay:
    """Text spoken by text-to-speech."""

    text: str = ""
    kind: ClassVar[str] = "tts"


PlayItem = FilePlay | TtsPlay


@dataclass(frozen=True)
class Design:
    goto: str | None = None
    play: tuple[PlayItem, ...] = ()
    inputs: tuple[Pair, ...] = ()
    variables: tuple[Pair, ...] = ()

    def is_empty(self) -> bool:
        return self.goto is None and not self.play and not self.inputs and not self.variables


@dataclass(frozen=True)
class ParsedDesign:
    design: Design
    # What reading changed or left out (trailing commas removed, numbers taken as
    # text, unknown fields dropped): warnings the user sees on opening.
    notes: tuple[Finding, ...] = field(default_factory=tuple)


class DesignFormatError(ValueError):
    """The JSON is not shaped like a branch response; `message` is for the user."""

    def __init__(self, message: str, path: tuple[PathPart, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


# ---------------------------------------------------------------------------
# Writing


class _Obj:
    """Ordered name/value pairs to write as a JSON object (duplicates allowed)."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


def _structure(design: Design) -> _Obj:
    pairs: list[tuple[str, Any]] = []
    if design.goto is not None:
        pairs.append(("goto", design.goto))
    if design.play:
        items = []
        for item in design.play:
            if isinstance(item, FilePlay):
                items.append(_Obj([("type", "file"), ("album", item.album), ("sort", item.sort)]))
            else:
                items.append(_Obj([("type", "tts"), ("text", item.text)]))
        pairs.append(("play", items))
    if design.inputs:
        pairs.append(("inputs", _Obj(list(design.inputs))))
    if design.variables:
        pairs.append(("variables", _Obj(list(design.variables))))
    return _Obj(pairs)


def _string(text: str) -> str:
    # What json.dumps(text, ensure_ascii=False) writes, without building an
    # encoder per string (the preview serialises the whole design per keystroke).
    # U+2028/U+2029 are valid inside JSON strings but break lines in editors
    # and in JavaScript; escaping them keeps the text on the line it belongs to.
    encoded = encode_basestring(text)
    if "\u2028" in encoded or "\u2029" in encoded:
        encoded = encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return encoded


def _write(value: Any, out: list[str], indent: str | None, level: int) -> None:
    if isinstance(value, str):
        out.append(_string(value))
        return
    if isinstance(value, _Obj):
        entries = value.pairs
        opener, closer = "{", "}"
    else:
        entries = value
        opener, closer = "[", "]"
    if not entries:
        out.append(opener + closer)
        return
    out.append(opener)
    inner = "\n" + indent * (level + 1) if indent is not None else ""
    for position, entry in enumerate(entries):
        if position:
            out.append(",")
        out.append(inner)
        if isinstance(value, _Obj):
            name, item = entry
            out.append(_string(name))
            out.append(": " if indent is not None else ":")
            _write(item, out, indent, level + 1)
        else:
            _write(entry, out, indent, level + 1)
    if indent is not None:
        out.append("\n" + indent * level)
    out.append(closer)


def design_to_json(design: Design, *, compact: bool = False) -> str:
    """Valid JSON for `design`: pretty (two-space indent) or compact (one line)."""
    out: list[str] = []
    _write(_structure(design), out, None if compact else "  ", 0)
    return "".join(out)


# ---------------------------------------------------------------------------
# Reading

# JsonObject before list (it is one) and bool before numbers (it is an int).
_TYPE_NAMES = {
    JsonObject: "an object",
    bool: "true or false",
    type(None): "null",
    list: "a list",
}


def _type_name(value: Any) -> str:
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


def _note(notes: list[Finding], path: tuple[PathPart, ...], code: str, message: str) -> None:
    notes.append(Finding(path, "warning", f"import.{code}", message))


def _as_text(value: Any, path: tuple[PathPart, ...], label: str, notes: list[Finding]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = json.dumps(value)
        _note(notes, path, "number_as_text",
              f"{label} was written as the number {text}; the designer keeps it as the "
              f"text \"{text}\", as the documentation's samples write every value.")
        return text
    raise DesignFormatError(
        f"{label} must be text in double quotes, like \"150\", not {_type_name(value)}.", path)


def _pairs(value: Any, name: str, label: str, notes: list[Finding]) -> tuple[Pair, ...]:
    # The request writes variables as a list of objects; people copy that form.
    if (isinstance(value, list) and not isinstance(value, JsonObject)
            and all(isinstance(item, JsonObject) for item in value)):
        merged = JsonObject(pair for item in value for pair in item)
        if value:
            _note(notes, (name,), "list_of_objects",
                  f"{label} was a list of objects; Voitex's sample response writes one "
                  "object, so they were joined into one.")
        value = merged
    if not isinstance(value, JsonObject):
        raise DesignFormatError(
            f"{label} must be an object of names and values in curly brackets, "
            f"not {_type_name(value)}.", (name,))
    pairs = []
    for row, (key, item) in enumerate(value):
        where = f"{label}, entry \"{key}\""
        pairs.append((key, _as_text(item, (name, row, "value"), where, notes)))
    return tuple(pairs)


def _play_item(value: Any, row: int, notes: list[Finding]) -> PlayItem:
    label = f"Play item {row + 1}"
    path = ("play", row)
    if not isinstance(value, JsonObject):
        raise DesignFormatError(
            f"{label} must be an object like {{\"type\": \"tts\", \"text\": \"...\"}}, "
            f"not {_type_name(value)}.", path)
    names = value.names()
    kind = value.get("type")
    if kind is None:
        if "text" in names and "album" not in names and "sort" not in names:
            kind = "tts"
        elif "album" in names or "sort" in names:
            kind = "file"
        else:
            raise DesignFormatError(
                f"{label} has no \"type\": it must be \"file\" (with album and sort) "
                "or \"tts\" (with text).", path)
        _note(notes, path + ("type",), "type_added",
              f"{label} had no \"type\"; it was taken as \"{kind}\" from its other fields.")
    if not isinstance(kind, str) or kind.strip().lower() not in ("file", "tts"):
        shown = kind if isinstance(kind, str) else _type_name(kind)
        raise DesignFormatError(
            f"{label} has the type \"{shown}\"; Voitex knows \"file\" (a library "
            "recording) and \"tts\" (text to speech).", path + ("type",))
    if kind != kind.strip().lower():
        _note(notes, path + ("type",), "type_normalised",
              f"{label} had the type \"{kind}\"; it is written \"{kind.strip().lower()}\".")
        kind = kind.strip().lower()
    wanted = ("album", "sort") if kind == "file" else ("text",)
    extra = [name for name in dict.fromkeys(names) if name not in wanted and name != "type"]
    if extra:
        listed = ", ".join(f"\"{name}\"" for name in extra)
        _note(notes, path, "item_field_dropped",
              f"{label} is a \"{kind}\" item, so {listed} does not belong in it and was left out.")
    if kind == "file":
        album = value.get("album", "")
        sort = value.get("sort", "")
        return FilePlay(album=_as_text(album, path + ("album",), f"{label}'s album", notes),
                        sort=_as_text(sort, path + ("sort",), f"{label}'s sort number", notes))
    return TtsPlay(text=_as_text(value.get("text", ""), path + ("text",), f"{label}'s text", notes))


def design_from_value(value: Any) -> ParsedDesign:
    """A design from JSON read with ``keep_pairs=True``."""
    if not isinstance(value, JsonObject):
        raise DesignFormatError(
            f"A branch response must be a JSON object, starting with {{, not {_type_name(value)}.")
    notes: list[Finding] = []
    seen: dict[str, int] = {}
    for name in value.names():
        seen[name] = seen.get(name, 0) + 1
    for name, count in seen.items():
        if count > 1 and name in FIELD_ORDER:
            _note(notes, (name,), "field_repeated",
                  f"\"{name}\" appears {count} times; the last one is used, as most "
                  "JSON readers would.")
    unknown = [name for name in seen if name not in FIELD_ORDER]
    if unknown:
        listed = ", ".join(f"\"{name}\"" for name in unknown)
        _note(notes, (), "unknown_field",
              f"{listed} {'is' if len(unknown) == 1 else 'are'} not part of the response "
              "Voitex reads (goto, play, inputs, variables), so the designer left "
              f"{'it' if len(unknown) == 1 else 'them'} out.")

    goto: str | None = None
    raw_goto = value.get("goto")
    if "goto" in seen:
        if raw_goto is None:
            _note(notes, ("goto",), "goto_null",
                  "\"goto\" was null, which means no branch; it was left out.")
        else:
            goto = _as_text(raw_goto, ("goto",), "Go to branch (goto)", notes)
            if goto == "":
                _note(notes, ("goto",), "goto_empty",
                      "\"goto\" was empty, which means no branch; it was left out.")
                goto = None

    play: list[PlayItem] = []
    if "play" in seen:
        raw_play = value.get("play")
        if isinstance(raw_play, JsonObject):
            _note(notes, ("play",), "play_single",
                  "\"play\" was a single item; Voitex expects a list, so it became a list of one.")
            raw_play = [raw_play]
        if raw_play is None:
            raw_play = []
        if not isinstance(raw_play, list) or isinstance(raw_play, JsonObject):
            raise DesignFormatError(
                f"\"play\" must be a list in square brackets, not {_type_name(raw_play)}.",
                ("play",))
        play = [_play_item(item, row, notes) for row, item in enumerate(raw_play)]

    inputs: tuple[Pair, ...] = ()
    if "inputs" in seen and value.get("inputs") is not None:
        inputs = _pairs(value.get("inputs"), "inputs", "Keys (inputs)", notes)
    variables: tuple[Pair, ...] = ()
    if "variables" in seen and value.get("variables") is not None:
        variables = _pairs(value.get("variables"), "variables", "Variables", notes)
    return ParsedDesign(Design(goto, tuple(play), inputs, variables), tuple(notes))


def parse_design(text: str) -> ParsedDesign:
    """A design from JSON text (strict, or with the sample's trailing commas).

    Raises `DesignFormatError` (a `ValueError`) with a message for the user when
    the text is not JSON or not shaped like a response.
    """
    try:
        result = read_json(text, keep_pairs=True)
    except LenientJSONError as error:
        raise DesignFormatError(f"This is not valid JSON. {error.message}") from None
    parsed = design_from_value(result.value)
    if result.fixes:
        note = Finding((), "warning", "import.lenient", describe_fixes(result.fixes)
                       + " What the console saves or copies is valid JSON.")
        return ParsedDesign(parsed.design, (note,) + parsed.notes)
    return parsed
