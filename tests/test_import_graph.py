"""The import graph of console/, read from the source: no cycles, and each layer
imports only what docs/design.md lets it (no Qt below ui/ and jobs/, no widgets in
jobs/, no httpx in ui/, nothing from a layer above).

Every import that runs counts, those inside functions too: two modules that
import each other are one module to understand, whenever the import runs.
Imports under `if TYPE_CHECKING:` never run and are not counted (annotations
may name a type from a module that imports this one). A package's `__init__`
that a submodule's import runs first is not counted as an edge.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "console"

# Cycles allowed for now, each with its reason: remove a line when its cycle
# goes; a new cycle fails the test. None at present (self_check.py names
# ConsoleApp only under TYPE_CHECKING, so app.py and it no longer form one).
KNOWN_CYCLES: set[frozenset[str]] = set()

QT = {"PySide6", "qasync", "shiboken6"}
# What each layer may import of console/ (docs/design.md, "Layers"), besides
# itself and the foundation: the package's own __init__ (the version) and the
# small Qt-free helpers every layer may use.
FOUNDATION = {"console", "console.resources", "console.logging_setup", "console.loopback"}
MAY_IMPORT = {
    "domain": set(),
    "api": {"domain"},
    "branch": {"domain"},
    "store": {"domain"},
    "jobs": {"api", "store", "domain"},
    "sandbox": {"api", "branch", "store", "domain"},
}
# Layers that never import Qt, not even through what they import.
QT_FREE_LAYERS = ["api", "domain", "branch", "store", "sandbox"]

# The upload queue's parts import no Qt: each runs, and is tested, without it.
# The same for the UI's words and rules that were taken out of their widgets.
QT_FREE = ["console.jobs.uploads.rows", "console.jobs.uploads.runner",
           "console.jobs.uploads.attempt", "console.jobs.uploads.persistence",
           "console.jobs.uploads.progress", "console.jobs.uploads.events",
           "console.ui.profile_fields", "console.ui.help_pages", "console.ui.branch.tester_text",
           "console.domain.card_data"]


@cache
def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _owner(name: str, root: Path) -> str | None:
    """The module under `root` that `name` (a module, or a name in one) is."""
    known = modules(root)
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
            or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` except those under `if TYPE_CHECKING:` (its `else:` runs)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))
    return found


@cache
def imports(module: str, root: Path = ROOT) -> tuple[frozenset[str], frozenset[str]]:
    """(modules under `root`, other modules) that `module` imports when it runs."""
    path = modules(root)[module]
    top = root.name
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    ours: set[str] = set()
    others: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules(root) else source
                     for alias in node.names]
        for name in names:
            if name.split(".")[0] != top:
                others.add(name)
            elif (owner := _owner(name, root)) is not None:
                ours.add(owner)
    ours.discard(module)
    return frozenset(ours), frozenset(others)


def cycles(root: Path = ROOT) -> list[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in imports(node, root)[0]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for module in sorted(modules(root)):
        if module not in index:
            visit(module)
    return found


def test_no_new_import_cycle_in_console():
    found = set(cycles())
    assert found - KNOWN_CYCLES == set(), "modules that import each other"
    assert KNOWN_CYCLES - found == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def reached(module: str, root: Path = ROOT) -> dict[str, str]:
    """Every module of `root` that importing `module` runs, each with the one that imports it."""
    seen = {module: module}
    todo = [module]
    while todo:
        current = todo.pop()
        for other in imports(current, root)[0]:
            if other not in seen:
                seen[other] = current
                todo.append(other)
    return seen


def layer(module: str) -> str:
    """`api` for console.api.client, `` for console and the top-level modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or len(parts) == 2 and parts[1] in MAY_IMPORT else ""


def qt_in(others: frozenset[str]) -> set[str]:
    return {name for name in others if name.split(".")[0] in QT}


