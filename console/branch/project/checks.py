"""The project-wide check, in plain words, each finding tied to its place.

Besides each reply's own findings (the designer's validation), it looks
across replies: a "Go to branch" or a key that leads nowhere, a key that
leads to a trigger where no rule answers it, a rule that can never be
reached, a variable read before any reply on the way sets it, a condition
that does not parse, and a recording the Library's catalogue does not hold.
Paths start with the place (see `model.Place.path`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from console.branch.findings import Finding, Path, Severity
from console.branch.project.condition_reader import ConditionError, parse_condition
from console.branch.project.conditions import (
    AllOf,
    AnyOf,
    Clause,
    Condition,
    Not,
    variables_read,
)
from console.branch.project.model import Place, Project, known_branches, place_label, reply_at
from console.branch.project.partial import Known, could_hold
from console.branch.schema import Design, FilePlay
from console.branch.validation import branch_number_problem, shown, validate

KnownPlaces = frozenset[tuple[int, int]]


@dataclass(frozen=True)
class _Reply:
    place: Place
    source: str | None  # the trigger branch that gives it; None for the fallback


def _replies(project: Project) -> Iterator[_Reply]:
    yield _Reply(Place("fallback"), None)
    for t, trigger in enumerate(project.triggers):
        for r in range(len(trigger.rules)):
            yield _Reply(Place("rule", t, r), trigger.branch)
        yield _Reply(Place("otherwise", t), trigger.branch)


def _conditions(project: Project) -> dict[tuple[int, int], Condition | None]:
    parsed: dict[tuple[int, int], Condition | None] = {}
    for t, trigger in enumerate(project.triggers):
        for r, rule in enumerate(trigger.rules):
            try:
                parsed[(t, r)] = parse_condition(rule.when)
            except ConditionError:
                parsed[(t, r)] = None
    return parsed


class _Check:
    def __init__(self, project: Project, library: KnownPlaces | None) -> None:
        self.project = project
        self.library = library
        self.findings: list[Finding] = []
        self.known = known_branches(project)
        self.conditions = _conditions(project)
        self.triggers = {t.branch: i for i, t in reversed(list(enumerate(project.triggers)))}

    def add(self, place: Place, rest: Path, severity: Severity, code: str, words: str) -> None:
        self.findings.append(Finding(place.path() + rest, severity, f"project.{code}",
                                     f"{place_label(self.project, place)}: {words}"))

    def settings(self) -> None:
        project, here = self.project, Place("project")
        start = project.start_branch
        if not project.triggers:
            self.add(here, (), "error", "no_triggers",
                     "the project has no triggers. Add one with \u201cAdd trigger\u201d.")
        if start == "":
            self.add(here, ("start_branch",), "warning", "no_start",
                     "the first branch is empty. Enter the branch a call to the hotline "
                     "reaches first: the offline walk starts there.")
        elif problem := branch_number_problem(start):
            self.add(here, ("start_branch",), "error", "bad_start", f"the first branch {problem}.")
        elif start not in self.triggers:
            self.add(here, ("start_branch",), "warning", "start_not_trigger",
                     f"the first branch, {start}, is not one of the project's triggers, so "
                     "the offline walk has nothing to ask there.")
        if project.hotline and not (project.hotline.isascii() and project.hotline.isdigit()):
            self.add(here, ("hotline",), "warning", "hotline_not_digits",
                     f"the hotline number {shown(project.hotline)} is not digits only; Voitex "
                     "sends numbers like 8459511110.")
        for row, other in enumerate(project.other_branches):
            if problem := branch_number_problem(other.branch):
                self.add(here, ("other_branches", row), "error", "bad_other",
                         f"other branch {row + 1}: the branch {problem}.")
            elif other.branch in self.triggers:
                self.add(here, ("other_branches", row), "warning", "other_is_trigger",
                         f"branch {other.branch} is listed as an other branch and is also a "
                         "trigger of this project. Remove it from the other branches.")

    def trigger_numbers(self) -> None:
        seen: dict[str, int] = {}
        for t, trigger in enumerate(self.project.triggers):
            place = Place("trigger", t)
            if problem := branch_number_problem(trigger.branch):
                self.add(place, ("branch",), "error", "bad_trigger_branch",
                         f"its branch number {problem}.")
            elif trigger.branch in seen:
                self.add(place, ("branch",), "error", "duplicate_trigger",
                         f"branch {trigger.branch} is also trigger {seen[trigger.branch] + 1}. "
                         "Voitex calls one endpoint per branch; give each trigger its own "
                         "number, or move these rules into one trigger.")
            else:
                seen[trigger.branch] = t

    def rules(self) -> None:
        for t, trigger in enumerate(self.project.triggers):
            always_at: int | None = None
            for r, rule in enumerate(trigger.rules):
                place = Place("rule", t, r)
                try:
                    condition = parse_condition(rule.when)
                except ConditionError as error:
                    self.add(place, ("when",), "error", "bad_condition",
                             f"its condition cannot be read at character "
                             f"{error.position + 1}: {error.message} The rule never answers "
                             "until it is corrected.")
                    continue
                if always_at is not None:
                    self.add(place, ("when",), "warning", "unreachable_rule",
                             f"it is never reached: rule {always_at + 1} before it always "
                             "matches. Move it up, or narrow rule "
                             f"{always_at + 1}'s condition.")
                elif could_hold(condition, Known()) is True:
                    always_at = r
                for test in _tests(condition):
                    if test.op == "between" and test.values[0] == test.values[1]:
                        self.add(place, ("when",), "warning", "empty_time",
                                 f"its time is between {test.values[0]} and {test.values[1]}, "
                                 "which is no time at all. Give two different times.")

    def targets(self) -> None:
        for reply in _replies(self.project):
            design = reply_at(self.project, reply.place)
            if design is None:
                continue
            base = ("reply",) if reply.place.kind == "rule" else ()
            if design.goto is not None and branch_number_problem(design.goto) is None:
                self.target(reply, base + ("goto",), design.goto, None, "its Go to branch")
            for row, (key, branch) in enumerate(design.inputs):
                if branch_number_problem(branch) is None:
                    self.target(reply, base + ("inputs", row, "branch"), branch, key,
                                f"key {key}")

    def target(self, reply: _Reply, rest: Path, branch: str, key: str | None, what: str) -> None:
        if branch not in self.known:
            self.add(reply.place, rest, "error", "leads_nowhere",
                     f"{what} leads to branch {branch}, which is neither a trigger of this "
                     "project nor one of its other branches. Correct the number, or add the "
                     "branch under Other branches if it is set up in the Voitex portal.")
            return
        index = self.triggers.get(branch)
        if index is None:
            return
        trigger = self.project.triggers[index]
        end = (reply.source, branch) if reply.source is not None else (branch,)
        known = Known(input=key if key else None, path_end=end)
        results = [could_hold(c, known) if c is not None else False
                   for (t, _r), c in self.conditions.items() if t == index]
        if all(result is False for result in results) and trigger.otherwise.is_empty():
            answer = f"key {key}" if key else "the call"
            self.add(reply.place, rest, "error", "nothing_answers",
                     f"{what} leads to {self.known[branch]}, where no rule answers {answer} "
                     "and the \u201cotherwise\u201d reply is empty. Add a rule there, or an "
                     "\u201cotherwise\u201d reply.")

    def variables(self) -> None:
        project = self.project
        set_anywhere = {name for reply in _replies(project)
                        for name, _ in (reply_at(project, reply.place) or Design()).variables}
        arriving = self.flow()
        for t, trigger in enumerate(project.triggers):
            for r, _rule in enumerate(trigger.rules):
                condition = self.conditions.get((t, r))
                if condition is None:
                    continue
                for name in variables_read(condition):
                    before = arriving.get(t)
                    if name not in set_anywhere:
                        why = "no reply in the project sets it"
                    elif before is not None and name not in before:
                        why = "no reply on the way to this trigger sets it"
                    else:
                        continue
                    self.add(Place("rule", t, r), ("when",), "warning", "variable_unset",
                             f"its condition reads the variable {shown(name)}, but {why}, so "
                             "it is not there when this rule is checked (unless a branch set "
                             "up in the Voitex portal sets it).")

    def flow(self) -> dict[int, set[str]]:
        """For each trigger reachable from the first branch, the variables some
        reply on some way there may have set."""
        project = self.project
        start = self.triggers.get(project.start_branch)
        if start is None:
            return {}
        arriving: dict[int, set[str]] = {start: set()}
        changed = True
        while changed:
            changed = False
            for source in list(arriving):
                trigger = project.triggers[source]
                for design in [rule.reply for rule in trigger.rules] + [trigger.otherwise]:
                    carried = arriving[source] | {name for name, _ in design.variables}
                    targets = [design.goto] + [branch for _key, branch in design.inputs]
                    for branch in targets:
                        index = self.triggers.get(branch or "")
                        if index is None:
                            continue
                        new = index not in arriving
                        before = arriving.setdefault(index, set())
                        if new or not carried <= before:
                            before |= carried
                            changed = True
        for t, trigger in enumerate(project.triggers):
            if t not in arriving and trigger.branch:
                self.add(Place("trigger", t), (), "info", "not_reached",
                         "no reply in the project leads here from the first branch; a call "
                         "reaches it only from a branch set up in the Voitex portal.")
        return arriving

    def replies(self) -> None:
        for reply in _replies(self.project):
            design = reply_at(self.project, reply.place)
            if design is None:
                continue
            base = ("reply",) if reply.place.kind == "rule" else ()
            for finding in validate(design):
                if finding.severity == "info" or (reply.place.kind == "fallback"
                                                  and finding.severity != "error"):
                    continue
                self.add(reply.place, base + finding.path, finding.severity,
                         finding.code, _lower_first(finding.message))
            if self.library is None:
                continue
            for row, item in enumerate(design.play):
                if not isinstance(item, FilePlay):
                    continue
                album, sort = item.album.strip(), item.sort.strip()
                if album.isdigit() and sort.isdigit() and (int(album), int(sort)) not in self.library:
                    self.add(reply.place, base + ("play", row), "warning", "not_in_library",
                             f"play item {row + 1}, album {int(album)} / sort {int(sort)}, is "
                             "not in the Library's catalogue for this account. Check it exists "
                             "(it may have been added in the Voitex portal), or choose one "
                             "with \u201cAdd from the library\u201d.")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _tests(condition: Condition) -> Iterator[Clause]:
    if isinstance(condition, Clause):
        yield condition
    elif isinstance(condition, Not):
        yield from _tests(condition.item)
    elif isinstance(condition, (AllOf, AnyOf)):
        for item in condition.items:
            yield from _tests(item)


def check_project(project: Project, library: KnownPlaces | None = None) -> tuple[Finding, ...]:
    """Every finding about `project`; `library` is the catalogue's (album, sort)
    places for the active account, or None to leave recordings unchecked."""
    check = _Check(project, library)
    check.settings()
    check.trigger_numbers()
    check.rules()
    check.targets()
    check.variables()
    check.replies()
    order = {"error": 0, "warning": 1, "info": 2}
    return tuple(sorted(check.findings, key=lambda f: order[f.severity]))
