"""The forms above the reply designer, one per kind of place in the project's
tree: the project's settings, a trigger, a rule (its name and condition), and
the words for an "otherwise" or fallback reply. Each emits `edited` when
the user changes it; `show_*` fills it without emitting."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
)

from console.branch.findings import Finding
from console.branch.project.condition_reader import ConditionError, parse_condition
from console.branch.project.conditions import format_condition
from console.branch.project.model import OtherBranch, Project, Rule, Trigger
from console.ui.branch.findings_view import InlineFindings, show_finding_look
from console.ui.branch.models import Column
from console.ui.branch.table_section import rows_section
from console.ui.layout import buddy_label, column, row, tool_button, wrapped_label

CONDITION_HELP = (
    "Examples: <b>input is 1</b> (the key pressed before this branch) \u00b7 "
    "<b>time is between 09:00 and 17:00</b> \u00b7 <b>day is sat, sun</b> \u00b7 "
    "<b>variable appointment is set</b> \u00b7 <b>caller starts with 845</b> \u00b7 "
    "<b>path ends with 100, 200</b> \u00b7 <b>always</b>. Join tests with <b>and</b>, "
    "<b>or</b>, <b>not</b> and brackets.")
SNIPPETS = (
    ("The key pressed is\u2026", "input is 1"),
    ("The time of day is between\u2026", "time is between 09:00 and 17:00"),
    ("The day of the week is\u2026", "day is mon, tue, wed, thu, fri"),
    ("A variable is set", "variable name is set"),
    ("A variable has a value", "variable name is value"),
    ("The caller's number starts with\u2026", "caller starts with 845"),
    ("The caller came through branches\u2026", "path ends with 100, 200"),
    ("Always", "always"),
)


def _line(placeholder: str, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(name)
    return edit


def _title(text: str) -> QLabel:
    return wrapped_label(f"<b>{text}</b>")


def _form(rows: tuple[tuple[str, QLineEdit], ...], findings: QWidget) -> QFormLayout:
    """Labelled fields (each label's buddy its field), and the findings under them."""
    form = QFormLayout()
    for text, edit in rows:
        form.addRow(buddy_label(text, edit), edit)
    form.addRow("", findings)
    return form


class SettingsForm(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_edit = _line("Appointments", "Project name")
        self.hotline_edit = _line("8459511110", "Hotline number")
        self.hotline_edit.setToolTip("The number callers dial (did): the offline walk sends it.")
        self.start_edit = _line("100", "First branch")
        self.start_edit.setToolTip("The branch a call to the hotline reaches first: the "
                                   "offline walk starts there.")
        self.start_findings = InlineFindings("First branch")
        self.others_model, self.others = rows_section(
            "Other &branches (set up in the Voitex portal)", "other_branches", [
                Column("branch", "Branch", "The branch number, like 500"),
                Column("name", "What it is", "A queue, voicemail, a menu\u2026")],
            add_actions=[("Add br&anch", "Add an other branch", lambda: ["", ""])],
            help_text="Branches a reply may lead to that are not triggers of this project "
                      "(a queue, voicemail). A branch listed here is not reported as leading "
                      "nowhere.", model_parent=self)
        form = _form((("Project &name:", self.name_edit),
                      ("Hot&line number (did):", self.hotline_edit),
                      ("Fir&st branch:", self.start_edit)), self.start_findings)
        column(_title("Project settings"), form, (self.others, 1), parent=self, margins=0)
        for edit in (self.name_edit, self.hotline_edit, self.start_edit):
            edit.textEdited.connect(self.edited)
        self._loading = False
        self.others_model.edited.connect(self._on_others_edited)

    def _on_others_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    def show_project(self, project: Project) -> None:
        self._loading = True
        try:
            for edit, text in ((self.name_edit, project.name),
                               (self.hotline_edit, project.hotline),
                               (self.start_edit, project.start_branch)):
                if edit.text() != text:
                    edit.setText(text)
            rows = [(o.branch, o.name) for o in project.other_branches]
            if [tuple(r) for r in self.others_model.rows()] != rows:
                self.others_model.set_rows(rows)  # `_loading`: not told as an edit
        finally:
            self._loading = False

    def other_branches(self) -> tuple[OtherBranch, ...]:
        return tuple(OtherBranch(branch, name) for branch, name in self.others_model.rows())

    def show_findings(self, findings: tuple[Finding, ...]) -> None:
        self.start_findings.set_findings(tuple(f for f in findings
                                               if f.path[:2] == ("settings", "start_branch")))
        self.others.show_findings(tuple(Finding(f.path[1:], f.severity, f.code, f.message)
                                        for f in findings if f.path[:2] == ("settings",
                                                                            "other_branches")))


class TriggerForm(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.branch_edit = _line("200", "Trigger's branch number")
        self.branch_edit.setToolTip("The number of the Trigger branch in the Voitex portal whose "
                                    "endpoint this project answers.")
        self.name_edit = _line("Reschedule", "Trigger's name")
        self.findings = InlineFindings("Trigger")
        self.summary = wrapped_label("", "What this trigger answers")
        form = _form((("Trigger's &branch number:", self.branch_edit),
                      ("Trigger's &name:", self.name_edit)), self.findings)
        title = _title("Trigger")
        about = wrapped_label("When a call reaches this branch, Voitex asks the endpoint what to "
                              "do. The rules below it are tried in order; the first whose "
                              "condition holds gives its reply, and \u201cOtherwise\u201d answers "
                              "when none does.")
        column(title, about, form, self.summary, 1, parent=self, margins=0)
        for edit in (self.branch_edit, self.name_edit):
            edit.textEdited.connect(self.edited)

    def show_trigger(self, trigger: Trigger) -> None:
        for edit, text in ((self.branch_edit, trigger.branch), (self.name_edit, trigger.name)):
            if edit.text() != text:
                edit.setText(text)
        lines = [f"{n + 1}. {rule.name or 'A rule'}: when {rule.when}"
                 for n, rule in enumerate(trigger.rules)]
        self.summary.setText("Its rules, in order:\n" + "\n".join(lines) if lines else
                             "It has no rules yet: \u201cOtherwise\u201d answers every call. "
                             "Add a rule for an answer that depends on the call.")


class RuleHeader(QWidget):
    """A rule's name and condition; the condition is read as it is typed."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _title("Rule")
        self.name_edit = _line("Office hours", "Rule name")
        self.when_edit = _line("input is 1 and time is between 09:00 and 17:00",
                               "Rule condition")
        self.when_edit.setToolTip(CONDITION_HELP)
        self.when_feedback = wrapped_label("", "What the condition means")
        self.insert_button = tool_button("Insert a te&st", "Insert a test into the condition")
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.insert_button)
        for text, snippet in SNIPPETS:
            menu.addAction(text).triggered.connect(lambda _c=False, s=snippet: self.insert(s))
        self.insert_button.setMenu(menu)
        column(self.title,
               row(buddy_label("Rul&e name:", self.name_edit), (self.name_edit, 1)),
               row(buddy_label("Whe&n:", self.when_edit), (self.when_edit, 3), self.insert_button),
               self.when_feedback, parent=self, margins=0)
        self.name_edit.textEdited.connect(self.edited)
        self.when_edit.textChanged.connect(self._on_when_changed)
        self._loading = False

    def show_rule(self, label: str, rule: Rule) -> None:
        self.title.setText(f"<b>{label}</b>: its reply, when its condition holds")
        self._loading = True
        try:
            if self.name_edit.text() != rule.name:
                self.name_edit.setText(rule.name)
            if self.when_edit.text() != rule.when:
                self.when_edit.setText(rule.when)
        finally:
            self._loading = False
        self._explain()

    def insert(self, snippet: str) -> None:
        text = self.when_edit.text().strip()
        if text in ("", "always"):
            self.when_edit.setText(snippet)
        else:
            self.when_edit.setText(f"{text} and {snippet}")
        self.when_edit.setFocus()

    def _on_when_changed(self, _text: str) -> None:
        self._explain()
        if not self._loading:
            self.edited.emit()

    def _explain(self) -> None:
        try:
            condition = parse_condition(self.when_edit.text())
        except ConditionError as error:
            words = f"\u26a0 At character {error.position + 1}: {error.message}"
            show_finding_look(self.when_edit, "error")
        else:
            words = f"Reads as: {format_condition(condition)}"
            show_finding_look(self.when_edit, "")
        self.when_feedback.setText(words)
        self.when_edit.setAccessibleDescription(words)


class ReplyHeader(QWidget):
    """The words above an "otherwise" reply or the project's fallback reply."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _title("")
        self.words = wrapped_label()
        column(self.title, self.words, parent=self, margins=0)

    def show_otherwise(self, label: str) -> None:
        self.title.setText(f"<b>{label}</b>: \u201cotherwise\u201d")
        self.words.setText("The reply when none of the trigger's rules holds (or when it has "
                           "no rules).")

    def show_fallback(self) -> None:
        self.title.setText("<b>Reply to unreadable requests</b>")
        self.words.setText("What the exported endpoint answers to a request it cannot read "
                           "(not JSON, too large) or one for a branch that is not a trigger "
                           "of this project.")