def layer_breaches(root: Path = ROOT) -> list[str]:
    found = []
    for module in sorted(modules(root)):
        ours, others = imports(module, root)
        mine = layer(module)
        if mine in MAY_IMPORT:
            for other in sorted(ours):
                if other not in FOUNDATION and layer(other) not in MAY_IMPORT[mine] | {mine}:
                    found.append(f"{module} imports {other} (a layer above or beside {mine}/)")
        if mine in QT_FREE_LAYERS:
            for other, via in sorted(reached(module, root).items()):
                for name in sorted(qt_in(imports(other, root)[1])):
                    where = "" if other == module else f" through {other} (imported by {via})"
                    found.append(f"{module} imports {name}{where}")
        if mine == "jobs":
            found += [f"{module} imports {name} (jobs/ may use QtCore, never widgets)"
                      for name in sorted(qt_in(others)) if name not in {"PySide6", "PySide6.QtCore"}]
        if mine == "ui":
            found += [f"{module} imports {name} (ui/ never imports httpx)"
                      for name in sorted(others) if name.split(".")[0] == "httpx"]
    return found


def test_each_layer_imports_only_what_it_may():
    assert layer_breaches() == []


def test_the_layer_check_sees_qt_httpx_and_upward_imports(tmp_path):
    package = tmp_path / "console"
    for sub in ("store", "ui", "jobs", "domain"):
        (package / sub).mkdir(parents=True)
        (package / sub / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "resources.py").write_text("")
    (package / "domain" / "clock.py").write_text("from console import resources\n")
    (package / "store" / "helper.py").write_text("from PySide6 import QtCore\n")
    (package / "store" / "db.py").write_text("from console.domain import clock\n"
                                             "from typing import TYPE_CHECKING\n"
                                             "if TYPE_CHECKING:\n    from console.ui.tab import Tab\n"
                                             "def late():\n    from . import helper\n")
    (package / "jobs" / "queue.py").write_text("from PySide6.QtCore import QObject\n"
                                               "from PySide6.QtWidgets import QWidget\n")
    (package / "ui" / "tab.py").write_text("import httpx\nfrom console.store import db\n")
    (package / "domain" / "up.py").write_text("import console.store.db\n")
    assert layer_breaches(package) == [
        "console.domain.up imports console.store.db (a layer above or beside domain/)",
        "console.domain.up imports PySide6 through console.store.helper (imported by console.store.db)",
        "console.jobs.queue imports PySide6.QtWidgets (jobs/ may use QtCore, never widgets)",
        "console.store.db imports PySide6 through console.store.helper (imported by console.store.db)",
        "console.store.helper imports PySide6",
        "console.ui.tab imports httpx (ui/ never imports httpx)",
    ]


def test_the_cycle_finder_sees_late_imports_and_not_type_checking_ones(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "host.py").write_text("import typing\nfrom typing import TYPE_CHECKING\n"
                                     "if TYPE_CHECKING:\n    from pkg.sub.runner import Runner\n"
                                     "if typing.TYPE_CHECKING:\n    import pkg.sub.runner\n"
                                     "else:\n    from pkg import c\n")
    (package / "sub" / "runner.py").write_text("from ..host import Host\n")
    (package / "c.py").write_text("class C:\n    def f(self):\n        from pkg import host\n")
    (package / "a.py").write_text("def f():\n    import pkg.b\n")
    (package / "b.py").write_text("from pkg import a\nimport PySide6.QtCore\n")
    assert set(cycles(package)) == {frozenset({"pkg.host", "pkg.c"}),
                                    frozenset({"pkg.a", "pkg.b"})}
    assert imports("pkg.host", package) == (frozenset({"pkg.c"}), frozenset({"typing"}))
    assert imports("pkg.b", package) == (frozenset({"pkg.a"}), frozenset({"PySide6.QtCore"}))


def test_the_qt_free_parts_import_no_qt():
    for module in QT_FREE:
        for current, via in reached(module).items():
            assert not qt_in(imports(current)[1]), f"{current} (imported by {via}) imports Qt"
