"""Calls: place a notification call that plays a library file or routes into a branch."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qasync import asyncSlot

from console.domain import validation
from console.domain.phone import format_phone
from console.jobs.sender import Sender, call_content
from console.jobs.session import AccountSession
from console.ui.library.picker import LibraryFollower, RecordingPicker
from console.ui.messages import MessageBridge
from console.ui.recent_send import SameSend, find_same_send, same_send_question
from console.ui.send_flow import CALL, Confirmation, FlowConfirm, SendFlow
from console.ui.send_form import Form, check_phone_as_typed, own_number
from console.ui.send_guard import do_not_contact_refusal
from console.ui.widgets import (
    Confirm,
    FieldErrorLabel,
    add_row,
    default_confirm,
    format_phone_as_typed,
    submit_on_ctrl_enter,
)

if TYPE_CHECKING:
    from console.api import CallResult
    from console.store.broadcasts import BroadcastStore
    from console.store.catalogue import CatalogueEntry
    from console.store.profiles import Profile
    from console.ui.library.source import LibrarySource

GOTO_NOT_YET_AVAILABLE = (
    "Voitex documents this call type as not yet available (\u201ccoming soon\u201d): "
    "the call may be refused, or behave differently from what you expect.")


class CallsTab(QWidget):

    def __init__(self, *, session: AccountSession, sender: Sender, messages: MessageBridge,
                 confirm: Confirm = default_confirm, parent: QWidget | None = None,
                 broadcasts: BroadcastStore | None = None,
                 library: LibrarySource | None = None) -> None:
        super().__init__(parent)
        self.broadcasts = broadcasts  # the do-not-contact list (and templates) of the Broadcast tab
        self.library = library  # the library file id is picked by name
        self.session = session
        self._sender = sender  # not `sender`: QObject.sender() is a method
        self._checking = False  # History is being read before a call
        self.messages = messages

        self.cid_combo = QComboBox()
        self.cid_error = FieldErrorLabel("Caller id")
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText("(845) 500-9999")
        self.to_error = FieldErrorLabel("To")
        format_phone_as_typed(self.to_edit)
        check_phone_as_typed(self.to_edit, self.to_error, "To")

        self.stream_radio = QRadioButton("Pla&y a recording from the library")
        self.goto_radio = QRadioButton(
            "Route the person called into an &IVR branch (announced by Voitex, not yet available)")
        self.stream_radio.setAccessibleName("Call type: play a recording")
        self.goto_radio.setAccessibleName("Call type: route into an IVR branch")
        self.goto_radio.setToolTip(GOTO_NOT_YET_AVAILABLE)
        self.stream_radio.setChecked(True)
        self.type_group = QButtonGroup(self)
        self.type_group.addButton(self.stream_radio)
        self.type_group.addButton(self.goto_radio)
        type_box = QGroupBox("What happens when they answer")
        type_layout = QVBoxLayout(type_box)
        type_layout.addWidget(self.stream_radio)
        type_layout.addWidget(self.goto_radio)

        self.sfile_edit = RecordingPicker()
        self.sfile_error = FieldErrorLabel("Library file id")
        self.route_edit = QLineEdit()
        self.route_edit.setPlaceholderText("(845) 951-1000")
        self.route_error = FieldErrorLabel("Route number")
        format_phone_as_typed(self.route_edit)
        check_phone_as_typed(self.route_edit, self.route_error, "Route number")
        self.branch_edit = QLineEdit()
        self.branch_edit.setPlaceholderText("150")
        self.branch_error = FieldErrorLabel("Branch number")

        form = QFormLayout()
        add_row(form, "Call&er id:", self.cid_combo, "Caller id", self.cid_error,
                "The account's number the person called will see.")
        add_row(form, "&To:", self.to_edit, "To number", self.to_error,
                "The number to call, written any usual way.")
        form.addRow(type_box)
        self.sfile_label = add_row(form, "&Library file id:", self.sfile_edit, "Library file id",
                                   self.sfile_error,
                                   "Type a name from the Library, or the recording's id: "
                                   "shown after an upload or a text-to-speech recording is "
                                   "created, in History, or in the Voitex portal.")
        self.route_label = add_row(form, "&Route number:", self.route_edit, "Route number",
                                   self.route_error, "The hotline number whose IVR to enter.")
        self.branch_label = add_row(form, "&Branch number:", self.branch_edit, "Branch number",
                                    self.branch_error, "The branch of that IVR to start in.")
        self.form = form

        self.flow = SendFlow.for_tab(self, session=session, messages=messages, kind=CALL,
                                     confirm=confirm, numbers=self.cid_combo)
        self.call_button = self.flow.button
        self.call_button.clicked.connect(self.on_call_clicked)
        self.result_label = self.flow.result_label
        self.cancel_button = self.flow.cancel_button
        note = QLabel("Voitex calls the number right away from the caller id you choose.")
        note.setWordWrap(True)

        self.flow.lay_out(note, form)

        submit_on_ctrl_enter(self, self.call_button)

        self.type_group.buttonToggled.connect(lambda *_: self._show_type_fields())
        session.profile_changed.connect(self._on_profile_changed)
        self._library_follower = (LibraryFollower(self.sfile_edit, library)
                                  if library is not None else None)
        self._show_type_fields()

    confirm = FlowConfirm()

    def _on_profile_changed(self, profile: Profile) -> None:
        if not profile.is_sandbox:
            # Not yet available at Voitex: on a live account, chosen only on purpose.
            self.set_call_type("stream")

    def use_recording(self, entry: CatalogueEntry) -> None:
        """The Library's "Use in a call": play `entry`; the number is still to type."""
        self.set_call_type("stream")
        if self._library_follower is not None:
            self._library_follower.fill()
        self.sfile_edit.choose(entry.recording_id)
        self.sfile_error.show_error(None)
        (self.to_edit if not self.to_edit.text().strip() else self.call_button).setFocus()

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

    def draft(self) -> dict[str, Any]:
        return {"cid": self.cid_combo.currentData(), "to": self.to_edit.text(),
                "type": self.call_type, "sfile_id": self.sfile_edit.text(),
                "route_number": self.route_edit.text(), "branch_number": self.branch_edit.text()}

    def restore_draft(self, draft: dict[str, Any]) -> None:
        index = self.cid_combo.findData(draft.get("cid"))
        if index >= 0:
            self.cid_combo.setCurrentIndex(index)
        self.to_edit.setText(draft.get("to", ""))
        live = not self.session.profile.is_sandbox
        self.set_call_type("stream" if live else draft.get("type", "stream"))
        self.sfile_edit.setText(draft.get("sfile_id", ""))
        self.route_edit.setText(draft.get("route_number", ""))
        self.branch_edit.setText(draft.get("branch_number", ""))

    def _validate(self) -> Form:
        form = Form()
        form.values["type"] = self.call_type
        form.check("cid", self.cid_combo, self.cid_error, self._caller_id)
        to = form.phone("to", self.to_edit, self.to_error, "To", "enter the number to call.")
        refusal = do_not_contact_refusal(self.broadcasts, to or "", field="To")
        if refusal:
            form.fail(self.to_edit, self.to_error, "To", refusal)
        if self.call_type == "stream":
            form.check("sfile_id", self.sfile_edit, self.sfile_error,
                       lambda: validation.parse_library_file_id(
                           self.sfile_edit.recording_id_text()))
        else:
            form.phone("route_number", self.route_edit, self.route_error, "Route number",
                       "enter the hotline number whose IVR the call enters.")
            form.check("branch_number", self.branch_edit, self.branch_error,
                       lambda: validation.parse_branch(self.branch_edit.text()))
        return form

    def _caller_id(self) -> str:
        return own_number(self.cid_combo, "Caller id")

    def what_happens(self, values: dict[str, Any]) -> str:
        if values["type"] == "stream":
            entry = self.sfile_edit.chosen_entry()  # named when picked from the Library
            if entry is not None and entry.recording_id == values["sfile_id"]:
                return f"plays '{entry.display_name}' (library file {values['sfile_id']})"
            return f"plays library file {values['sfile_id']}"
        return (f"routes them into branch {values['branch_number']} of "
                f"{format_phone(values['route_number'])}")

    def _same_call(self, values: dict[str, Any]) -> SameSend | None:
        """Off the window's thread: this same call to this number from any desk in the hour."""
        content = call_content(type=values["type"], sfile_id=values.get("sfile_id"),
                               route_number=values.get("route_number"),
                               branch_number=values.get("branch_number"))
        return find_same_send(self._sender.journal, kind="call",
                              recipient=values["to"], content=content)

    def _confirmations(self, values: dict[str, Any], profile: Profile,
                       same: SameSend | None = None) -> list[Confirmation]:
        asks: list[Confirmation] = []
        if same is not None:
            to = format_phone(values["to"])
            asks.append(same_send_question(
                same, to=to, what="call", action="Call again",
                declined=f"Not called: {to} got this same call in the last hour."))
        if profile.is_sandbox:
            return asks
        informative = f"When they answer, the call {self.what_happens(values)}."
        if values["type"] == "goto":
            informative += f"\n\n{GOTO_NOT_YET_AVAILABLE}"
        asks.append(Confirmation.live(
            profile, title="Call a customer?",
            asks=f"Call {format_phone(values['to'])} from {format_phone(values['cid'])}",
            informative=informative, action="Place call", paragraph=True))
        return asks

    @asyncSlot()
    async def on_call_clicked(self) -> None:
        if self.flow.running or self._checking:
            return
        form = self._validate()
        values = form.values
        same: SameSend | None = None
        if form.ok:
            self._checking = True
            self.call_button.setEnabled(False)
            try:
                same = await asyncio.to_thread(self._same_call, values)
            finally:
                self._checking = False
                self.call_button.setEnabled(True)
        to = format_phone(values.get("to") or "")
        request: dict[str, Any] = {k: values.get(k) for k in ("cid", "to", "type", "sfile_id", "route_number",
                                               "branch_number")}

        def done_text(result: CallResult) -> str:
            return (f"Call to {to} placed; it {self.what_happens(values)}. "
                    f"Reference id: {result.reference_id}")

        await self.flow.run(
            form=form,
            confirmations=lambda profile: self._confirmations(values, profile, same),
            request=lambda: self._sender.place_call(**request),
            busy_text=f"Calling {to}…", done_text=done_text)
