"""The `.voitexivr` project file: plain JSON, keys sorted, two-space indent, one
stable layout, so two versions of a project compare line by line.

Schema 2 (written today) keeps each reply as lists of pairs (``inputs`` as
``[{"key": "1", "branch": "100"}]``), so a key typed twice and the order of
what was typed survive sorted keys, and holds the walks saved as test cases
and the branches set up in the portal. Schema 1, the first project file, kept
each reply as the JSON object the endpoint returns; it opens and is saved as
schema 2. A single response design (a `.json` file of the designer, or the
designer's draft before projects) opens as a project with one trigger.

Every way a file can be wrong ends in `ProjectFormatError`, whose message
says where and what to do; nothing else escapes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from console.branch.errors import MessageError
from console.branch.lenient import JsonObject, LenientJSONError, read_json
from console.branch.project.model import OtherBranch, Project, Rule, SavedStep, SavedWalk, Trigger
from console.branch.schema import FIELD_ORDER, Design, DesignFormatError, FilePlay, design_from_value

FORMAT = "voitex-ivr-project"
SCHEMA = 2
SUFFIX = ".voitexivr"
MAX_FILE_BYTES = 5_000_000


class ProjectFormatError(MessageError, ValueError):
    """The message says what is wrong, for the user."""


@dataclass(frozen=True)
class OpenedProject:
    project: Project
    schema: int  # the schema it was written in; 0 for a single response design
    notes: tuple[str, ...] = ()  # what opening changed, for the user


# ---------------------------------------------------------------------------
# Writing


def design_value(design: Design) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if design.goto is not None:
        value["goto"] = design.goto
    if design.play:
        value["play"] = [{"type": "file", "album": item.album, "sort": item.sort}
                         if isinstance(item, FilePlay) else {"type": "tts", "text": item.text}
                         for item in design.play]
    if design.inputs:
        value["inputs"] = [{"key": key, "branch": branch} for key, branch in design.inputs]
    if design.variables:
        value["variables"] = [{"name": name, "value": text} for name, text in design.variables]
    return value


def request_text(payload: Any) -> str:
    """A saved request's stable text (keys sorted, as the file writes them)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def project_value(project: Project) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema": SCHEMA,
        "name": project.name,
        "hotline": project.hotline,
        "start_branch": project.start_branch,
        "other_branches": [{"branch": b.branch, "name": b.name} for b in project.other_branches],
        "fallback": design_value(project.fallback),
        "triggers": [{
            "branch": trigger.branch,
            "name": trigger.name,
            "rules": [{"name": rule.name, "when": rule.when, "reply": design_value(rule.reply)}
                      for rule in trigger.rules],
            "otherwise": design_value(trigger.otherwise),
        } for trigger in project.triggers],
        "walks": [{
            "name": walk.name,
            "steps": [{"how": step.how, "key": step.key, "request": json.loads(step.request),
                       "expect": design_value(step.expect), "answered_by": step.answered_by}
                      for step in walk.steps],
        } for walk in project.walks],
    }


