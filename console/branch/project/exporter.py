"""Export a project as one self-contained Python file that serves its replies.

The file is the source of `conditions`, `condition_reader`, `runtime` and
`endpoint_server`
(without their module docstrings and their imports of each other), then the
project's data and three lines that start it. So the endpoint runs exactly
the code the offline walk runs, with the standard library only.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources

from console import __version__
from console.branch.errors import MessageError
from console.branch.project.compiled import project_version, runtime_data
from console.branch.project.condition_reader import ConditionError, parse_condition
from console.branch.project.model import Place, Project, place_label
from console.branch.validation import branch_number_problem

MODULES = ("conditions.py", "condition_reader.py", "runtime.py", "endpoint_server.py")


class ExportError(MessageError):
    """The project cannot be exported as it is: `message` says what is wrong and what
    to change."""


@dataclass(frozen=True)
class Export:
    text: str
    version: str


def slug(name: str, default: str = "ivr-project") -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return words[:40].strip("-") or default


def endpoint_file_name(project: Project) -> str:
    return f"{slug(project.name)}-endpoint.py"


def tests_file_name(project: Project) -> str:
    return f"test_{slug(project.name).replace('-', '_')}_endpoint.py"


def blocking_problems(project: Project) -> list[str]:
    """What would make the endpoint answer differently from the offline walk:
    a condition that does not parse, a trigger without a usable or with a
    repeated branch number. The export waits until these are corrected."""
    problems = []
    seen: set[str] = set()
    for t, trigger in enumerate(project.triggers):
        label = place_label(project, Place("trigger", t))
        problem = branch_number_problem(trigger.branch)
        if problem:
            problems.append(f"{label}: its branch number {problem}.")
        elif trigger.branch in seen:
            problems.append(f"{label}: branch {trigger.branch} is used by another trigger too.")
        seen.add(trigger.branch)
        for r, rule in enumerate(trigger.rules):
            try:
                parse_condition(rule.when)
            except ConditionError as error:
                problems.append(f"{place_label(project, Place('rule', t, r))}: its condition "
                                f"cannot be read: {error.message}")
    return problems


def module_body(source: str) -> str:
    """`source` without its docstring, its ``__future__`` import and its imports
    from the console (the endpoint file holds those modules itself)."""
    tree = ast.parse(source)
    drop: set[int] = set()
    for position, node in enumerate(tree.body):
        is_docstring = (position == 0 and isinstance(node, ast.Expr)
                        and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str))
        is_internal = isinstance(node, ast.ImportFrom) and (
            node.module == "__future__" or (node.module or "").startswith("console"))
        if is_docstring or is_internal:
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    lines = source.splitlines()
    kept = [line for number, line in enumerate(lines, start=1) if number not in drop]
    return "\n".join(kept).strip("\n") + "\n"


def _source(name: str) -> str:
    try:
        return resources.files("console.branch.project").joinpath(name).read_text(
            encoding="utf-8")
    except (OSError, ModuleNotFoundError) as error:
        raise ExportError(f"This copy of the console cannot export an endpoint: its source "
                          f"file {name} is missing ({error}). Reinstall the console.") from None


def _literal_lines(text: str) -> str:
    return "\n".join(f"    {line!r}" for line in text.splitlines(keepends=True))


def export_endpoint(project: Project, *, today: date | None = None) -> Export:
    problems = blocking_problems(project)
    if problems:
        raise ExportError("The endpoint was not exported: " + " ".join(problems[:3])
                          + (f" ({len(problems) - 3} more in the project check.)"
                             if len(problems) > 3 else ""))
    version = project_version(project)
    data = json.dumps(runtime_data(project), ensure_ascii=True, sort_keys=True, indent=1)
    name = json.dumps(project.name or "IVR project", ensure_ascii=True)
    header = f'''#!/usr/bin/env python3
r"""Voitex IVR endpoint for the project {name}, version {version}.

Exported by Voitex Console {__version__} on {(today or date.today()).isoformat()}. It needs
only Python 3.10 or newer and its standard library.

Run it as its own process:

    python3 {endpoint_file_name(project)} --host 0.0.0.0 --port 8080

and enter its address as the endpoint of each Trigger branch of the project.
Requests can carry card data: on a live line, put it behind a web server that
speaks https. Behind a web server it also runs as a WSGI application, named
`application` in this file. GET /health answers with the project's version.

A request that is not JSON or is too large gets the project's fallback reply
and a log line on standard error. Log lines never hold the request's body.
Do not edit this file: change the project in Voitex Console and export again.
"""
from __future__ import annotations
'''
    bodies = []
    for module in MODULES:
        bodies.append(f"# --- {module} " + "-" * (70 - len(module)) + "\n\n"
                      + module_body(_source(module)))
    footer = f'''
# --- the project ------------------------------------------------------------

PROJECT_JSON = (
{_literal_lines(data)}
)
PROJECT = load_project(json.loads(PROJECT_JSON))
application = make_wsgi_app(PROJECT)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], PROJECT))
'''
    return Export(header + "\n\n" + "\n\n".join(bodies) + footer, version)
