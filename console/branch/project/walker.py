"""Walk a whole call through the project offline: the requests Voitex would send,
the reply the project gives to each, and the variables as they change.

The call starts at the project's first branch. Each reply offers keys and a
"Go to branch"; pressing a key or following the goto adds branch steps the
way the endpoint tester does (`tester.walk_steps`: the key is recorded on the
branch where it was pressed), and variables set by a reply travel in every
later request, as Voitex keeps them for the rest of the call. A walk can be
kept as a `SavedWalk`: its requests (never with a card verification value)
and the replies expected.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from console.branch.project.compiled import runtime_project
from console.branch.project.model import Project, SavedStep, SavedWalk, known_branches
from console.branch.project.project_file import request_text
from console.branch.project.runtime import Choice, choose_reply
from console.branch.request import DATE_TIME_FORMAT, BranchRequest, Payment, Step, new_call_id, request_payload
from console.branch.schema import KEYPAD_KEYS, Design, Pair, parse_design
from console.branch.tester import walk_steps
from console.branch.validation import branch_number_problem

NO_ROUTE = ("after playing, the call follows the Trigger branch's \u201cNo Route Found\u201d "
            "setting")


@dataclass(frozen=True)
class CallSetup:
    """Who calls, when: what the first request says besides its branch."""

    caller: str = "8459511000"
    caller_name: str = ""
    contact_info: str = "null"
    date_time: str = ""
    hotline: str = ""
    payments: tuple[Payment, ...] = ()
    call_id: str = ""


@dataclass(frozen=True)
class WalkStep:
    how: str  # "start", "key", "goto"
    key: str
    request: BranchRequest
    choice: Choice
    reply: Design
    answered_by: str  # "trigger 100 “Confirm”, rule 1 “Greeting”"
    variables: tuple[Pair, ...]  # what the call holds after this reply
    changed: tuple[str, ...]  # the names this reply set or changed


def merge_variables(held: tuple[Pair, ...], new: tuple[Pair, ...]) -> tuple[Pair, ...]:
    """`held` with `new` applied: a name already held takes the new value in its
    place, a new name is added at the end."""
    merged = list(held)
    for name, value in new:
        for row, (existing, _old) in enumerate(merged):
            if existing == name:
                merged[row] = (name, value)
                break
        else:
            merged.append((name, value))
    return tuple(merged)


def offered_keys(design: Design) -> dict[str, str]:
    """The keys of a reply a caller can press, each with its branch (usable ones only)."""
    return {key: branch for key, branch in design.inputs
            if key in KEYPAD_KEYS and branch_number_problem(branch) is None}


class OfflineWalk:
    def __init__(self, project: Project, setup: CallSetup) -> None:
        self.project = project
        self.runtime = runtime_project(project)
        date_time = setup.date_time or datetime.now().strftime(DATE_TIME_FORMAT)
        self.setup = replace(setup, date_time=date_time,
                             hotline=setup.hotline or project.hotline,
                             call_id=setup.call_id or new_call_id())
        self.steps: list[WalkStep] = []
        self.ended = ""  # why the call cannot go on; "" while it can
        self._ended_between = False  # the end is a move to a branch, not a step's reply

    # -- moving on -------------------------------------------------------------
    def start(self) -> None:
        self.steps = []
        self.ended = ""
        self._ended_between = False
        start = self.project.start_branch
        if branch_number_problem(start) is not None:
            self.ended = ("The project's first branch is not set: enter it in the project "
                          "settings, then start the walk again.")
        elif self.runtime.trigger_for(start) is None:
            self.ended = (f"The project's first branch, {start}, is not one of its triggers, "
                          "so there is nothing to ask. Enter a trigger's branch as the first "
                          "branch in the project settings.")
        else:
            self._ask("start", "", (Step(start, ""),), ())

    def press(self, key: str) -> None:
        branch = self.offered().get(key)
        if branch is None or self.ended:
            return
        last = self.steps[-1]
        self._move(branch, "key", key, walk_steps(last.request.branch_data, branch, key))

    def follow_goto(self) -> None:
        branch = self.goto_target()
        if branch is None or self.ended:
            return
        last = self.steps[-1]
        self._move(branch, "goto", "", walk_steps(last.request.branch_data, branch, None))

    def back(self) -> None:
        """Forget the last step (or the end of the walk), as if that key was not pressed."""
        if self.ended and self._ended_between:
            self.ended = ""
            self._ended_between = False
            return
        if self.steps:
            self.steps.pop()
        self.ended = ""

    def _move(self, branch: str, how: str, key: str, steps: tuple[Step, ...]) -> None:
        if self.runtime.trigger_for(branch) is None:
            where = known_branches(self.project).get(branch)
            if where is None:
                self.ended = (f"The call goes to branch {branch}, which the project does not "
                              "know: on a real call it would go nowhere.")
            else:
                self.ended = (f"The call goes to {where}: not a trigger of this project, so "
                              "the walk ends here.")
            self._ended_between = True
            return
        self._ask(how, key, steps, self.steps[-1].variables)

    def _ask(self, how: str, key: str, steps: tuple[Step, ...], held: tuple[Pair, ...]) -> None:
        setup = self.setup
        request = BranchRequest(call_id=setup.call_id, cid=setup.caller, cnam=setup.caller_name,
                                contact_info=setup.contact_info, date_time=setup.date_time,
                                did=setup.hotline, branch_data=steps,
                                payment_info=setup.payments, variables=held)
        choice = choose_reply(self.runtime, request_payload(request, cvv="send"))
        reply = parse_design(choice.reply).design
        variables = merge_variables(held, reply.variables)
        changed = tuple(name for name, value in reply.variables if (name, value) not in held)
        self.steps.append(WalkStep(how, key, request, choice, reply, self.answered_by(choice),
                                   variables, changed))
        if not reply.goto and not offered_keys(reply):
            self.ended = ("The reply offers no keys and no Go to branch: " + NO_ROUTE
                          + ". The walk ends here.")

    # -- what the caller can do -------------------------------------------------
    def offered(self) -> dict[str, str]:
        return offered_keys(self.steps[-1].reply) if self.steps and not self.ended else {}

    def goto_target(self) -> str | None:
        if not self.steps or self.ended:
            return None
        goto = self.steps[-1].reply.goto
        return goto if goto is not None and branch_number_problem(goto) is None else None

    def answered_by(self, choice: Choice) -> str:
        if choice.trigger is None:
            return "the project's fallback reply (" + choice.reason + ")"
        trigger = self.runtime.triggers[choice.trigger]
        name = f" \u201c{trigger.name}\u201d" if trigger.name else ""
        if choice.rule is None:
            return f"trigger {trigger.branch}{name}, its \u201cotherwise\u201d reply"
        rule = trigger.rules[choice.rule]
        rule_name = f" \u201c{rule.name}\u201d" if rule.name else ""
        return f"trigger {trigger.branch}{name}, rule {choice.rule + 1}{rule_name}"

    # -- keeping it ----------------------------------------------------------------
    def saved(self, name: str) -> SavedWalk:
        """The walk as a test case: each request without the card verification value."""
        return SavedWalk(name, tuple(
            SavedStep(how=step.how, key=step.key,
                      request=request_text(request_payload(step.request, cvv="omit")),
                      expect=step.reply, answered_by=step.answered_by)
            for step in self.steps))
