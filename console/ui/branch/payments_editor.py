"""The payments made during a call, in the request composer: a list, and a form
for the selected payment whose card verification value is shown only while it
is typed."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QListWidget, QWidget

from console.branch.findings import Finding
from console.branch.request import PAYMENT_FIELDS, PAYMENT_LABELS, Payment
from console.ui.branch.findings_view import InlineFindings, mark_field
from console.ui.layout import buddy_label, column, row, tool_button


class PaymentsEditor(QGroupBox):
    """The payments made during the call: a list, and a form for the selected one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Payments (payment_info)", parent)
        self._payments: list[Payment] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Payments")
        self.list.setMaximumHeight(70)
        self.add_button = tool_button("Add payment", "Add a payment")
        self.remove_button = tool_button("Remove payment", "Remove the selected payment")
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
            form.addRow(buddy_label(f"{PAYMENT_LABELS[name]} ({name}):", edit), edit)
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

        column(self.list, row(self.add_button, self.remove_button, 1), self.hint,
               self.form_widget, self.findings, parent=self)
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
