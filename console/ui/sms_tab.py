"""SMS: one message from one of the account's numbers to one customer."""
from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QTextEdit, QVBoxLayout, QWidget)
from qasync import asyncSlot

from console.domain import validation
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.domain.sms import analyze_sms, replace_forcing_chars
from console.jobs.sender import Sender
from console.jobs.session import AccountSession
from console.ui.broadcast_dnc import contact_allowed
from console.ui.broadcast_templates import TemplatePicker, unreplaced_fields
from console.ui.messages import MessageBridge
from console.ui.widgets import (key_is_missing, Confirm, format_phone_as_typed, FieldError, RequestFailed, ResultLabel, add_row,
                                default_confirm, fill_numbers, live_confirmation, run_request,
                                submit_on_ctrl_enter)


def _char_name(ch: str) -> str:
    return {"\u00a0": "non-breaking space", "\t": "tab"}.get(ch, ch)


class SmsTab(QWidget):
    sms_sent = Signal(str)  # reference id

    def __init__(self, *, session: AccountSession, sender: Sender, messages: MessageBridge,
                 confirm: Confirm = default_confirm, parent: QWidget | None = None,
                 broadcasts=None) -> None:
        super().__init__(parent)
        self.broadcasts = broadcasts  # the do-not-contact list (and templates) of the Broadcast tab
        self.session = session
        self.sender = sender
        self.messages = messages
        self.confirm = confirm
        # (from, to, body) -> time sent, to catch the same message twice by accident
        self._sent_this_session: dict[tuple[str, str, str], float] = {}

        self.from_combo = QComboBox()
        self.from_error = FieldError("From")
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText("(845) 123-4567")
        self.to_error = FieldError("To")
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText("Your order is ready for pick-up.")
        self.body_edit.setTabChangesFocus(True)
        self.body_error = FieldError("Message")
        self.counter_label = QLabel()
        self.counter_label.setAccessibleName("Message length and encoding")
        self.forcing_label = QLabel()
        self.forcing_label.setWordWrap(True)
        self.forcing_label.setAccessibleName("Characters that make the message longer")
        self.replace_button = QPushButton("Replace with p&lain characters")
        self.replace_button.setAccessibleName("Replace special characters with plain ones")
        self.replace_button.clicked.connect(self.on_replace_clicked)
        counter_row = QHBoxLayout()
        counter_row.addWidget(self.counter_label, 1)
        counter_row.addWidget(self.replace_button)

        form = QFormLayout()
        add_row(form, "F&rom:", self.from_combo, "From number", self.from_error,
                "The account's number the customer will see the message come from.")
        add_row(form, "&To:", self.to_edit, "To number", self.to_error,
                "The customer's number, written any usual way.")
        add_row(form, "&Message:", self.body_edit, "Message text", self.body_error)
        form.addRow("", counter_row)
        form.addRow("", self.forcing_label)
        if broadcasts is not None:
            self.template_picker = TemplatePicker(broadcasts)
            self.template_picker.chosen.connect(self.body_edit.setPlainText)
            template_label = QLabel("Templ&ate:")
            template_label.setBuddy(self.template_picker.combo)
            form.addRow(template_label, self.template_picker)

        self.send_button = QPushButton("&Send SMS")
        self.send_button.setAccessibleName("Send SMS")
        self.send_button.setToolTip("Send the message (Ctrl+Enter)")
        self.send_button.clicked.connect(self.on_send_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        self.result_label = ResultLabel("Result")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

        submit_on_ctrl_enter(self, self.send_button, self.body_edit)

        format_phone_as_typed(self.to_edit)
        self.to_edit.textEdited.connect(self._on_to_edited)
        self.to_edit.editingFinished.connect(self._check_to)
        self.body_edit.textChanged.connect(self._update_counter)
        session.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(session.profile)
        self._update_counter()

    def _on_profile_changed(self, profile) -> None:
        fill_numbers(self.from_combo, profile)
        self.result_label.hide()  # an earlier account's result must not look like this one's

    def _on_to_edited(self, _text: str) -> None:
        if self.to_error.isVisible():
            self._check_to()

    def _check_to(self) -> str | None:
        text = self.to_edit.text()
        if not text.strip():
            self.to_error.show_error(None)
            return None
        try:
            number = normalize_phone(text, field="To")
        except InvalidPhoneError as err:
            self.to_error.show_error(str(err))
            return None
        self.to_error.show_error(None)
        return number

    def _update_counter(self) -> None:
        text = self.body_edit.toPlainText()
        a = analyze_sms(text)
        parts = "message" if a.segments == 1 else "messages"
        self.counter_label.setText(
            f"{len(text)} characters · {a.encoding} · {a.segments} {parts} "
            f"({a.segment_limit} per message)")
        if a.forcing_chars:
            shown = []
            for _, ch in a.forcing_chars:
                name = _char_name(ch)
                if name not in shown:
                    shown.append(name)
            self.forcing_label.setText(
                "These characters make the message use UCS-2, which fits fewer characters "
                f"per message: {'  '.join(shown[:12])}" + ("  …" if len(shown) > 12 else ""))
            self.forcing_label.show()
        else:
            self.forcing_label.hide()
        self.replace_button.setVisible(bool(a.replaceable))
        self._highlight(a.forcing_chars)

    def _highlight(self, forcing: list[tuple[int, str]]) -> None:
        selections = []
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#ffe08a"))
        fmt.setToolTip("This character forces UCS-2")
        text = self.body_edit.toPlainText()
        for index, ch in forcing[:500]:
            # analyze_sms counts characters; the document counts UTF-16 units.
            start = len(text[:index].encode("utf-16-le")) // 2
            cursor = QTextCursor(self.body_edit.document())
            cursor.setPosition(start)
            cursor.setPosition(start + len(ch.encode("utf-16-le")) // 2,
                               QTextCursor.MoveMode.KeepAnchor)
            sel = QTextEdit.ExtraSelection()
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
        self.body_edit.setExtraSelections(selections)

    def on_replace_clicked(self) -> None:
        cursor = self.body_edit.textCursor()
        # One edit block, so Ctrl+Z puts the original characters back.
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(replace_forcing_chars(self.body_edit.toPlainText()))
        cursor.endEditBlock()
        self.messages.info("Special characters replaced; press Ctrl+Z in the message to undo.")

    def draft(self) -> dict:
        return {"from": self.from_combo.currentData(), "to": self.to_edit.text(),
                "body": self.body_edit.toPlainText()}

    def restore_draft(self, draft: dict) -> None:
        index = self.from_combo.findData(draft.get("from"))
        if index >= 0:
            self.from_combo.setCurrentIndex(index)
        self.to_edit.setText(draft.get("to", ""))
        self.body_edit.setPlainText(draft.get("body", ""))

    def _validate(self):
        errors: dict[str, str] = {}
        from_number = self.from_combo.currentData()
        if not from_number:
            errors["from"] = ("From: this profile has no numbers of its own yet. "
                              "Add one in Profile ▸ Manage profiles.")
        self.from_error.show_error(errors.get("from"))
        to = None
        if not self.to_edit.text().strip():
            errors["to"] = "To: enter the customer's phone number."
            self.to_error.show_error(errors["to"])
        else:
            to = self._check_to()
            if to is None:
                errors["to"] = self.to_error.text()
        body = None
        try:
            body = validation.check_sms_body(self.body_edit.toPlainText())
            if unreplaced_fields(body):
                raise validation.FieldError("body", f"Message: replace {unreplaced_fields(body)} "
                                                    "with the customer's own value before sending.")
            self.body_error.show_error(None)
        except validation.FieldError as err:
            errors["body"] = str(err)
            self.body_error.show_error(str(err))
        return from_number, to, body, errors

    @asyncSlot()
    async def on_send_clicked(self) -> None:
        from_number, to, body, errors = self._validate()
        if errors:
            {"from": self.from_combo, "to": self.to_edit,
             "body": self.body_edit}[next(iter(errors))].setFocus()
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        profile = self.session.profile
        if not contact_allowed(self, self.broadcasts, profile, to, self.confirm,
                               action="Send SMS"):
            self.result_label.show_result("warning", "Not sent: the number is on the do-not-contact list.")
            return
        analysis = analyze_sms(body)
        key = (from_number, to, body)
        if key in self._sent_this_session:
            sent_at = time.strftime("%H:%M", time.localtime(self._sent_this_session[key]))
            box = live_confirmation(
                self, title="Send the same message again?",
                text=f"You already sent this exact message to {format_phone(to)} at {sent_at}.",
                informative="Send it again anyway?", action="Send again")
            if not self.confirm(box):
                return
        if not profile.is_sandbox:
            parts = "message" if analysis.segments == 1 else "messages"
            box = live_confirmation(
                self, title="Send SMS to a customer?",
                text=(f"Send this SMS to {format_phone(to)} from {format_phone(from_number)} "
                      f"on the live account '{profile.name}'?"),
                informative=(f"It goes out as {analysis.segments} {parts} ({analysis.encoding}). "
                             "This cannot be undone."),
                action="Send SMS")
            if not self.confirm(box):
                self.result_label.show_result("warning", "Not sent.")
                return
        try:
            sent = await run_request(
                self.sender.send_sms(from_number=from_number, to=to, body=body),
                button=self.send_button, result_label=self.result_label, messages=self.messages,
                profile_name=profile.name, action="the message",
                busy_text=f"Sending to {format_phone(to)}…")
        except RequestFailed:
            return
        result = sent.value
        self._sent_this_session[key] = time.time()
        ref = result.reference_id or "(Voitex gave none)"
        did = f" · DID type {result.did_type}" if result.did_type else ""
        text = f"Sent to {format_phone(to)}. Reference id: {ref}{did}"
        if sent.history_note:  # delivered; only History is behind
            text += f". {sent.history_note}"
        self.result_label.show_result("ok", text)
        self.messages.info(text)
        self.sms_sent.emit(result.reference_id or "")
