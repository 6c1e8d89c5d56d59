"""The project's tree: the project (with its reply to unreadable requests), then
each trigger with its rules in order and its "otherwise" reply.

Rows: top level 0 is the project, 1.. the triggers. Under the project, row 0
is the fallback reply; under a trigger, its rules, then "otherwise". An
index's internal id is 0 at the top level and 1 + the top-level row below it.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QStyle

from console.branch.findings import SEVERITY_RANK, Finding
from console.branch.project.model import Place, Project, place_of_path, rule_label
from console.domain.wording import plural

_ICONS = {"error": QStyle.StandardPixmap.SP_MessageBoxCritical,
          "warning": QStyle.StandardPixmap.SP_MessageBoxWarning}
AnyIndex = QModelIndex | QPersistentModelIndex


def _short(text: str, size: int = 48) -> str:
    return text if len(text) <= size else text[:size - 1] + "\u2026"


class ProjectTreeModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = Project()
        self._findings: dict[Place, list[Finding]] = {}

    # -- what it shows -----------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Show `project`; a change of shape resets the tree, a change of words
        only repaints it (so the selection and the open editors stay)."""
        shape = [len(t.rules) for t in project.triggers]
        if shape != [len(t.rules) for t in self.project.triggers]:
            self.beginResetModel()
            self.project = project
            self.endResetModel()
            return
        self.project = project
        self._repaint()

    def set_findings(self, findings: tuple[Finding, ...]) -> None:
        by_place: dict[Place, list[Finding]] = {}
        for finding in findings:
            place, _rest = place_of_path(finding.path)
            by_place.setdefault(place, []).append(finding)
        if by_place != self._findings:
            self._findings = by_place
            self._repaint()

    def _repaint(self) -> None:
        top = self.rowCount()
        if top:
            self.dataChanged.emit(self.index(0, 0), self.index(top - 1, 0))
        for row in range(top):
            parent = self.index(row, 0)
            count = self.rowCount(parent)
            if count:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(count - 1, 0, parent))

    # -- places ----------------------------------------------------------------
    def place_of(self, index: AnyIndex) -> Place:
        if not index.isValid():
            return Place("project")
        owner = index.internalId()
        if owner == 0:
            return Place("project") if index.row() == 0 else Place("trigger", index.row() - 1)
        if owner == 1:
            return Place("fallback")
        trigger = owner - 2
        rules = len(self.project.triggers[trigger].rules)
        return Place("rule", trigger, index.row()) if index.row() < rules \
            else Place("otherwise", trigger)

    def index_of(self, place: Place) -> QModelIndex:
        if place.kind == "project":
            return self.index(0, 0)
        if place.kind == "fallback":
            return self.index(0, 0, self.index(0, 0))
        if not 0 <= place.trigger < len(self.project.triggers):
            return self.index(0, 0)
        parent = self.index(place.trigger + 1, 0)
        if place.kind == "trigger":
            return parent
        rules = len(self.project.triggers[place.trigger].rules)
        if place.kind == "rule" and 0 <= place.rule < rules:
            return self.index(place.rule, 0, parent)
        return self.index(rules, 0, parent)

    def text(self, place: Place) -> str:
        project = self.project
        if place.kind == "project":
            return f"Project \u201c{project.name}\u201d" if project.name.strip() else "Project settings"
        if place.kind == "fallback":
            return "Reply to unreadable requests"
        trigger = project.triggers[place.trigger]
        if place.kind == "trigger":
            number = trigger.branch.strip() or "(no number)"
            return f"Trigger {number}  {_short(trigger.name, 30)}".rstrip()
        if place.kind == "rule":
            rule = trigger.rules[place.rule]
            label = rule_label(rule, place.rule)
            return f"{label[:1].upper()}{label[1:]}: when {_short(rule.when)}"
        return "Otherwise (when no rule matches)"

    # -- the model ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0 or row >= self.rowCount(parent):
            return QModelIndex()
        owner = 0 if not parent.isValid() else parent.row() + 1
        return self.createIndex(row, column, owner)

    # QObject.parent() and QAbstractItemModel.parent(index) are one overloaded name in the
    # stubs; a model overrides only the index form, which mypy reports as an override.
    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return 1 + len(self.project.triggers)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        if parent.row() == 0:
            return 1
        trigger = parent.row() - 1
        return len(self.project.triggers[trigger].rules) + 1 \
            if trigger < len(self.project.triggers) else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and section == 0:
            return "Triggers and rules"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        place = self.place_of(index)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(place)
        found = self._findings.get(place, [])
        worst = min((f.severity for f in found), key=SEVERITY_RANK.__getitem__, default="info")
        if role == Qt.ItemDataRole.DecorationRole and worst in _ICONS:
            return QApplication.style().standardIcon(_ICONS[worst])
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = [f for f in found if f.severity != "info"]
            if not problems:
                return self.text(place)
            return (f"{plural(len(problems), 'finding')} here, for example: "
                    f"{problems[0].message}")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
