"""The request composer: the JSON Voitex would POST to a Trigger endpoint.

The card verification value is typed in a field that shows it only while it is
being typed; everywhere else (preview, clipboard, saved files) it is masked or
left out (see console/branch/request.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.branch.findings import Finding
from console.branch.request import (
    PAYMENT_FIELDS,
    PAYMENT_LABELS,
    BranchRequest,
    Payment,
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
from console.ui.branch.models import Column, RowsModel
from console.ui.branch.preview import JsonPreview
from console.ui.branch.table_section import TableSection
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.ui.messages import MessageBridge


class PaymentsEditor(QGroupBox):
    """The payments made during the call: a list, and a form for the selected one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Payments (payment_info)", parent)
        self._payments: list[Payment] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Payments")
        self.list.setMaximumHeight(70)
        self.add_button = QToolButton()
        self.add_button.setText("Add payment")
        self.add_button.setAccessibleName("Add a payment")
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove payment")
        self.remove_button.setAccessibleName("Remove the selected payment")
        self.hint = QLabel("No payment was made in this call. Add one to test card data.")
        self.hint.setWordWrap(True)
        self.edits: dict[str, QLineEdit] = {}
        self.findings = InlineFindings("Payments")
        form = QFormLayout()
        placeholders = {"last_four": "4444", "expiration": "0126", "cvv": "987",
                        "zip": "10950", "phone": "8451239876", "amount": "57",
                        "transaction_id": "875891"}
        for name in PAYMENT_FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholders[name])
            edit.setAccessibleName(PAYMENT_LABELS[name])
            edit.textEdited.connect(lambda _t, n=name: self._on_field_edited(n))
            label = QLabel(f"{PAYMENT_LABELS[name]} ({name}):")
            label.setBuddy(edit)
            form.addRow(label, edit)
            self.edits[name] = edit
        cvv = self.edits["cvv"]
        cvv.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        cvv.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                | Qt.InputMethodHint.ImhNoPredictiveText)
        cvv.setToolTip("Shown only while you type it. It is sent to your endpoint, as Voitex "
                       "would send it, but never saved, copied or kept in the test runs: "
                       "those show *** instead.")
        cvv.setAccessibleDescription(cvv.toolTip())
        self.form_widget = QWidget()
        self.form_widget.setLayout(form)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        layout.addWidget(self.form_widget)
        layout.addWidget(self.findings)
        self.add_button.clicked.connect(self.add_payment)
        self.remove_button.clicked.connect(self.remove_payment)
        self.list.currentRowChanged.connect(self._show_current)
        self._show_current(-1)

    def payments(self) -> tuple[Payment, ...]:
        return tuple(self._payments)

    def set_payments(self, payments: Iterable[Payment]) -> None:
        self._payments = list(payments)
        self.list.blockSignals(True)
        self.list.clear()
        for position, payment in enumerate(self._payments):
            self.list.addItem(self._title(position, payment))
        self.list.blockSignals(False)
        self.list.setCurrentRow(0 if self._payments else -1)
        self._show_current(self.list.currentRow())
        self.changed.emit()

    def add_payment(self) -> None:
        self._payments.append(Payment())
        self.list.addItem(self._title(len(self._payments) - 1, Payment()))
        self.list.setCurrentRow(len(self._payments) - 1)
        self.edits["last_four"].setFocus()
        self.changed.emit()

    def remove_payment(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        del self._payments[row]
        self.set_payments(self._payments)

    def show_findings(self, findings: tuple[Finding, ...]) -> None:
        row = self.list.currentRow()
        mine = tuple(f for f in findings if f.is_about("payment_info"))
        self.findings.set_findings(mine)
        for name, edit in self.edits.items():
            mark_field(edit, tuple(f for f in mine if f.path[1:3] == (row, name)))

    @staticmethod
    def _title(position: int, payment: Payment) -> str:
        card = f"card ending {payment.last_four}" if payment.last_four else "card not given"
        amount = f", amount {payment.amount}" if payment.amount else ""
        return f"Payment {position + 1}: {card}{amount}"

    def _show_current(self, row: int) -> None:
        has = 0 <= row < len(self._payments)
        self.form_widget.setVisible(has)
        self.hint.setVisible(not self._payments)
        self.remove_button.setEnabled(has)
        if has:
            payment = self._payments[row]
            for name, edit in self.edits.items():
                edit.setText(getattr(payment, name))

    def _on_field_edited(self, name: str) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._payments):
            return
        payment = replace(self._payments[row], **{name: self.edits[name].text()})
        self._payments[row] = payment
        self.list.item(row).setText(self._title(row, payment))
        self.changed.emit()


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
        for row, (name, title, hint) in enumerate(self.FIELDS):
            edit = QLineEdit()
            edit.setAccessibleName(title.replace("&", ""))
            edit.setToolTip(hint)
            edit.setPlaceholderText(hint if name == "date_time" else "")
            label = QLabel(title + ":")
            label.setBuddy(edit)
            findings = InlineFindings(title.replace("&", ""))
            grid.addWidget(label, row * 2, 0)
            grid.addWidget(edit, row * 2, 1)
            grid.addWidget(findings, row * 2 + 1, 1)
            self.edits[name] = edit
            self.field_findings[name] = findings
            edit.textChanged.connect(self._on_changed)
        self.new_id_button = QPushButton("New ID")
        self.new_id_button.setAccessibleName("Make a new call ID")
        self.new_id_button.setToolTip("A new call: Voitex gives every call its own ID")
        self.now_button = QPushButton("Now")
        self.now_button.setAccessibleName("Set the date and time to now")
        grid.addWidget(self.new_id_button, 0, 2)
        grid.addWidget(self.now_button, 8, 2)
        grid.setColumnStretch(1, 1)

        self.steps_model = RowsModel([
            Column("branch", "Branch", "A branch number the caller passed, like 0"),
            Column("input", "Keys pressed", "What the caller keyed in there: 0 to 9, * and #"),
        ], self)
        self.steps_section = TableSection(
            "Branch steps (branch_data), oldes&t first", self.steps_model, "branch_data",
            add_actions=[("Add step", "Add a branch step", lambda: ["", ""])],
            help_text="The branches the caller went through and the keys pressed in each. "
                      "An endpoint usually decides by the last step.")
        self.payments = PaymentsEditor()
        self.variables_model = RowsModel([
            Column("name", "Name", "The variable's name"),
            Column("value", "Value", "Its value"),
        ], self)
        self.variables_section = TableSection(
            "&Variables set earlier in the call", self.variables_model, "variables",
            add_actions=[("Add variable", "Add a variable", lambda: ["", ""])])

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.addLayout(grid)
        form_layout.addWidget(self.steps_section)
        form_layout.addWidget(self.payments)
        form_layout.addWidget(self.variables_section)
        form_layout.addStretch(1)
        for section in (self.steps_section, self.variables_section):
            # A few rows are typical; the tables scroll beyond that, and the
            # payments stay in sight below them.
            section.table.setMaximumHeight(section.table.minimumHeight())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form)
        scroll.setAccessibleName("Request form")

        self.sample_button = QPushButton("Fill with the sample")
        self.sample_button.setAccessibleName("Fill the request with the documentation's sample")
        self.sample_button.setToolTip("The documentation's sample request, with a new call ID "
                                      "and the current time")
        self.file_buttons = DocumentButtons(
            new=("New", "New request"), open=("Open\u2026", "Open a saved request"),
            save=("Save\u2026", "Save the request (never with the CVV)"),
            copy=("Copy", "Copy the request JSON (CVV masked)"))
        self.new_button, self.open_button, self.save_button, self.copy_button = self.file_buttons.all()
        actions = QHBoxLayout()
        for button in (self.sample_button, self.new_button, self.open_button,
                       self.save_button, self.copy_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.status = ResultLabel("Request result")
        self.documents = Documents(self, what="request", status=self.status,
                                   messages=messages, confirm=confirm)
        self.preview = JsonPreview("Request JSON preview")
        self.preview.setMinimumHeight(120)
        preview_label = QLabel("Request JSON (CVV shown as ***):")
        preview_label.setBuddy(self.preview)
        self.findings_list = FindingsList("Request findings")
        self.findings_list.setMaximumHeight(70)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        findings_label = QLabel("Problems in the request:")
        findings_label.setBuddy(self.findings_list)
        bottom_layout.addWidget(preview_label)
        bottom_layout.addWidget(self.preview, 1)
        bottom_layout.addWidget(findings_label)
        bottom_layout.addWidget(self.findings_list)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(scroll)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 200])
        heading = QLabel("<b>Request</b>: what Voitex sends to your endpoint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

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
