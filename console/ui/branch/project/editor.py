"""The IVR project's editor: the tree of triggers and rules on the left, the
selected place's form and reply (today's designer, with its live preview
and findings) on the right, and the project-wide check under the tree.

Every edit goes into the project at once, so switching from rule to rule
never asks anything; the project as a whole is saved (or kept as a draft).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTreeView,
    QWidget,
)

from console.branch.findings import Finding, summary_text
from console.branch.project import edits
from console.branch.project.checks import check_project
from console.branch.project.model import (
    Place,
    Project,
    is_reply_place,
    new_project,
    place_label,
    place_of_path,
    reply_at,
    valid_place,
    with_reply,
)
from console.branch.project.project_file import project_to_text
from console.branch.schema import Design
from console.ui.branch.designer import DesignerPanel
from console.ui.branch.documents import add_shortcuts
from console.ui.branch.findings_view import FIELD_STYLE, FindingsList
from console.ui.branch.project.files import ProjectFiles
from console.ui.branch.project.place_forms import ReplyHeader, RuleHeader, SettingsForm, TriggerForm
from console.ui.branch.project.tree_actions import TreeActions
from console.ui.branch.project.tree_model import ProjectTreeModel
from console.ui.layout import buddy_label, column, fill, push_button, row, splitter, tool_button
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource
    from console.ui.messages import MessageBridge


class ProjectEditor(QWidget):
    project_changed = Signal()  # any change: an edit, a new or opened project

    def __init__(self, *, messages: MessageBridge | None = None, confirm: Confirm = default_confirm,
                 library: LibrarySource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirm = confirm
        self.library = library
        self.project = new_project()
        self.place = Place("otherwise", 0)
        self.path: Path | None = None
        self.clean_text = project_to_text(self.project)
        self.findings: tuple[Finding, ...] = ()
        self._showing = False
        self.setStyleSheet(FIELD_STYLE)

        self.designer = DesignerPanel(messages=messages, confirm=confirm, library=library,
                                      embedded=True)
        self.status = ResultLabel("Project result")
        self.files = ProjectFiles(self, dialog_parent=self, messages=messages, confirm=confirm)

        # -- the file row ------------------------------------------------------
        self.new_button = push_button("New project", "New IVR project", "A new, empty project (Ctrl+N)")
        self.open_button = push_button("Open\u2026", "Open an IVR project",
                                   "Open a project (.voitexivr) or a response design (.json) "
                                   "(Ctrl+O)")
        self.save_button = push_button("Save", "Save the IVR project", "Save the project (Ctrl+S)")
        self.save_as_button = push_button("Save as\u2026", "Save the IVR project as a new file",
                                      "Save the project under another name (Ctrl+Shift+S)")
        self.export_button = push_button("Export endpoint\u2026", "Export the endpoint",
                                     "Write one Python file that serves this project's replies "
                                     "to Voitex")
        self.export_tests_button = push_button("Export tests\u2026", "Export the walks as tests",
                                           "Write the saved walks as a test file that runs "
                                           "against the exported endpoint")
        files = row(self.new_button, self.open_button, self.save_button, self.save_as_button)
        files.addSpacing(12)
        fill(files, self.export_button, self.export_tests_button, 1)

        # -- the tree ------------------------------------------------------------
        self.model = ProjectTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Triggers and rules")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        # Long rule conditions scroll sideways instead of being cut short.
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        tree_label = buddy_label("&Triggers and rules (a call's rules are tried in order):",
                                 self.tree, wrap=True)
        self.add_trigger_button = tool_button(
            "Add tr&igger", "Add a trigger", "Add a Trigger branch whose endpoint this project answers")
        self.add_rule_button = tool_button(
            "Add r&ule", "Add a rule to the selected trigger",
            "Add a rule to the selected trigger, after the selected rule")
        self.remove_button = tool_button("Remove", "Remove the selected trigger or rule")
        self.up_button = tool_button("Up", "Move the selected trigger or rule up")
        self.down_button = tool_button("Down", "Move the selected trigger or rule down")
        tree_buttons = column(row(self.add_trigger_button, self.add_rule_button, 1),
                              row(self.remove_button, self.up_button, self.down_button, 1))
        self.check_list = FindingsList("Project check")
        self.check_summary = QLabel()
        self.check_summary.setAccessibleName("Project check summary")
        check_label = buddy_label("Project &check (double-click to go there):", self.check_list,
                                  wrap=True)
        left = QWidget()
        column(tree_label, (self.tree, 3), tree_buttons, check_label, self.check_summary,
               (self.check_list, 2), parent=left, margins=0)

        # -- the place ---------------------------------------------------------------
        self.settings_form = SettingsForm()
        self.trigger_form = TriggerForm()
        self.rule_header = RuleHeader()
        self.reply_header = ReplyHeader()
        self.forms = QStackedWidget()
        for form in (self.settings_form, self.trigger_form, self.rule_header, self.reply_header):
            self.forms.addWidget(form)
        right = QWidget()
        self._right_layout = column(self.forms, (self.designer, 1), parent=right, margins=0)

        self.splitter = splitter(Qt.Orientation.Horizontal, (left, 1), (right, 4), sizes=[230, 820])
        self.splitter.setChildrenCollapsible(False)
        column(files, self.status, (self.splitter, 1), parent=self)
        self.status.hide()

        # -- wiring ------------------------------------------------------------------
        self.tree_actions = TreeActions(self, dialog_parent=self)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._reselect)
        self.designer.design_changed.connect(self._on_design_changed)
        self.settings_form.edited.connect(self._on_settings_edited)
        self.trigger_form.edited.connect(self._on_trigger_edited)
        self.rule_header.edited.connect(self._on_rule_edited)
        self.check_list.finding_activated.connect(self.tree_actions.go_to_finding)
        self.add_trigger_button.clicked.connect(self.tree_actions.add_trigger)
        self.add_rule_button.clicked.connect(self.tree_actions.add_rule)
        self.remove_button.clicked.connect(self.tree_actions.remove_selected)
        self.up_button.clicked.connect(lambda: self.tree_actions.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.tree_actions.move_selected(1))
        self.new_button.clicked.connect(self.files.on_new)
        self.open_button.clicked.connect(self.files.on_open)
        self.save_button.clicked.connect(self.files.on_save)
        self.save_as_button.clicked.connect(self.files.on_save_as)
        self.export_button.clicked.connect(self.files.on_export_endpoint)
        self.export_tests_button.clicked.connect(self.files.on_export_tests)
        if library is not None:
            library.changed.connect(self.run_check)
        self.set_project(self.project)

    def bind_file_shortcuts(self, widget: QWidget) -> None:
        """Ctrl+N, O, S and Shift+S for the project while the focus is in `widget`."""
        add_shortcuts(widget, [("Ctrl+N", self.files.on_new), ("Ctrl+O", self.files.on_open),
                               ("Ctrl+S", self.files.on_save),
                               ("Ctrl+Shift+S", self.files.on_save_as)])

    # -- the project --------------------------------------------------------------
    def is_modified(self) -> bool:
        return project_to_text(self.project) != self.clean_text

    def set_project(self, project: Project, *, path: Path | None = None, clean: bool = True,
                    place: Place | None = None) -> None:
        """Show `project`; `clean`: as saved (New and Open then ask nothing)."""
        self.project = project
        self.path = path
        if clean:
            self.clean_text = project_to_text(project)
        self.model.beginResetModel()
        self.model.project = project
        self.model.endResetModel()
        self.tree.expandAll()
        self.select(place or self._first_place())
        self._changed()
        self.designer.set_document_name(path.name if path else "", project=True)

    def _first_place(self) -> Place:
        for t, trigger in enumerate(self.project.triggers):
            return Place("rule", t, 0) if trigger.rules else Place("otherwise", t)
        return Place("project")

    def apply_change(self, project: Project, place: Place | None = None) -> None:
        """A change made in the editor: `place` is what to select afterwards."""
        self.project = project
        self.model.set_project(project)
        self.tree.expandAll()
        if place is not None:
            self.select(place)
        self._changed()

    def _changed(self) -> None:
        self.run_check()
        self._update_buttons()
        self.project_changed.emit()

    def run_check(self) -> None:
        known = self.library.known_places() if self.library is not None else None
        self.findings = check_project(self.project, known)
        self.model.set_findings(self.findings)
        self.check_list.set_findings(self.findings)
        self.check_summary.setText(summary_text(self.findings))
        self.settings_form.show_findings(self.findings)
        mine = tuple(f for f in self.findings if f.path[:2] == ("triggers", self.place.trigger)
                     and place_of_path(f.path)[0] == Place("trigger", self.place.trigger))
        self.trigger_form.findings.set_findings(mine)

    # -- selection ----------------------------------------------------------------
    def select(self, place: Place) -> None:
        if not valid_place(self.project, place):
            place = self._first_place()
        index = self.model.index_of(place)
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.tree.scrollTo(index)
        if self.model.place_of(index) == place:
            self.show_place(place)

    def _reselect(self) -> None:
        self.tree.expandAll()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_place(self.model.place_of(current))

    def show_place(self, place: Place) -> None:
        self.place = place
        self._showing = True
        try:
            if place.kind == "project":
                self.settings_form.show_project(self.project)
                self.forms.setCurrentWidget(self.settings_form)
            elif place.kind == "trigger":
                self.trigger_form.show_trigger(self.project.triggers[place.trigger])
                self.forms.setCurrentWidget(self.trigger_form)
            elif place.kind == "rule":
                rule = self.project.triggers[place.trigger].rules[place.rule]
                self.rule_header.show_rule(place_label(self.project, place), rule)
                self.forms.setCurrentWidget(self.rule_header)
            elif place.kind == "otherwise":
                self.reply_header.show_otherwise(
                    place_label(self.project, Place("trigger", place.trigger)))
                self.forms.setCurrentWidget(self.reply_header)
            else:
                self.reply_header.show_fallback()
                self.forms.setCurrentWidget(self.reply_header)
            design = reply_at(self.project, place)
            self.designer.setVisible(design is not None)
            shown = self.forms.currentWidget()
            self.forms.setMaximumHeight(16_777_215 if design is None or shown is None
                                        else shown.sizeHint().height())
            # Laid out now, not at the next turn of the event loop: a click right
            # after choosing a place lands where the user sees it.
            self._right_layout.activate()
            if design is not None and design != self.designer.design():
                self.designer.set_design(design)
        finally:
            self._showing = False
        self.run_check()
        self._update_buttons()

    def _update_buttons(self) -> None:
        place = self.place
        structural = place.kind in ("trigger", "rule")
        self.add_rule_button.setEnabled(place.kind in ("trigger", "rule", "otherwise"))
        self.remove_button.setEnabled(structural)
        if place.kind == "trigger":
            count, at = len(self.project.triggers), place.trigger
        elif place.kind == "rule":
            count, at = len(self.project.triggers[place.trigger].rules), place.rule
        else:
            count, at = 0, 0
        self.up_button.setEnabled(structural and at > 0)
        self.down_button.setEnabled(structural and at < count - 1)

    # -- edits ------------------------------------------------------------------------
    def _on_design_changed(self) -> None:
        if self._showing or not is_reply_place(self.place):
            return
        design = self.designer.design()
        if design != reply_at(self.project, self.place):
            self.apply_change(with_reply(self.project, self.place, design))

    def _on_settings_edited(self) -> None:
        form = self.settings_form
        self.apply_change(replace(self.project, name=form.name_edit.text(),
                             hotline=form.hotline_edit.text(),
                             start_branch=form.start_edit.text(),
                             other_branches=form.other_branches()))

    def _on_trigger_edited(self) -> None:
        if self.place.kind == "trigger":
            form = self.trigger_form
            self.apply_change(edits.set_trigger(self.project, self.place.trigger,
                                           branch=form.branch_edit.text(),
                                           name=form.name_edit.text()))

    def _on_rule_edited(self) -> None:
        if self.place.kind == "rule":
            header = self.rule_header
            self.apply_change(edits.set_rule(self.project, self.place.trigger, self.place.rule,
                                        name=header.name_edit.text(),
                                        when=header.when_edit.text()))
            self.rule_header.title.setText(
                f"<b>{place_label(self.project, self.place)}</b>: its reply, when its "
                "condition holds")

    def set_reply(self, place: Place, design: Design) -> None:
        """Put `design` in the reply at `place` (the tester's "Open in designer", a
        reply taken from an endpoint) and show it."""
        self.apply_change(with_reply(self.project, place, design), place)