def project_to_text(project: Project) -> str:
    return json.dumps(project_value(project), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


# ---------------------------------------------------------------------------
# Reading


def _kind(value: Any) -> str:
    if isinstance(value, JsonObject):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


def _object(value: Any, where: str) -> JsonObject:
    if not isinstance(value, JsonObject):
        raise ProjectFormatError(f"{where} must be an object in curly brackets, not {_kind(value)}.")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or isinstance(value, JsonObject):
        raise ProjectFormatError(f"{where} must be a list in square brackets, not {_kind(value)}.")
    return value


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    raise ProjectFormatError(f"{where} must be text in double quotes, not {_kind(value)}.")


class _Reader:
    def __init__(self, schema: int) -> None:
        self.schema = schema
        self.notes: list[str] = []

    def design(self, value: Any, where: str) -> Design:
        if value is None:
            return Design()
        source = _object(value, where)
        if self.schema >= 2:
            pairs: list[tuple[str, Any]] = []
            for name, item in source:
                if name == "inputs":
                    rows = [_object(row, f"{where}, a key") for row in _list(item, f"{where}, keys")]
                    item = JsonObject((_text(row.get("key"), f"{where}, a key"), row.get("branch"))
                                      for row in rows)
                elif name == "variables":
                    rows = [_object(row, f"{where}, a variable")
                            for row in _list(item, f"{where}, variables")]
                    item = JsonObject((_text(row.get("name"), f"{where}, a variable's name"),
                                       row.get("value")) for row in rows)
                pairs.append((name, item))
            source = JsonObject(pairs)
        try:
            parsed = design_from_value(source)
        except DesignFormatError as error:
            raise ProjectFormatError(f"{where}: {error.message}") from None
        self.notes.extend(f"{where}: {note.message}" for note in parsed.notes)
        return parsed.design

    def rule(self, value: Any, where: str) -> Rule:
        source = _object(value, where)
        return Rule(name=_text(source.get("name"), f"{where}, its name"),
                    when=_text(source.get("when", "always"), f"{where}, its condition (when)"),
                    reply=self.design(source.get("reply"), f"{where}, its reply"))

    def trigger(self, value: Any, where: str) -> Trigger:
        source = _object(value, where)
        rules = _list(source.get("rules"), f"{where}, its rules")
        return Trigger(
            branch=_text(source.get("branch"), f"{where}, its branch number"),
            name=_text(source.get("name"), f"{where}, its name"),
            rules=tuple(self.rule(rule, f"{where}, rule {row + 1}")
                        for row, rule in enumerate(rules)),
            otherwise=self.design(source.get("otherwise"), f"{where}, its \u201cotherwise\u201d reply"))

    def walk_step(self, value: Any, where: str) -> SavedStep:
        source = _object(value, where)
        request = _object(source.get("request"), f"{where}, its request")
        for payment in _list(request.get("payment_info"), f"{where}, its payment_info"):
            if isinstance(payment, JsonObject) and "cvv" in payment.names():
                payment[:] = [(name, item) for name, item in payment if name != "cvv"]
                self.notes.append(f"{where}: the request held a card verification value; it "
                                  "was left out, as the console never keeps one.")
        how = _text(source.get("how"), f"{where}, how it was reached")
        if how not in ("start", "key", "goto"):
            raise ProjectFormatError(f"{where}: \u201chow\u201d must be start, key or goto, "
                                     f"not \u201c{how[:20]}\u201d.")
        return SavedStep(how=how, key=_text(source.get("key"), f"{where}, its key"),
                         request=request_text(_plain(request)),
                         expect=self.design(source.get("expect"), f"{where}, its expected reply"),
                         answered_by=_text(source.get("answered_by"), f"{where}, answered by"))

    def project(self, source: JsonObject) -> Project:
        others = []
        for row, item in enumerate(_list(source.get("other_branches"), "Other branches")):
            other = _object(item, f"Other branch {row + 1}")
            others.append(OtherBranch(_text(other.get("branch"), f"Other branch {row + 1}'s number"),
                                      _text(other.get("name"), f"Other branch {row + 1}'s name")))
        walks = []
        for row, item in enumerate(_list(source.get("walks"), "Walks")):
            walk = _object(item, f"Walk {row + 1}")
            steps = _list(walk.get("steps"), f"Walk {row + 1}'s steps")
            walks.append(SavedWalk(_text(walk.get("name"), f"Walk {row + 1}'s name"),
                                   tuple(self.walk_step(step, f"Walk {row + 1}, step {n + 1}")
                                         for n, step in enumerate(steps))))
        triggers = _list(source.get("triggers"), "Triggers")
        return Project(
            name=_text(source.get("name"), "The project's name"),
            hotline=_text(source.get("hotline"), "The hotline number"),
            start_branch=_text(source.get("start_branch"), "The first branch"),
            other_branches=tuple(others),
            fallback=self.design(source.get("fallback"), "The reply to unreadable requests"),
            triggers=tuple(self.trigger(item, f"Trigger {row + 1}")
                           for row, item in enumerate(triggers)),
            walks=tuple(walks))


def _plain(value: Any) -> Any:
    """JsonObjects as dicts again (for a saved request's text)."""
    if isinstance(value, JsonObject):
        return {name: _plain(item) for name, item in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _from_design(source: JsonObject) -> OpenedProject:
    reader = _Reader(1)
    design = reader.design(source, "The response design")
    note = ("This file holds a single reply (a response design), so it opened as a project "
            "with one trigger that always gives it, as its \u201cotherwise\u201d reply. Enter "
            "the trigger's branch number, then save it as a project.")
    return OpenedProject(Project(triggers=(Trigger(otherwise=design),)), 0,
                         (note,) + tuple(reader.notes))


def project_from_value(value: Any) -> OpenedProject:
    """A project from decoded JSON (objects as `JsonObject`)."""
    source = _object(value, "An IVR project file")
    names = source.names()
    if "format" not in names and "schema" not in names:
        if all(name in FIELD_ORDER for name in names):
            return _from_design(source)
        raise ProjectFormatError("This is not an IVR project file: it has no \u201cformat\u201d: "
                                 f"\u201c{FORMAT}\u201d. Open a .voitexivr file, or a response "
                                 "design (.json) saved by the designer.")
    if source.get("format") != FORMAT:
        raise ProjectFormatError(f"This is not an IVR project file: its \u201cformat\u201d is not "
                                 f"\u201c{FORMAT}\u201d.")
    schema = source.get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
        raise ProjectFormatError("The project file's \u201cschema\u201d must be a whole number "
                                 "like 2.")
    if schema > SCHEMA:
        raise ProjectFormatError(f"This project was written by a newer Voitex Console (schema "
                                 f"{schema}); this one reads schemas 1 to {SCHEMA}. Update the "
                                 "console to open it.")
    reader = _Reader(schema)
    project = reader.project(source)
    notes = tuple(reader.notes)
    if schema < SCHEMA:
        notes = (f"This project was written in the older schema {schema}; it is saved as "
                 f"schema {SCHEMA}, which older consoles cannot open.",) + notes
    return OpenedProject(project, schema, notes)


def parse_project_text(text: str) -> OpenedProject:
    try:
        value = read_json(text, keep_pairs=True).value
    except LenientJSONError as error:
        raise ProjectFormatError(f"This is not valid JSON. {error.message}") from None
    return project_from_value(value)


def parse_project_bytes(data: bytes) -> OpenedProject:
    """A project from a file's bytes: too big, not UTF-8 or not JSON all say so."""
    if len(data) > MAX_FILE_BYTES:
        raise ProjectFormatError(f"The file is {len(data):,} bytes; a project file is at most "
                                 f"{MAX_FILE_BYTES:,}. Is it the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectFormatError("This is not a text file (it is not UTF-8), so not a project "
                                 "file.") from None
    return parse_project_text(text)
