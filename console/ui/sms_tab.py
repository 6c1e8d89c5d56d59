"""SMS: one message from one of the account's numbers to one customer."""
from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from qasync import asyncSlot

from console.domain import validation
from console.domain.phone import format_phone
from console.domain.sms import ENCODING_HELP, analyze_sms, describe, replace_forcing_chars
from console.jobs.sender import Sender
from console.jobs.session import AccountSession
from console.ui.broadcast_templates import TemplatePicker, unreplaced_fields
from console.ui.messages import MessageBridge
from console.ui.recent_send import SameSend, find_same_send, same_send_question
from console.ui.send_flow import SMS, Confirmation, FlowConfirm, SendFlow, sms_cost
from console.ui.send_form import Form, check_phone_as_typed, own_number
from console.ui.send_guard import cap_warning, do_not_contact_refusal
from console.ui.widgets import (
    HIGHLIGHT,
    Confirm,
    FieldErrorLabel,
    add_row,
    default_confirm,
    excerpt,
    format_phone_as_typed,
    submit_on_ctrl_enter,
    tone,
)

if TYPE_CHECKING:
    from console.api import SmsResult
    from console.store.broadcasts import BroadcastStore
    from console.store.interface import HistoryStore
    from console.store.profiles import Profile


def _char_name(ch: str) -> str:
    return {"\u00a0": "non-breaking space", "\t": "tab"}.get(ch, ch)


