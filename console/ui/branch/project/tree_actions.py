"""What the editor's tree buttons and its project check do: add, remove and move
triggers and rules (asking before anything is removed), and go to the place a
finding is about."""
from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from console.branch.findings import Finding
from console.branch.project import edits
from console.branch.project.model import Place, Project, is_reply_place, place_label, place_of_path
from console.domain.wording import plural
from console.ui.branch.designer import DesignerPanel
from console.ui.branch.project.place_forms import RuleHeader, SettingsForm, TriggerForm
from console.ui.widgets import Confirm, question_box


class TreeHost(Protocol):
    """What the tree's actions work on: the project editor (`ProjectEditor`)."""

    project: Project
    place: Place
    trigger_form: TriggerForm
    rule_header: RuleHeader
    settings_form: SettingsForm
    designer: DesignerPanel
    confirm: Confirm

    def apply_change(self, project: Project, place: Place | None = None) -> None: ...
    def select(self, place: Place) -> None: ...


class TreeActions:
    def __init__(self, editor: TreeHost, *, dialog_parent: QWidget) -> None:
        self.editor = editor
        self._dialog_parent = dialog_parent

    def add_trigger(self) -> None:
        after = self.editor.place.trigger if self.editor.place.trigger >= 0 else None
        project, place = edits.add_trigger(self.editor.project, after)
        self.editor.apply_change(project, place)
        self.editor.trigger_form.branch_edit.setFocus()
        self.editor.trigger_form.branch_edit.selectAll()

    def add_rule(self) -> None:
        if self.editor.place.trigger < 0:
            return
        after = self.editor.place.rule if self.editor.place.kind == "rule" else None
        project, place = edits.add_rule(self.editor.project, self.editor.place.trigger, after)
        self.editor.apply_change(project, place)
        self.editor.rule_header.name_edit.setFocus()
        self.editor.rule_header.name_edit.selectAll()

    def remove_selected(self) -> None:
        place = self.editor.place
        if place.kind == "trigger":
            trigger = self.editor.project.triggers[place.trigger]
            what = place_label(self.editor.project, place)
            if trigger.rules:
                what += f" and its {plural(len(trigger.rules), 'rule')}"
            if not self._confirm_removal(what):
                return
            self.editor.apply_change(*edits.remove_trigger(self.editor.project, place.trigger))
        elif place.kind == "rule":
            if not self._confirm_removal(place_label(self.editor.project, place)):
                return
            self.editor.apply_change(*edits.remove_rule(self.editor.project, place.trigger,
                                                   place.rule))

    def _confirm_removal(self, what: str) -> bool:
        return self.editor.confirm(question_box(
            self._dialog_parent, title="Remove?", text=f"Remove {what[:1].lower() + what[1:]}?",
            informative="Its replies go too. Until the project is saved, the saved file still "
                        "has them.", accept="Remove"))

    def move_selected(self, offset: int) -> None:
        place = self.editor.place
        if place.kind == "trigger":
            self.editor.apply_change(*edits.move_trigger(self.editor.project, place.trigger, offset))
        elif place.kind == "rule":
            self.editor.apply_change(*edits.move_rule(self.editor.project, place.trigger, place.rule,
                                                 offset))

    def go_to_finding(self, finding: Finding) -> None:
        editor = self.editor
        place, rest = place_of_path(finding.path)
        editor.select(place)
        first = str(rest[0]) if rest else ""
        if place.kind == "project":
            form = editor.settings_form
            if first == "other_branches":
                form.others.table.select_row(int(rest[1]) if len(rest) > 1 else 0)
                form.others.table.setFocus()
            else:
                {"name": form.name_edit, "hotline": form.hotline_edit}.get(
                    first, form.start_edit).setFocus()
        elif place.kind == "trigger":
            trigger = editor.trigger_form
            (trigger.name_edit if first == "name" else trigger.branch_edit).setFocus()
        elif place.kind == "rule" and first in ("when", "name"):
            header = editor.rule_header
            (header.when_edit if first == "when" else header.name_edit).setFocus()
        elif is_reply_place(place):
            editor.designer.go_to_finding(Finding(rest, finding.severity, finding.code,
                                                  finding.message))
