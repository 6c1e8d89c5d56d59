"""Changes to a project, each a function from a project to a new one, with the
place the editor should show next. Indexes out of range change nothing."""
from __future__ import annotations

from dataclasses import replace

from console.branch.project.model import Place, Project, Rule, SavedWalk, Trigger, with_trigger
from console.branch.schema import Design


def _moved(items: tuple[object, ...], index: int, offset: int) -> list[object] | None:
    target = index + offset
    if not (0 <= index < len(items) and 0 <= target < len(items)):
        return None
    moved = list(items)
    moved.insert(target, moved.pop(index))
    return moved


def add_trigger(project: Project, after: int | None = None) -> tuple[Project, Place]:
    """A new trigger after `after` (at the end when None); the next free hundred
    as its branch number, so a new flow reads 100, 200, 300."""
    used = {trigger.branch for trigger in project.triggers}
    number = next(str(n) for n in range(100, 1_000_000, 100) if str(n) not in used)
    position = len(project.triggers) if after is None else min(after + 1, len(project.triggers))
    triggers = list(project.triggers)
    triggers.insert(position, Trigger(branch=number))
    return replace(project, triggers=tuple(triggers)), Place("trigger", position)


def remove_trigger(project: Project, index: int) -> tuple[Project, Place]:
    if not 0 <= index < len(project.triggers):
        return project, Place("project")
    triggers = project.triggers[:index] + project.triggers[index + 1:]
    project = replace(project, triggers=triggers)
    if not triggers:
        return project, Place("project")
    return project, Place("trigger", min(index, len(triggers) - 1))


def move_trigger(project: Project, index: int, offset: int) -> tuple[Project, Place]:
    moved = _moved(project.triggers, index, offset)
    if moved is None:
        return project, Place("trigger", index)
    return replace(project, triggers=tuple(t for t in moved if isinstance(t, Trigger))), \
        Place("trigger", index + offset)


def set_trigger(project: Project, index: int, *, branch: str | None = None,
                name: str | None = None) -> Project:
    if not 0 <= index < len(project.triggers):
        return project
    trigger = project.triggers[index]
    return with_trigger(project, index, replace(
        trigger, branch=trigger.branch if branch is None else branch,
        name=trigger.name if name is None else name))


def add_rule(project: Project, trigger: int, after: int | None = None) -> tuple[Project, Place]:
    """A new rule in `trigger`, after rule `after` (at the end when None)."""
    if not 0 <= trigger < len(project.triggers):
        return project, Place("project")
    rules = list(project.triggers[trigger].rules)
    position = len(rules) if after is None else min(after + 1, len(rules))
    rules.insert(position, Rule(name=f"Rule {len(rules) + 1}", when="always", reply=Design()))
    return (with_trigger(project, trigger, replace(project.triggers[trigger], rules=tuple(rules))),
            Place("rule", trigger, position))


def remove_rule(project: Project, trigger: int, index: int) -> tuple[Project, Place]:
    if not 0 <= trigger < len(project.triggers):
        return project, Place("project")
    rules = project.triggers[trigger].rules
    if not 0 <= index < len(rules):
        return project, Place("trigger", trigger)
    rules = rules[:index] + rules[index + 1:]
    project = with_trigger(project, trigger, replace(project.triggers[trigger], rules=rules))
    if rules:
        return project, Place("rule", trigger, min(index, len(rules) - 1))
    return project, Place("otherwise", trigger)


def move_rule(project: Project, trigger: int, index: int, offset: int) -> tuple[Project, Place]:
    if not 0 <= trigger < len(project.triggers):
        return project, Place("project")
    moved = _moved(project.triggers[trigger].rules, index, offset)
    if moved is None:
        return project, Place("rule", trigger, index)
    rules = tuple(rule for rule in moved if isinstance(rule, Rule))
    return (with_trigger(project, trigger, replace(project.triggers[trigger], rules=rules)),
            Place("rule", trigger, index + offset))


def set_rule(project: Project, trigger: int, index: int, *, name: str | None = None,
             when: str | None = None) -> Project:
    if not (0 <= trigger < len(project.triggers)
            and 0 <= index < len(project.triggers[trigger].rules)):
        return project
    rules = list(project.triggers[trigger].rules)
    rule = rules[index]
    rules[index] = replace(rule, name=rule.name if name is None else name,
                           when=rule.when if when is None else when)
    return with_trigger(project, trigger, replace(project.triggers[trigger], rules=tuple(rules)))


def add_walk(project: Project, walk: SavedWalk) -> Project:
    """Keep `walk`; one of the same name is replaced (saving a walk again)."""
    kept = tuple(w for w in project.walks if w.name != walk.name)
    if len(kept) == len(project.walks):
        return replace(project, walks=project.walks + (walk,))
    walks = list(project.walks)
    walks[[w.name for w in project.walks].index(walk.name)] = walk
    return replace(project, walks=tuple(walks))


def remove_walk(project: Project, index: int) -> Project:
    if not 0 <= index < len(project.walks):
        return project
    return replace(project, walks=project.walks[:index] + project.walks[index + 1:])