class SmsTab(QWidget):

    def __init__(self, *, session: AccountSession, sender: Sender, messages: MessageBridge,
                 confirm: Confirm = default_confirm, parent: QWidget | None = None,
                 broadcasts: BroadcastStore | None = None,
                 history: HistoryStore | None = None) -> None:
        super().__init__(parent)
        self.broadcasts = broadcasts  # the do-not-contact list (and templates) of the Broadcast tab
        # History counts each number's messages for the per-person caps.
        self.history = history if history is not None else sender.journal
        self.session = session
        self._sender = sender  # not `sender`: QObject.sender() is a method
        self.messages = messages
        # (from, to, body) -> (time sent, outcome), to catch the same message twice by accident
        self._sent_this_session: dict[tuple[str, str, str], tuple[float, str]] = {}
        self._checking = False  # History is being read before a send

        self.from_combo = QComboBox()
        self.from_error = FieldErrorLabel("From")
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText("(845) 123-4567")
        self.to_error = FieldErrorLabel("To")
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText("Your order is ready for pick-up.")
        self.body_edit.setTabChangesFocus(True)
        self.body_error = FieldErrorLabel("Message")
        self.counter_label = QLabel()
        self.counter_label.setAccessibleName("Message length and number of messages")
        self.counter_label.setToolTip(ENCODING_HELP)
        self.forcing_label = QLabel()
        self.forcing_label.setWordWrap(True)
        self.forcing_label.setAccessibleName("Characters that make the message longer")
        self.forcing_label.setToolTip(ENCODING_HELP)
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

        self.flow = SendFlow.for_tab(self, session=session, messages=messages, kind=SMS,
                                     confirm=confirm, numbers=self.from_combo)
        self.send_button = self.flow.button
        self.send_button.clicked.connect(self.on_send_clicked)
        self.result_label = self.flow.result_label
        self.cancel_button = self.flow.cancel_button

        self.flow.lay_out(form)

        submit_on_ctrl_enter(self, self.send_button, self.body_edit)

        format_phone_as_typed(self.to_edit)
        check_phone_as_typed(self.to_edit, self.to_error, "To")
        self.body_edit.textChanged.connect(self._update_counter)
        self._update_counter()

    confirm = FlowConfirm()

    def _update_counter(self) -> None:
        text = self.body_edit.toPlainText()
        a = analyze_sms(text)
        self.counter_label.setText(describe(a, max_shown=0))
        if a.forcing_chars:
            shown: list[str] = []
            for _, ch in a.forcing_chars:
                name = _char_name(ch)
                if name not in shown:
                    shown.append(name)
            self.forcing_label.setText(
                f"These special characters make each message hold {a.segment_limit} characters "
                f"instead of 160: {'  '.join(shown[:12])}" + ("  …" if len(shown) > 12 else ""))
            self.forcing_label.show()
        else:
            self.forcing_label.hide()
        self.replace_button.setVisible(bool(a.replaceable))
        self._highlight(a.forcing_chars)

    def _highlight(self, forcing: list[tuple[int, str]]) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        fmt = QTextCharFormat()
        background, foreground = tone(HIGHLIGHT)
        fmt.setBackground(QColor(background))
        fmt.setForeground(QColor(foreground))
        fmt.setToolTip("A special character: the message holds fewer characters (UCS-2)")
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

    def draft(self) -> dict[str, Any]:
        return {"from": self.from_combo.currentData(), "to": self.to_edit.text(),
                "body": self.body_edit.toPlainText()}

    def restore_draft(self, draft: dict[str, Any]) -> None:
        index = self.from_combo.findData(draft.get("from"))
        if index >= 0:
            self.from_combo.setCurrentIndex(index)
        self.to_edit.setText(draft.get("to", ""))
        self.body_edit.setPlainText(draft.get("body", ""))

    def _validate(self) -> Form:
        form = Form()
        form.check("from", self.from_combo, self.from_error, self._from_number)
        to = form.phone("to", self.to_edit, self.to_error, "To", "enter the customer's phone number.")
        refusal = do_not_contact_refusal(self.broadcasts, to or "", field="To")
        if refusal:
            form.fail(self.to_edit, self.to_error, "To", refusal)
        form.check("body", self.body_edit, self.body_error, self._body)
        return form

    def _body(self) -> str:
        body = validation.check_sms_body(self.body_edit.toPlainText())
        left = unreplaced_fields(body)
        if left:  # a template inserted here still has its merge fields
            raise validation.FieldError(
                "Message", f"Message: replace {left} with the customer's own value before sending.")
        return body

    def _from_number(self) -> str:
        return own_number(self.from_combo, "From")

    def _history_checks(self, values: dict[str, Any]) -> tuple[Confirmation | None, SameSend | None]:
        """Off the window's thread: the state's cap, and the same message from any desk."""
        over_cap = cap_warning(values["to"], history=self.history, store=self.broadcasts)
        same = find_same_send(self.history, kind="sms", recipient=values["to"],
                              content=values["body"])
        return over_cap, same

    def _confirmations(self, values: dict[str, Any], profile: Profile,
                       checks: tuple[Confirmation | None, SameSend | None] = (None, None),
                       ) -> list[Confirmation]:
        to, body = format_phone(values["to"]), values["body"]
        asks: list[Confirmation] = []
        over_cap, same = checks
        if over_cap is not None:
            asks.append(over_cap)
        key = (values["from"], values["to"], body)
        if key not in self._sent_this_session and same is not None:
            asks.append(same_send_question(
                same, to=to, what="message", action="Send again",
                declined=f"Not sent: {to} got this same message in the last hour."))
        if key in self._sent_this_session:
            sent_time, outcome = self._sent_this_session[key]
            sent_at = time.strftime("%H:%M", time.localtime(sent_time))
            text = (f"You already sent this exact message to {to} at {sent_at}."
                    if outcome == "done" else
                    f"You sent this exact message to {to} at {sent_at}, and its outcome is "
                    "unknown: it may already have arrived.")
            asks.append(Confirmation(
                title="Send the same message again?", text=text,
                informative="Send it again anyway?", action="Send again"))
        if not profile.is_sandbox:
            asks.append(Confirmation.live(
                profile, title="Send SMS to a customer?",
                asks=f"Send this SMS to {to} from {format_phone(values['from'])}",
                informative=f"“{excerpt(body)}”\n\nIt goes out as {sms_cost(body)}.",
                action="Send SMS"))
        return asks

    @asyncSlot()
    async def on_send_clicked(self) -> None:
        if self.flow.running or self._checking:
            return
        form = self._validate()
        values = form.values
        checks: tuple[Confirmation | None, SameSend | None] = (None, None)
        if form.ok:
            self._checking = True
            self.send_button.setEnabled(False)
            try:
                checks = await asyncio.to_thread(self._history_checks, values)
            finally:
                self._checking = False
                self.send_button.setEnabled(True)

        def done_text(result: SmsResult) -> str:
            # The DID type (TN/TF) Voitex reports says nothing an office needs: left out.
            ref = result.reference_id or "(Voitex gave none)"
            return f"Sent to {format_phone(values['to'])}. Reference id: {ref}"

        await self.flow.run(
            form=form,
            confirmations=lambda profile: self._confirmations(values, profile, checks),
            request=lambda: self._sender.send_sms(from_number=values["from"], to=values["to"],
                                                 body=values["body"]),
            busy_text=f"Sending to {format_phone(values.get('to') or '')}…",
            done_text=done_text)
        if self.flow.last_outcome in ("done", "unknown"):
            self._sent_this_session[(values["from"], values["to"], values["body"])] = (
                time.time(), self.flow.last_outcome)
