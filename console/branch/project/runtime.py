"""Which reply a project gives to one request: the code that the offline walk and
the exported endpoint share, so the two can never disagree.

The project arrives here as plain JSON (`runtime_data` in the exporter): its
name, the reply for requests that cannot be read, and each trigger's branch,
rules (a name, a condition in the condition language, a reply) and the
"otherwise" reply. Replies are the exact JSON text the endpoint returns.
Standard library only, Python 3.10: the exported endpoint carries a copy.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.branch.project.condition_reader import ConditionError, parse_condition
from console.branch.project.conditions import DAYS, CallFacts, Condition, evaluate

DATE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class ProjectDataError(ValueError):
    """The embedded project data is not shaped as `runtime_data` writes it."""


@dataclass(frozen=True)
class RuntimeRule:
    name: str
    condition: Condition | None  # None: the text did not parse, so the rule never answers
    reply: str


@dataclass(frozen=True)
class RuntimeTrigger:
    branch: str
    name: str
    rules: tuple[RuntimeRule, ...]
    otherwise: str


@dataclass(frozen=True)
class RuntimeProject:
    name: str
    version: str
    fallback: str
    triggers: tuple[RuntimeTrigger, ...]

    def trigger_for(self, branch: str) -> int | None:
        for index, trigger in enumerate(self.triggers):
            if trigger.branch == branch:
                return index
        return None


@dataclass(frozen=True)
class Choice:
    """The reply chosen for one request and why, in plain words."""

    branch: str | None  # the branch the request is for (its last step), if readable
    trigger: int | None  # index of the trigger that answered; None: the project's fallback
    rule: int | None  # index of the rule that matched; None: "otherwise" or the fallback
    reply: str  # the JSON text to return
    reason: str


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def version_of(data: Any) -> str:
    """The project's version hash: the same replies and rules give the same hash."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()[:12]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return ""


def _field(value: Any, name: str, where: str) -> str:
    if not isinstance(value, dict) or not isinstance(value.get(name), str):
        raise ProjectDataError(f"{where} has no text {name!r}")
    text: str = value[name]
    return text


def load_project(data: Any) -> RuntimeProject:
    """The project from its runtime JSON (already decoded)."""
    if not isinstance(data, dict) or not isinstance(data.get("triggers"), list):
        raise ProjectDataError("the project data is not an object with a list of triggers")
    triggers = []
    for position, item in enumerate(data["triggers"]):
        where = f"trigger {position + 1}"
        rules_data = item.get("rules") if isinstance(item, dict) else None
        if not isinstance(rules_data, list):
            raise ProjectDataError(f"{where} has no list of rules")
        rules = []
        for rule in rules_data:
            condition: Condition | None
            try:
                condition = parse_condition(_field(rule, "when", where))
            except ConditionError:
                condition = None
            rules.append(RuntimeRule(_field(rule, "name", where), condition,
                                     _field(rule, "reply", where)))
        triggers.append(RuntimeTrigger(_field(item, "branch", where), _field(item, "name", where),
                                       tuple(rules), _field(item, "otherwise", where)))
    return RuntimeProject(_field(data, "name", "the project"), version_of(data),
                          _field(data, "fallback", "the project"), tuple(triggers))


def _objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def facts_from_payload(payload: dict[str, Any]) -> CallFacts:
    """What the conditions can ask about a request, read leniently: a field of the
    wrong type counts as missing, never as an error."""
    steps = [(_text(step.get("branch")), _text(step.get("input")))
             for step in _objects(payload.get("branch_data"))]
    last_input = next((keys for _branch, keys in reversed(steps) if keys), "")
    variables = tuple((str(name), _text(value))
                      for item in _objects(payload.get("variables"))
                      for name, value in item.items())
    minute: int | None = None
    day: str | None = None
    try:
        moment = datetime.strptime(_text(payload.get("date_time")), DATE_TIME_FORMAT)
    except ValueError:
        pass
    else:
        minute = moment.hour * 60 + moment.minute
        day = DAYS[moment.weekday()]
    return CallFacts(input=last_input, path=tuple(branch for branch, _keys in steps),
                     variables=variables, caller=_text(payload.get("cid")),
                     hotline=_text(payload.get("did")), minute=minute, day=day)


def current_branch(payload: dict[str, Any]) -> str | None:
    """The branch of the request's last step: the Trigger branch it is for."""
    steps = _objects(payload.get("branch_data"))
    return _text(steps[-1].get("branch")) if steps else None


def choose_reply(project: RuntimeProject, payload: dict[str, Any]) -> Choice:
    """The first rule of the request's trigger whose condition holds, else that
    trigger's "otherwise" reply; the project's fallback when no trigger is for it."""
    branch = current_branch(payload)
    if branch is None:
        return Choice(None, None, None, project.fallback,
                      "the request has no branch steps, so the project's fallback reply")
    index = project.trigger_for(branch)
    if index is None:
        return Choice(branch, None, None, project.fallback,
                      f"branch {branch} is not a trigger of this project, so the project's "
                      "fallback reply")
    trigger = project.triggers[index]
    facts = facts_from_payload(payload)
    for number, rule in enumerate(trigger.rules):
        if rule.condition is not None and evaluate(rule.condition, facts):
            return Choice(branch, index, number, rule.reply,
                          f"rule {number + 1} \u201c{rule.name}\u201d matched")
    return Choice(branch, index, None, trigger.otherwise,
                  "no rule matched, so the \u201cotherwise\u201d reply")
