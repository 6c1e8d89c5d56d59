"""An IVR project as data: its triggers, their ordered rules and replies, and the
walks kept as test cases.

Everything is kept exactly as typed (a branch number with a space, a condition
that does not parse), as the designer keeps a reply, so the project check can
point at the mistake. A `Place` names one node of the project's tree (the
project, its fallback reply, a trigger, a rule, a trigger's "otherwise"), and
finding paths start with the place they are about (see `place_of_path`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from console.branch.findings import Path
from console.branch.schema import Design

PlaceKind = Literal["project", "fallback", "trigger", "rule", "otherwise"]


@dataclass(frozen=True)
class Rule:
    name: str = ""
    when: str = "always"  # the condition, as typed (see conditions.py)
    reply: Design = Design()


@dataclass(frozen=True)
class Trigger:
    branch: str = ""
    name: str = ""
    rules: tuple[Rule, ...] = ()
    otherwise: Design = Design()  # the reply when no rule matches


@dataclass(frozen=True)
class OtherBranch:
    """A branch set up in the Voitex portal (a queue, voicemail, a menu) that a
    reply may lead to but that is not a Trigger answered by this project."""

    branch: str = ""
    name: str = ""


@dataclass(frozen=True)
class SavedStep:
    """One request of a saved walk and the reply the project gave to it."""

    how: str  # "start", "key" or "goto": how the caller reached this request's branch
    key: str  # the key pressed, for "key"
    request: str  # the request as JSON (the card verification value left out)
    expect: Design  # the reply expected
    answered_by: str  # plain words, when saved: "trigger 200, rule 1 “Has appointment”"


@dataclass(frozen=True)
class SavedWalk:
    name: str
    steps: tuple[SavedStep, ...]


@dataclass(frozen=True)
class Project:
    name: str = ""
    hotline: str = ""  # the number called (did), used as the walk's hotline
    start_branch: str = ""  # the first branch a call to the hotline reaches
    other_branches: tuple[OtherBranch, ...] = ()
    fallback: Design = Design()  # the reply to a request that cannot be read
    triggers: tuple[Trigger, ...] = ()
    walks: tuple[SavedWalk, ...] = ()


def new_project() -> Project:
    """What File > New gives: one trigger, ready for its first reply."""
    return Project(triggers=(Trigger(),))


@dataclass(frozen=True)
class Place:
    kind: PlaceKind
    trigger: int = -1
    rule: int = -1

    def path(self) -> Path:
        """The start of the finding paths about this place."""
        if self.kind == "project":
            return ("settings",)
        if self.kind == "fallback":
            return ("fallback",)
        if self.kind == "trigger":
            return ("triggers", self.trigger)
        if self.kind == "rule":
            return ("triggers", self.trigger, "rules", self.rule)
        return ("triggers", self.trigger, "otherwise")

    def reply_path(self) -> Path:
        """The start of the paths about this place's reply."""
        return self.path() + ("reply",) if self.kind == "rule" else self.path()


def place_of_path(path: Path) -> tuple[Place, Path]:
    """The place a finding's path is about, and the rest of the path (a design's
    path for a reply, a field name otherwise)."""
    if path[:1] == ("fallback",):
        return Place("fallback"), path[1:]
    if len(path) >= 2 and path[0] == "triggers" and isinstance(path[1], int):
        trigger = path[1]
        if path[2:3] == ("otherwise",):
            return Place("otherwise", trigger), path[3:]
        if len(path) >= 4 and path[2] == "rules" and isinstance(path[3], int):
            rest = path[4:]
            if rest[:1] == ("reply",):
                return Place("rule", trigger, path[3]), rest[1:]
            return Place("rule", trigger, path[3]), rest
        return Place("trigger", trigger), path[2:]
    return Place("project"), path[1:] if path[:1] == ("settings",) else path


def is_reply_place(place: Place) -> bool:
    return place.kind in ("fallback", "rule", "otherwise")


def valid_place(project: Project, place: Place) -> bool:
    if place.kind in ("project", "fallback"):
        return True
    if not 0 <= place.trigger < len(project.triggers):
        return False
    if place.kind == "rule":
        return 0 <= place.rule < len(project.triggers[place.trigger].rules)
    return True


def reply_at(project: Project, place: Place) -> Design | None:
    if not valid_place(project, place):
        return None
    if place.kind == "fallback":
        return project.fallback
    if place.kind == "rule":
        return project.triggers[place.trigger].rules[place.rule].reply
    if place.kind == "otherwise":
        return project.triggers[place.trigger].otherwise
    return None


def with_reply(project: Project, place: Place, design: Design) -> Project:
    if not valid_place(project, place):
        return project
    if place.kind == "fallback":
        return replace(project, fallback=design)
    trigger = project.triggers[place.trigger]
    if place.kind == "rule":
        rules = list(trigger.rules)
        rules[place.rule] = replace(rules[place.rule], reply=design)
        trigger = replace(trigger, rules=tuple(rules))
    elif place.kind == "otherwise":
        trigger = replace(trigger, otherwise=design)
    else:
        return project
    return with_trigger(project, place.trigger, trigger)


def with_trigger(project: Project, index: int, trigger: Trigger) -> Project:
    triggers = list(project.triggers)
    triggers[index] = trigger
    return replace(project, triggers=tuple(triggers))


def trigger_label(project: Project, index: int) -> str:
    """ "Trigger 200 “Reschedule”", or "Trigger 2" while it has no number or name."""
    trigger = project.triggers[index]
    number = trigger.branch.strip() or f"{index + 1} (no branch number yet)"
    name = f" \u201c{trigger.name.strip()}\u201d" if trigger.name.strip() else ""
    return f"Trigger {number}{name}"


def rule_label(rule: Rule, index: int) -> str:
    name = f" \u201c{rule.name.strip()}\u201d" if rule.name.strip() else ""
    return f"rule {index + 1}{name}"


def place_label(project: Project, place: Place) -> str:
    """Where a finding is, in words: "Trigger 200 “Reschedule”, rule 1 “Has appointment”"."""
    if place.kind == "project":
        return "Project settings"
    if place.kind == "fallback":
        return "The reply to unreadable requests"
    if not valid_place(project, place):
        return "The project"
    label = trigger_label(project, place.trigger)
    if place.kind == "rule":
        return f"{label}, {rule_label(project.triggers[place.trigger].rules[place.rule], place.rule)}"
    if place.kind == "otherwise":
        return f"{label}, \u201cotherwise\u201d reply"
    return label


def known_branches(project: Project) -> dict[str, str]:
    """Every branch number the project knows, with what it is, in words."""
    known: dict[str, str] = {}
    for other in project.other_branches:
        number = other.branch
        if number.strip():
            known.setdefault(number, f"branch {number}"
                             + (f" \u201c{other.name.strip()}\u201d" if other.name.strip() else "")
                             + ", set up in the Voitex portal")
    for index, trigger in enumerate(project.triggers):
        number = trigger.branch
        if number.strip():
            known[number] = trigger_label(project, index).replace("Trigger", "trigger", 1)
    return known
