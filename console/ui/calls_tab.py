"""Calls: place a notification call that plays a library file or routes into a branch."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QRadioButton, QVBoxLayout,
                               QWidget)
from qasync import asyncSlot

from console.domain import validation
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.jobs.sender import Sender
from console.jobs.session import AccountSession
from console.ui.broadcast_dnc import contact_allowed
from console.ui.messages import MessageBridge
from console.ui.widgets import (key_is_missing, Confirm, format_phone_as_typed, FieldError, RequestFailed, ResultLabel, add_row,
                                default_confirm, fill_numbers, live_confirmation, run_request,
                                submit_on_ctrl_enter)


class CallsTab(QWidget):
    call_placed = Signal(str)  # reference id

    def __init__(self, *, session: AccountSession, sender: Sender, messages: MessageBridge,
                 confirm: Confirm = default_confirm, parent: QWidget | None = None,
                 broadcasts=None) -> None:
        super().__init__(parent)
        self.broadcasts = broadcasts  # the do-not-contact list (and templates) of the Broadcast tab
        self.session = session
        self.sender = sender
        self.messages = messages
        self.confirm = confirm

        self.cid_combo = QComboBox()
        self.cid_error = FieldError("Caller id")
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText("(845) 500-9999")
        self.to_error = FieldError("To")
        format_phone_as_typed(self.to_edit)

        self.stream_radio = QRadioButton("Pla&y a recording from the library")
        self.goto_radio = QRadioButton(
            "Route the person called into an &IVR branch (announced by Voitex, not yet available)")
        self.stream_radio.setAccessibleName("Call type: play a recording")
        self.goto_radio.setAccessibleName("Call type: route into an IVR branch")
        self.stream_radio.setChecked(True)
        self.type_group = QButtonGroup(self)
        self.type_group.addButton(self.stream_radio)
        self.type_group.addButton(self.goto_radio)
        type_box = QGroupBox("What happens when they answer")
        type_layout = QVBoxLayout(type_box)
        type_layout.addWidget(self.stream_radio)
        type_layout.addWidget(self.goto_radio)

        self.sfile_edit = QLineEdit()
        self.sfile_edit.setPlaceholderText("918357")
        self.sfile_error = FieldError("Library file id")
        self.route_edit = QLineEdit()
        self.route_edit.setPlaceholderText("(845) 951-1000")
        self.route_error = FieldError("Route number")
        format_phone_as_typed(self.route_edit)
        self.branch_edit = QLineEdit()
        self.branch_edit.setPlaceholderText("150")
        self.branch_error = FieldError("Branch number")

        form = QFormLayout()
        add_row(form, "Call&er id:", self.cid_combo, "Caller id", self.cid_error,
                "The account's number the person called will see.")
        add_row(form, "&To:", self.to_edit, "To number", self.to_error,
                "The number to call, written any usual way.")
        form.addRow(type_box)
        self.sfile_label = add_row(form, "&Library file id:", self.sfile_edit, "Library file id",
                                   self.sfile_error,
                                   "The recording id shown after an upload or TTS, or in the portal.")
        self.route_label = add_row(form, "&Route number:", self.route_edit, "Route number",
                                   self.route_error, "The hotline number whose IVR to enter.")
        self.branch_label = add_row(form, "&Branch number:", self.branch_edit, "Branch number",
                                    self.branch_error, "The branch of that IVR to start in.")
        self.form = form

        self.call_button = QPushButton("Place &call")
        self.call_button.setAccessibleName("Place call")
        self.call_button.setToolTip("Place the call (Ctrl+Enter)")
        self.call_button.clicked.connect(self.on_call_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.call_button)
        self.result_label = ResultLabel("Result")
        note = QLabel("Voitex calls the number right away from the caller id you choose.")
        note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

        submit_on_ctrl_enter(self, self.call_button)

        self.type_group.buttonToggled.connect(lambda *_: self._show_type_fields())
        session.profile_changed.connect(self._on_profile_changed)
        fill_numbers(self.cid_combo, session.profile)
        self._show_type_fields()

    def _on_profile_changed(self, profile) -> None:
        fill_numbers(self.cid_combo, profile)
        self.result_label.hide()  # an earlier account's result must not look like this one's

    @property
    def call_type(self) -> str:
        return "stream" if self.stream_radio.isChecked() else "goto"

    def set_call_type(self, call_type: str) -> None:
        (self.stream_radio if call_type == "stream" else self.goto_radio).setChecked(True)

    def _show_type_fields(self) -> None:
        stream = self.call_type == "stream"
        self.form.setRowVisible(self.sfile_label, stream)
        self.form.setRowVisible(self.route_label, not stream)
        self.form.setRowVisible(self.branch_label, not stream)
        for error in (self.sfile_error, self.route_error, self.branch_error):
            error.show_error(None)

    def draft(self) -> dict:
        return {"cid": self.cid_combo.currentData(), "to": self.to_edit.text(),
                "type": self.call_type, "sfile_id": self.sfile_edit.text(),
                "route_number": self.route_edit.text(), "branch_number": self.branch_edit.text()}

    def restore_draft(self, draft: dict) -> None:
        index = self.cid_combo.findData(draft.get("cid"))
        if index >= 0:
            self.cid_combo.setCurrentIndex(index)
        self.to_edit.setText(draft.get("to", ""))
        self.set_call_type(draft.get("type", "stream"))
        self.sfile_edit.setText(draft.get("sfile_id", ""))
        self.route_edit.setText(draft.get("route_number", ""))
        self.branch_edit.setText(draft.get("branch_number", ""))

    def _phone(self, edit: QLineEdit, error: FieldError, field: str, errors: dict) -> str | None:
        if not edit.text().strip():
            errors[field] = f"{field}: enter a phone number."
            error.show_error(errors[field])
            return None
        try:
            number = normalize_phone(edit.text(), field=field)
        except InvalidPhoneError as err:
            errors[field] = str(err)
            error.show_error(str(err))
            return None
        error.show_error(None)
        return number

    def _validate(self):
        errors: dict[str, str] = {}
        values: dict[str, str | None] = {"type": self.call_type}
        values["cid"] = self.cid_combo.currentData()
        if not values["cid"]:
            errors["Caller id"] = ("Caller id: this profile has no numbers of its own yet. "
                                   "Add one in Profile ▸ Manage profiles.")
        self.cid_error.show_error(errors.get("Caller id"))
        values["to"] = self._phone(self.to_edit, self.to_error, "To", errors)
        if self.call_type == "stream":
            try:
                values["sfile_id"] = validation.parse_library_file_id(self.sfile_edit.text())
                self.sfile_error.show_error(None)
            except validation.FieldError as err:
                errors["Library file id"] = str(err)
                self.sfile_error.show_error(str(err))
        else:
            values["route_number"] = self._phone(self.route_edit, self.route_error,
                                                 "Route number", errors)
            try:
                values["branch_number"] = validation.parse_branch(self.branch_edit.text())
                self.branch_error.show_error(None)
            except validation.FieldError as err:
                errors["Branch number"] = str(err)
                self.branch_error.show_error(str(err))
        return values, errors

    @asyncSlot()
    async def on_call_clicked(self) -> None:
        values, errors = self._validate()
        if errors:
            fields = {"Caller id": self.cid_combo, "To": self.to_edit,
                      "Library file id": self.sfile_edit, "Route number": self.route_edit,
                      "Branch number": self.branch_edit}
            fields[next(iter(errors))].setFocus()
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        profile = self.session.profile
        if not contact_allowed(self, self.broadcasts, profile, values["to"], self.confirm,
                               action="Place call"):
            self.result_label.show_result("warning", "Not called: the number is on the do-not-contact list.")
            return
        to = format_phone(values["to"])
        if values["type"] == "stream":
            what = f"plays library file {values['sfile_id']}"
        else:
            what = (f"routes them into branch {values['branch_number']} of "
                    f"{format_phone(values['route_number'])}")
        if not profile.is_sandbox:
            box = live_confirmation(
                self, title="Call a customer?",
                text=(f"Call {to} from {format_phone(values['cid'])} on the live account "
                      f"'{profile.name}'?"),
                informative=f"When they answer, the call {what}. This cannot be undone.",
                action="Place call")
            if not self.confirm(box):
                self.result_label.show_result("warning", "Not called.")
                return
        try:
            sent = await run_request(
                self.sender.place_call(**values),
                button=self.call_button, result_label=self.result_label, messages=self.messages,
                profile_name=profile.name, action="the call", busy_text=f"Calling {to}…")
        except RequestFailed:
            return
        result = sent.value
        text = f"Call to {to} placed; it {what}. Reference id: {result.reference_id}"
        if sent.history_note:  # delivered; only History is behind
            text += f". {sent.history_note}"
        self.result_label.show_result("ok", text)
        self.messages.info(text)
        self.call_placed.emit(result.reference_id)
