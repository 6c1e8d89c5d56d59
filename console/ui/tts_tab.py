"""Text to speech: type a text, pick the album, create the recording."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from qasync import asyncSlot

from console.api import RecordingResult
from console.domain import validation
from console.jobs.sender import Sender
from console.jobs.session import AccountSession
from console.store.profiles import Profile
from console.ui.messages import MessageBridge
from console.ui.send_flow import TTS, Confirmation, FlowConfirm, SendFlow
from console.ui.send_form import Form
from console.ui.widgets import (
    ERROR_TEXT,
    Confirm,
    FieldErrorLabel,
    add_row,
    default_confirm,
    excerpt,
    submit_on_ctrl_enter,
    tone,
)

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource


class TtsTab(QWidget):

    def __init__(self, *, session: AccountSession, sender: Sender, messages: MessageBridge,
                 confirm: Confirm = default_confirm, library: LibrarySource | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library  # says what a sort number would replace
        self.session = session
        self._sender = sender  # not `sender`: QObject.sender() is a method
        self.messages = messages

        intro = QLabel("Type what the recording should say. Voitex turns it into speech "
                       "and saves it in the album you choose.")
        intro.setWordWrap(True)

        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText("Thank you for calling. Our office is open Monday to Friday…")
        self.text_edit.setTabChangesFocus(True)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Character count")
        self.text_error = FieldErrorLabel("Text")

        self.album_edit = QLineEdit()
        self.album_edit.setMaximumWidth(120)
        self.album_error = FieldErrorLabel("Album")
        self.sort_edit = QLineEdit()
        self.sort_edit.setMaximumWidth(120)
        self.sort_edit.setPlaceholderText("optional")
        self.sort_error = FieldErrorLabel("Sort number")
        self.replace_note = QLabel()
        self.replace_note.setWordWrap(True)
        self.replace_note.setAccessibleName("What this recording replaces")
        self.replace_note.setStyleSheet("color:#7a4b00;")
        self.replace_note.hide()

        form = QFormLayout()
        add_row(form, "&Text:", self.text_edit, "Text to speak")
        form.addRow("", self.count_label)
        form.addRow("", self.text_error)
        add_row(form, "&Album:", self.album_edit, "Album number", self.album_error,
                "The library album the recording goes into.")
        add_row(form, "&Sort number:", self.sort_edit, "Sort number", self.sort_error,
                "Its number inside the album. Leave empty to let Voitex choose.")
        form.addRow("", self.replace_note)

        self.flow = SendFlow.for_tab(self, session=session, messages=messages, kind=TTS,
                                     confirm=confirm)
        self.create_button = self.flow.button
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.on_create_clicked)
        self.result_label = self.flow.result_label
        self.cancel_button = self.flow.cancel_button

        self.flow.lay_out(intro, form)

        submit_on_ctrl_enter(self, self.create_button, self.text_edit)

        self.text_edit.textChanged.connect(self._update_count)
        self.album_edit.textChanged.connect(self._update_replace_note)
        self.sort_edit.textChanged.connect(self._update_replace_note)
        if library is not None:
            library.changed.connect(self._update_replace_note)
        session.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(session.profile)
        self._update_count()

    def replace_text(self) -> str | None:
        """What is at the album/sort typed, if the Library knows (else None)."""
        from console.ui.library.guard import place_note

        try:
            album = validation.parse_album(self.album_edit.text())
            sort = validation.parse_sort(self.sort_edit.text(), optional=True)
        except validation.FieldError:
            return None
        return place_note(self.library, album, sort)

    def _update_replace_note(self, *_args: object) -> None:
        text = self.replace_text()
        self.replace_note.setText(f"⚠ {text}" if text else "")
        self.replace_note.setVisible(bool(text))

    confirm = FlowConfirm()

    def _on_profile_changed(self, profile: Profile) -> None:
        if not self.album_edit.text().strip() or not self.album_edit.isModified():
            self.album_edit.setText(str(profile.default_album))

    def _update_count(self) -> None:
        text = self.text_edit.toPlainText()
        n = validation.counted_length(text)
        limit = validation.TTS_MAX_CHARS
        # The same count, formatted the same way, as the error under the field.
        self.count_label.setText(f"{n:,} of {limit:,} characters")
        over = n > limit
        self.count_label.setStyleSheet(f"color:{tone(ERROR_TEXT)};" if over else "")
        if over:
            try:
                validation.check_tts_text(text)
            except validation.FieldError as err:
                self.text_error.show_error(str(err))
        elif self.text_error.isVisible() and n:
            self.text_error.show_error(None)

    # -- drafts: nothing typed is lost when the window closes -----------------
    def draft(self) -> dict[str, str]:
        return {"text": self.text_edit.toPlainText(), "album": self.album_edit.text(),
                "sort": self.sort_edit.text()}

    def restore_draft(self, draft: dict[str, str]) -> None:
        self.text_edit.setPlainText(draft.get("text", ""))
        if draft.get("album"):
            self.album_edit.setText(draft["album"])
            self.album_edit.setModified(True)
        self.sort_edit.setText(draft.get("sort", ""))

    def _validate(self) -> Form:
        form = Form()
        form.check("text", self.text_edit, self.text_error,
                   lambda: validation.check_tts_text(self.text_edit.toPlainText()))
        form.check("album", self.album_edit, self.album_error,
                   lambda: validation.parse_album(self.album_edit.text()))
        form.check("sort", self.sort_edit, self.sort_error,
                   lambda: validation.parse_sort(self.sort_edit.text(), optional=True))
        return form

    @staticmethod
    def where(values: dict[str, Any]) -> str:
        where = f"album {values['album']}"
        if values.get("sort") is not None:
            where += f", sort number {values['sort']}"
        return where

    def _confirmations(self, values: dict[str, Any], profile: Profile) -> list[Confirmation]:
        if profile.is_sandbox:
            return []
        if values["sort"] is None:
            replaces = "Voitex chooses its sort number."
        else:
            from console.ui.library.guard import place_note

            known = place_note(self.library, values["album"], values["sort"])
            replaces = (f"{known} Calls and branches that play it will play the new one."
                        if known else
                        f"If sort number {values['sort']} is already used in album "
                        f"{values['album']}, that recording is replaced, and calls and "
                        "branches that play it will play the new one.")
        return [Confirmation.live(
            profile, title="Create a recording in the live library?",
            asks=f"Create this recording in {self.where(values)}",
            informative=f"“{excerpt(values['text'])}”\n\n{replaces}",
            action="Create recording")]

    @asyncSlot()
    async def on_create_clicked(self) -> None:
        if self.flow.running:
            return
        form = self._validate()
        values = form.values

        def done_text(result: RecordingResult) -> str:
            return (f"Recording created in {self.where(values)}. "
                    f"Library file id: {result.recording_id} (use it to play this recording "
                    "in a call).")

        await self.flow.run(
            form=form,
            confirmations=lambda profile: self._confirmations(values, profile),
            request=lambda: self._sender.create_tts(text=values["text"],
                                                   album_number=values["album"],
                                                   sort_number=values["sort"]),
            busy_text="Creating the recording…", done_text=done_text)
