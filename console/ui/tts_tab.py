"""Text to speech: type a text, pick the album, create the recording."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)
from qasync import asyncSlot

from console.domain import validation
from console.jobs.sender import Sender
from console.jobs.session import AccountSession
from console.ui.messages import MessageBridge
from console.ui.widgets import (key_is_missing, FieldError, RequestFailed, ResultLabel, add_row, run_request,
                                submit_on_ctrl_enter)


class TtsTab(QWidget):
    tts_created = Signal(str)  # recording id

    def __init__(self, *, session: AccountSession, sender: Sender, messages: MessageBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.sender = sender
        self.messages = messages

        intro = QLabel("Type what the recording should say. Voitex turns it into speech "
                       "and saves it in the album you choose.")
        intro.setWordWrap(True)

        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText("Thank you for calling. Our office is open Monday to Friday…")
        self.text_edit.setTabChangesFocus(True)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Character count")
        self.text_error = FieldError("Text")

        self.album_edit = QLineEdit()
        self.album_edit.setMaximumWidth(120)
        self.album_error = FieldError("Album")
        self.sort_edit = QLineEdit()
        self.sort_edit.setMaximumWidth(120)
        self.sort_edit.setPlaceholderText("optional")
        self.sort_error = FieldError("Sort number")

        form = QFormLayout()
        add_row(form, "&Text:", self.text_edit, "Text to speak")
        form.addRow("", self.count_label)
        form.addRow("", self.text_error)
        add_row(form, "&Album:", self.album_edit, "Album number", self.album_error,
                "The library album the recording goes into.")
        add_row(form, "&Sort number:", self.sort_edit, "Sort number", self.sort_error,
                "Its number inside the album. Leave empty to let Voitex choose.")

        self.create_button = QPushButton("&Create recording")
        self.create_button.setAccessibleName("Create recording")
        self.create_button.setToolTip("Create the recording (Ctrl+Enter)")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.on_create_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)

        self.result_label = ResultLabel("Result")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

        submit_on_ctrl_enter(self, self.create_button, self.text_edit)

        self.text_edit.textChanged.connect(self._update_count)
        session.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(session.profile)
        self._update_count()

    def _on_profile_changed(self, profile) -> None:
        self.result_label.hide()  # an earlier account's result must not look like this one's
        if not self.album_edit.text().strip() or not self.album_edit.isModified():
            self.album_edit.setText(str(profile.default_album))

    def _update_count(self) -> None:
        n = len(self.text_edit.toPlainText())
        limit = validation.TTS_MAX_CHARS
        self.count_label.setText(f"{n} of {limit} characters")
        over = n > limit
        self.count_label.setStyleSheet("color:#b00020;" if over else "")
        if over:
            self.text_error.show_error(
                f"Text is {n - limit} characters too long: shorten it to {limit} or fewer.")
        elif self.text_error.isVisible() and n:
            self.text_error.show_error(None)

    # -- drafts: nothing typed is lost when the window closes -----------------
    def draft(self) -> dict:
        return {"text": self.text_edit.toPlainText(), "album": self.album_edit.text(),
                "sort": self.sort_edit.text()}

    def restore_draft(self, draft: dict) -> None:
        self.text_edit.setPlainText(draft.get("text", ""))
        if draft.get("album"):
            self.album_edit.setText(draft["album"])
            self.album_edit.setModified(True)
        self.sort_edit.setText(draft.get("sort", ""))

    def _validate(self):
        errors = {}
        values = {}
        for key, field, parse in (
            ("text", self.text_error, lambda: validation.check_tts_text(self.text_edit.toPlainText())),
            ("album", self.album_error, lambda: validation.parse_album(self.album_edit.text())),
            ("sort", self.sort_error,
             lambda: validation.parse_sort(self.sort_edit.text(), optional=True)),
        ):
            try:
                values[key] = parse()
                field.show_error(None)
            except validation.FieldError as err:
                errors[key] = str(err)
                field.show_error(str(err))
        return values, errors

    @asyncSlot()
    async def on_create_clicked(self) -> None:
        values, errors = self._validate()
        if errors:
            first = {"text": self.text_edit, "album": self.album_edit, "sort": self.sort_edit}
            first[next(iter(errors))].setFocus()
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        profile = self.session.profile
        try:
            sent = await run_request(
                self.sender.create_tts(text=values["text"], album_number=values["album"],
                                       sort_number=values["sort"]),
                button=self.create_button, result_label=self.result_label, messages=self.messages,
                profile_name=profile.name, action="the recording",
                busy_text="Creating the recording…")
        except RequestFailed:
            return
        result = sent.value
        where = f"album {values['album']}"
        if values["sort"] is not None:
            where += f", sort number {values['sort']}"
        text = f"Recording created in {where}. Recording id: {result.recording_id}"
        if sent.history_note:  # delivered; only History is behind
            text += f". {sent.history_note}"
        self.result_label.show_result("ok", text)
        self.messages.info(text)
        self.tts_created.emit(result.recording_id)
