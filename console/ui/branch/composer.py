"""The request composer: the JSON Voitex would POST to a Trigger endpoint.

The card verification value is typed in a field that shows it only while it is
being typed; everywhere else (preview, clipboard, saved files) it is masked or
left out (see console/branch/request.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QScrollArea, QWidget

from console.branch.findings import Finding
from console.branch.request import (
    BranchRequest,
    RequestFormatError,
    Step,
    new_call_id,
    now_text,
    parse_request,
    request_to_json,
    sample_request,
    validate_request,
)
from console.ui.branch.documents import DocumentButtons, Documents
from console.ui.branch.findings_view import FIELD_STYLE, FindingsList, InlineFindings, mark_field
from console.ui.branch.models import Column
from console.ui.branch.payments_editor import PaymentsEditor
from console.ui.branch.preview import JsonPreview
from console.ui.branch.table_section import rows_section
from console.ui.layout import buddy_label, column, push_button, row, splitter
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.ui.messages import MessageBridge


class RequestComposer(QWidget):
    request_changed = Signal()

    FIELDS = (
        ("call_id", "Call &ID (call_id)", "The same for every request of one call"),
        ("cid", "Caller's &number (cid)", "The number the caller calls from, like 8459511000"),
        ("cnam", "Caller ID na&me (cnam)", "The caller ID name, like VOITEX"),
        ("contact_info", "C&ontact info (contact_info)",
         "The contact's details, or null when the number is not in the contacts"),
        ("date_time", "Dat&e and time (date_time)", "YYYY-MM-DD HH:MM:SS"),
        ("did", "Hotline n&umber (did)", "The number the caller dialled, like 8459511110"),
    )

    def __init__(self, *, messages: MessageBridge | None = None, confirm: Confirm = default_confirm,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._clean_json = ""
        self._findings: tuple[Finding, ...] | None = None  # None: nothing shown yet
        self.setStyleSheet(FIELD_STYLE)

        self.edits: dict[str, QLineEdit] = {}
        self.field_findings: dict[str, InlineFindings] = {}
        grid = QGridLayout()
        for line, (name, title, hint) in enumerate(self.FIELDS):
            edit = QLineEdit()
            edit.setAccessibleName(title.replace("&", ""))
            edit.setToolTip(hint)
            edit.setPlaceholderText(hint if name == "date_time" else "")
            findings = InlineFindings(title.replace("&", ""))
            grid.addWidget(buddy_label(title + ":", edit), line * 2, 0)
            grid.addWidget(edit, line * 2, 1)
            grid.addWidget(findings, line * 2 + 1, 1)
            self.edits[name] = edit
            self.field_findings[name] = findings
            edit.textChanged.connect(self._on_changed)
        self.new_id_button = push_button("New ID", "Make a new call ID",
                                         "A new call: Voitex gives every call its own ID")
        self.now_button = push_button("Now", "Set the date and time to now")
        grid.addWidget(self.new_id_button, 0, 2)
        grid.addWidget(self.now_button, 8, 2)
        grid.setColumnStretch(1, 1)

        self.steps_model, self.steps_section = rows_section(
            "Branch steps (branch_data), oldes&t first", "branch_data", [
                Column("branch", "Branch", "A branch number the caller passed, like 0"),
                Column("input", "Keys pressed", "What the caller keyed in there: 0 to 9, * and #"),
            ], add_actions=[("Add step", "Add a branch step", lambda: ["", ""])],
            help_text="The branches the caller went through and the keys pressed in each. "
                      "An endpoint usually decides by the last step.", model_parent=self)
        self.payments = PaymentsEditor()
        self.variables_model, self.variables_section = rows_section(
            "&Variables set earlier in the call", "variables", [
                Column("name", "Name", "The variable's name"),
                Column("value", "Value", "Its value"),
            ], add_actions=[("Add variable", "Add a variable", lambda: ["", ""])],
            model_parent=self)

        form = QWidget()
        column(grid, self.steps_section, self.payments, self.variables_section, 1, parent=form)
        for section in (self.steps_section, self.variables_section):
            # A few rows are typical; the tables scroll beyond that, and the
            # payments stay in sight below them.
            section.table.setMaximumHeight(section.table.minimumHeight())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form)
        scroll.setAccessibleName("Request form")

        self.sample_button = push_button("Fill with the sample",
                                         "Fill the request with the documentation's sample",
                                         "The documentation's sample request, with a new call "
                                         "ID and the current time")
        self.file_buttons = DocumentButtons(
            new=("New", "New request"), open=("Open\u2026", "Open a saved request"),
            save=("Save\u2026", "Save the request (never with the CVV)"),
            copy=("Copy", "Copy the request JSON (CVV masked)"))
        self.new_button, self.open_button, self.save_button, self.copy_button = self.file_buttons.all()
        actions = row(self.sample_button, *self.file_buttons.all(), 1)
        self.status = ResultLabel("Request result")
        self.documents = Documents(self, what="request", status=self.status,
                                   messages=messages, confirm=confirm)
        self.preview = JsonPreview("Request JSON preview")
        self.preview.setMinimumHeight(120)
        preview_label = buddy_label("Request JSON (CVV shown as ***):", self.preview)
        self.findings_list = FindingsList("Request findings")
        self.findings_list.setMaximumHeight(70)

        bottom = QWidget()
        column(preview_label, (self.preview, 1),
               buddy_label("Problems in the request:", self.findings_list), self.findings_list,
               parent=bottom, margins=0)
        parts = splitter(Qt.Orientation.Vertical, (scroll, 3), (bottom, 1), sizes=[560, 200])
        column(QLabel("<b>Request</b>: what Voitex sends to your endpoint"), actions, self.status,
               (parts, 1), parent=self, margins=0)

        self.new_id_button.clicked.connect(self.regenerate_call_id)
        self.now_button.clicked.connect(
            lambda: self.edits["date_time"].setText(now_text()))
        self.steps_model.edited.connect(self._on_changed)
        self.variables_model.edited.connect(self._on_changed)
        self.payments.changed.connect(self._on_changed)
        self.sample_button.clicked.connect(self.on_sample_clicked)
        self.file_buttons.connect(self, new=self.on_new_clicked, open=self.on_open_clicked,
                                  save=self.on_save_clicked, copy=self.copy_request)
        self.findings_list.finding_activated.connect(self.go_to_finding)
        self.set_request(sample_request(with_payment=False))

    # -- the request ---------------------------------------------------------
    def request(self) -> BranchRequest:
        text = {name: edit.text() for name, edit in self.edits.items()}
        return BranchRequest(
            call_id=text["call_id"], cid=text["cid"], cnam=text["cnam"],
            contact_info=text["contact_info"], date_time=text["date_time"], did=text["did"],
            branch_data=tuple(Step(branch, key) for branch, key in self.steps_model.pairs()),
            payment_info=self.payments.payments(),
            variables=tuple(self.variables_model.pairs()),
        )

    def set_request(self, request: BranchRequest) -> None:
        self._loading = True
        try:
            for name, edit in self.edits.items():
                edit.setText(getattr(request, name))
            self.steps_model.set_rows((s.branch, s.input) for s in request.branch_data)
            self.payments.set_payments(request.payment_info)
            self.variables_model.set_rows(request.variables)
        finally:
            self._loading = False
        self._clean_json = self.masked_json()
        self.refresh()

    def masked_json(self) -> str:
        return request_to_json(self.request(), cvv="mask")

    def findings(self) -> tuple[Finding, ...]:
        return self._findings or ()

    def is_modified(self) -> bool:
        return self.masked_json() != self._clean_json

    def append_step(self, step: Step) -> None:
        self.steps_model.insert_row(self.steps_model.rowCount(), [step.branch, step.input])

    def regenerate_call_id(self) -> None:
        self.edits["call_id"].setText(new_call_id())

    # -- updating ------------------------------------------------------------
    def _on_changed(self, *_args: object) -> None:
        if not self._loading:
            self.refresh()

    def refresh(self) -> None:
        request = self.request()
        self.preview.set_json(request_to_json(request, cvv="mask"))
        findings = validate_request(request)
        if findings != self._findings:
            self._findings = findings
            for name, edit in self.edits.items():
                mine = tuple(f for f in findings if f.is_about(name))
                self.field_findings[name].set_findings(mine)
                mark_field(edit, mine)
            self.steps_section.show_findings(findings)
            self.variables_section.show_findings(findings)
            self.findings_list.set_findings(findings)
        self.payments.show_findings(findings)
        self.request_changed.emit()

    def go_to_finding(self, finding: Finding) -> None:
        path = finding.path
        if not path:
            return
        head, row = path[0], path[1] if len(path) >= 2 and isinstance(path[1], int) else None
        if isinstance(head, str) and head in self.edits:
            self.edits[head].setFocus()
        elif head == "payment_info" and row is not None and len(path) >= 3:
            self.payments.list.setCurrentRow(row)
            self.payments.edits[str(path[2])].setFocus()
        elif head in ("branch_data", "variables") and row is not None:
            section = self.steps_section if head == "branch_data" else self.variables_section
            section.table.select_row(row, 1 if path[-1] in ("input", "value") else 0)
            section.table.setFocus()

    # -- files and clipboard -------------------------------------------------
    def save_request_to(self, path: Path | str) -> bool:
        request = self.request()
        note = (" The card verification value was left out: it is never saved."
                if request.cvvs() else "")
        if not self.documents.save(Path(path), request_to_json(request, cvv="omit") + "\n",
                                   what="the request", note=note):
            return False
        self._clean_json = self.masked_json()
        return True

    def open_request_from(self, path: Path | str) -> bool:
        path = Path(path)
        request = self.documents.read_as(path, parse_request, RequestFormatError)
        if request is None:
            return False
        self.set_request(request)
        missing = any(not p.cvv for p in request.payment_info)
        note = (" Type the card verification value again if your endpoint needs it: saved "
                "requests never keep it." if missing else "")
        self.documents.tell("ok", f"Opened {path.name}.{note}")
        return True

    def copy_request(self) -> None:
        note = " The card verification value is shown as ***." if self.request().cvvs() else ""
        self.documents.copy(self.masked_json(), said=f"Copied the request JSON to the clipboard.{note}")

    def may_discard(self) -> bool:
        return self.documents.may_discard(self.is_modified())

    def on_sample_clicked(self) -> None:
        if self.may_discard():
            self.set_request(sample_request(with_payment=True))
            self.documents.tell("ok", "Filled in the documentation's sample request, with a new "
                                "call ID and the current time.")

    def on_new_clicked(self) -> None:
        if self.may_discard():
            self.set_request(BranchRequest(call_id=new_call_id(), contact_info="null",
                                           date_time=now_text(), branch_data=(Step("0"),)))
            self.status.hide()

    def on_open_clicked(self) -> None:
        self.documents.ask_and_open("Open a saved request", may_discard=self.may_discard,
                                    open_from=self.open_request_from)

    def on_save_clicked(self) -> None:
        branch = self.request().current_branch
        self.documents.ask_and_save(
            "Save the request",
            suggested=f"request-branch-{branch}.json" if branch else "branch-request.json",
            save_to=self.save_request_to)
