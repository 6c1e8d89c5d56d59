"""Step 2 of a broadcast: the SMS (with merge fields and the saved templates) or the call.

`changed` fires when anything the check depends on changes; `choice()` reads the
fields into a MessageChoice (console/ui/broadcast/state.py).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from console.store.broadcasts import BroadcastStore, BroadcastStoreError
from console.store.profiles import Profile
from console.ui.broadcast.parts import push_button, radio_row, row_box, stack, wrapped_label
from console.ui.broadcast.state import CALL, GOTO, SMS, STREAM, MessageChoice, draft_of, read_draft
from console.ui.library.picker import LibraryFollower, RecordingPicker
from console.ui.messages import MessageBridge
from console.ui.widgets import FieldErrorLabel, add_row, fill_numbers, format_phone_as_typed

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource

__all__ = ["MessagePanel", "TextAsker"]

TextAsker = Callable[[str, str], "str | None"]  # (title, label): the text typed, or None


class MessagePanel(QGroupBox):
    changed = Signal()

    def __init__(self, *, store: BroadcastStore, messages: MessageBridge, ask_text: TextAsker,
                 library: LibrarySource | None = None, parent: QWidget | None = None) -> None:
        super().__init__("2. Message", parent)
        self.store = store
        self.messages = messages
        self._ask_text = ask_text
        self.kind_group, (self.sms_radio, self.call_radio), kinds = radio_row(
            self, [("SMS", "Broadcast an SMS"), ("Notification call", "Broadcast a notification call")])

        self.from_combo = QComboBox()
        self.from_error = FieldErrorLabel("From")
        self.template_combo = QComboBox()
        self.template_combo.setPlaceholderText("No saved templates yet")
        self.use_template_button = push_button("Use", "Use the saved template",
                                               clicked=self.on_use_template_clicked)
        self.save_template_button = push_button("Save as template…", "Save the message as a template",
                                                clicked=self.on_save_template_clicked)
        self.delete_template_button = push_button("Delete template", "Delete the saved template",
                                                  clicked=self.on_delete_template_clicked)
        templates = QHBoxLayout()
        templates.addWidget(self.template_combo, 1)
        for button in (self.use_template_button, self.save_template_button,
                       self.delete_template_button):
            templates.addWidget(button)
        self._templates_box = row_box(templates)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText("Hello {first_name}, the office is closed tomorrow.")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setMaximumHeight(110)
        self.body_error = FieldErrorLabel("Message")
        self.fields_label = wrapped_label("", "Merge fields you can use")

        self.cid_combo = QComboBox()
        self.cid_error = FieldErrorLabel("Caller id")
        self.call_type_group, (self.stream_radio, self.goto_radio), call_types = radio_row(
            self, [("Play a recording from the library", "Call type: play a recording"),
                   ("Route into an IVR branch", "Call type: route into an IVR branch")])
        self._call_types_box = row_box(call_types)
        self.sfile_edit = RecordingPicker()
        if library is not None:
            LibraryFollower(self.sfile_edit, library)
        self.sfile_error = FieldErrorLabel("Library file id")
        self.route_edit = QLineEdit()
        self.route_edit.setPlaceholderText("(845) 951-1000")
        format_phone_as_typed(self.route_edit)
        self.route_error = FieldErrorLabel("Route number")
        self.branch_edit = QLineEdit()
        self.branch_edit.setPlaceholderText("150")
        self.branch_error = FieldErrorLabel("Branch number")
        self._form = self._build_form(kinds)

        self.kind_group.buttonToggled.connect(lambda *_: self.show_kind_fields())
        self.call_type_group.buttonToggled.connect(lambda *_: self.show_kind_fields())
        self.body_edit.textChanged.connect(self.changed)
        for edit in (self.sfile_edit, self.route_edit, self.branch_edit):
            edit.textChanged.connect(self.changed)
        stack(self, [self._form])

    def _build_form(self, kinds: QHBoxLayout) -> QFormLayout:
        form = QFormLayout()
        form.addRow("", kinds)
        self.from_label = add_row(form, "F&rom:", self.from_combo, "From number", self.from_error,
                                  "The account's number the customers see the message come from.")
        self.templates_label = add_row(form, "Sa&ved templates:", self.template_combo,
                                       "Saved templates")
        self.body_label = add_row(form, "&Message:", self.body_edit, "Message text", self.body_error,
                                  "Merge fields in braces are replaced by each row's value.")
        form.addRow("", self.fields_label)
        form.addRow("", self._templates_box)
        self.cid_label = add_row(form, "Call&er id:", self.cid_combo, "Caller id", self.cid_error,
                                 "The account's number the people called see.")
        form.addRow("", self._call_types_box)
        self.sfile_label = add_row(form, "Library f&ile id:", self.sfile_edit, "Library file id",
                                   self.sfile_error, "The recording id shown after an upload or TTS.")
        self.route_label = add_row(form, "Ro&ute number:", self.route_edit, "Route number",
                                   self.route_error, "The hotline number whose IVR to enter.")
        self.branch_label = add_row(form, "Branch num&ber:", self.branch_edit, "Branch number",
                                    self.branch_error, "The branch of that IVR to start in.")
        return form

    # -- what is chosen --------------------------------------------------------------
    @property
    def kind(self) -> str:
        return SMS if self.sms_radio.isChecked() else CALL

    @property
    def call_type(self) -> str:
        return STREAM if self.stream_radio.isChecked() else GOTO

    def choice(self) -> MessageChoice:
        return MessageChoice(kind=self.kind, body=self.body_edit.toPlainText(),
                             call_type=self.call_type, sfile_shown=self.sfile_edit.text(),
                             sfile_id=self.sfile_edit.recording_id_text(),
                             route=self.route_edit.text(), branch=self.branch_edit.text())

    def number(self) -> str | None:
        """The From number of an SMS, the caller id of a call (None when there is none)."""
        number = (self.from_combo if self.kind == SMS else self.cid_combo).currentData()
        return number if isinstance(number, str) else None

    def show_kind_fields(self) -> None:
        sms = self.kind == SMS
        form = self._form
        for label in (self.from_label, self.templates_label, self.body_label):
            form.setRowVisible(label, sms)
        form.setRowVisible(self.fields_label, sms)
        form.setRowVisible(self._templates_box, sms)
        form.setRowVisible(self.cid_label, not sms)
        form.setRowVisible(self._call_types_box, not sms)
        stream = self.call_type == STREAM
        form.setRowVisible(self.sfile_label, not sms and stream)
        form.setRowVisible(self.route_label, not sms and not stream)
        form.setRowVisible(self.branch_label, not sms and not stream)
        self.changed.emit()

    def show_merge_fields(self, names: Sequence[str]) -> None:
        self.fields_label.setText(
            ("Merge fields: " + "  ".join("{" + n + "}" for n in names)) if names
            else "Merge fields appear here once the recipients are in.")

    def errors(self) -> dict[str, tuple[FieldErrorLabel, QWidget]]:
        """Each field's error label and the field, by the names of state.run_settings."""
        return {"from": (self.from_error, self.from_combo), "cid": (self.cid_error, self.cid_combo),
                "sfile": (self.sfile_error, self.sfile_edit),
                "route": (self.route_error, self.route_edit),
                "branch": (self.branch_error, self.branch_edit)}

    # -- the profile, the draft --------------------------------------------------------
    def use_profile(self, profile: Profile) -> None:
        fill_numbers(self.from_combo, profile)
        fill_numbers(self.cid_combo, profile)
        self.refresh_templates()

    def draft(self) -> dict[str, str]:
        return draft_of(self.choice())

    def restore_draft(self, draft: object) -> None:
        found = read_draft(draft)
        if found is None:
            return
        kind, body, sfile = found
        (self.call_radio if kind == CALL else self.sms_radio).setChecked(True)
        if body is not None:
            self.body_edit.setPlainText(body)
        if sfile is not None:
            self.sfile_edit.setText(sfile)

    # -- templates -------------------------------------------------------------------
    def refresh_templates(self) -> None:
        current = self.template_combo.currentText()
        self.template_combo.clear()
        templates = self.store.templates()
        for name, body in templates.items():
            self.template_combo.addItem(name, body)
        index = self.template_combo.findText(current)
        if index >= 0:
            self.template_combo.setCurrentIndex(index)
        has = bool(templates)
        self.use_template_button.setEnabled(has)
        self.delete_template_button.setEnabled(has)

    def on_use_template_clicked(self) -> None:
        body = self.template_combo.currentData()
        if isinstance(body, str):
            self.body_edit.setPlainText(body)

    def on_save_template_clicked(self) -> None:
        body = self.body_edit.toPlainText()
        if not body.strip():
            self.body_error.show_error("Message: write the message first, then save it as a template.")
            return
        name = self._ask_text("Save template", "Template name:")
        if name is None:
            return
        try:
            self.store.save_template(name, body)
        except (ValueError, BroadcastStoreError) as err:
            self.messages.error(str(err))
            return
        self.refresh_templates()
        self.template_combo.setCurrentIndex(self.template_combo.findText(name.strip()))
        self.messages.info(f"Template '{name.strip()}' saved.")

    def on_delete_template_clicked(self) -> None:
        name = self.template_combo.currentText()
        if name:
            self.store.delete_template(name)
            self.refresh_templates()
            self.messages.info(f"Template '{name}' deleted.")
