"""One flow for everything a tab sends (SMS, calls, text to speech).

validate -> focus the first problem -> key present -> confirm (on a live
account, and any check of the tab's own) -> run the request with its button
disabled and a Cancel button offered -> outcome shown as done, failed or
unknown, each with its own look and words. A rule written here holds in
every tab that sends.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPushButton, QWidget

from console.api import ApiError
from console.domain import validation
from console.domain.phone import InvalidPhoneError, normalize_phone
from console.domain.sms import ENCODING_WORDS, analyze_sms
from console.domain.wording import plural
from console.jobs.sender import HistoryUnavailableError
from console.jobs.session import NoKeyError
from console.store.profiles import Profile
from console.ui.errors import describe_error, is_outcome_unknown
from console.ui.widgets import Confirm, FieldErrorLabel, ResultLabel, default_confirm, key_is_missing, live_confirmation

# -- validation: one shape for every tab ---------------------------------------

@dataclass(frozen=True)
class FieldProblem:
    """A value the user must correct: the field to focus, its label, the sentence."""

    widget: QWidget
    field: str
    text: str


@dataclass
class Form:
    """The values and problems of one validation pass over a tab's fields.

    Each check shows its sentence under the field (or clears it), so the form
    and the problems list never disagree.
    """

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    def check(self, key: str, widget: QWidget, error: FieldErrorLabel,
              parse: Callable[[], Any]) -> Any:
        try:
            value = parse()
        except validation.FieldError as err:
            self.fail(widget, error, err.field, str(err))
            return None
        error.show_error(None)
        self.values[key] = value
        return value

    def phone(self, key: str, edit: QLineEdit, error: FieldErrorLabel, field_name: str,
              empty_hint: str) -> str | None:
        """The phone check, written once: empty, then normalize_phone's reasons."""
        def parse() -> str:
            if not edit.text().strip():
                raise validation.FieldError(field_name, f"{field_name}: {empty_hint}")
            return normalize_phone(edit.text(), field=field_name)
        return self.check(key, edit, error, parse)

    def fail(self, widget: QWidget, error: FieldErrorLabel, field_name: str, text: str) -> None:
        error.show_error(text)
        self.problems.append(FieldProblem(widget, field_name, text))

    @property
    def ok(self) -> bool:
        return not self.problems


def check_phone_as_typed(edit: QLineEdit, error: FieldErrorLabel, field_name: str) -> None:
    """Once a phone field shows a problem, re-check it as the user corrects it,
    and check it when the user leaves the field."""

    def check() -> None:
        text = edit.text()
        if not text.strip():
            error.show_error(None)
            return
        try:
            normalize_phone(text, field=field_name)
        except InvalidPhoneError as err:
            error.show_error(str(err))
        else:
            error.show_error(None)

    edit.textEdited.connect(lambda _text: error.isVisible() and check())
    edit.editingFinished.connect(check)


# -- what a send is called, and what to check when its outcome is unknown -------

@dataclass(frozen=True)
class SendKind:
    noun: str        # "the message": what goes out
    done_verb: str   # "sent": what happens to it
    check: str       # what to look at before trying again when nobody knows
    declined: str    # the result when the user says no
    cancel: str      # the Cancel button while it runs


SMS = SendKind("the message", "sent",
               "Check History, or ask the recipient, before sending again.", "Not sent.",
               "Cancel sending")
CALL = SendKind("the call", "placed",
                "Check History, or ask the person called, before calling again.", "Not called.",
                "Cancel call")
TTS = SendKind("the recording", "created",
               "Check History, and the album in the Voitex portal, before creating it again.",
               "Not created.", "Cancel recording")


def own_number(combo: QComboBox, field_name: str) -> str:
    """The profile's own number chosen in `combo` (From, Caller id), or a
    FieldError when the profile has none yet."""
    number = combo.currentData()
    if not number:
        raise validation.FieldError(
            field_name, f"{field_name}: this profile has no numbers of its own yet. "
                        "Add one in Profile ▸ Manage profiles.")
    return str(number)


@dataclass(frozen=True)
class Confirmation:
    """The words of one question asked before a send."""

    title: str
    text: str
    informative: str
    action: str
    # What the tab says when the user answers no (the kind's own words if None).
    declined: str | None = None

    def box(self, parent: QWidget) -> QMessageBox:
        return live_confirmation(parent, title=self.title, text=self.text,
                                 informative=self.informative, action=self.action)


def unknown_text(reason: str) -> str:
    """The words of an unknown outcome: the word History uses, then what to check."""
    return f"Unknown: {reason}"


class SendFlow(QObject):
    """Runs one tab's sends; the tab supplies the fields, words and the request.

    `cancel_button` is shown, enabled, only while a request runs; pressing it
    stops waiting. The request may already have left by then, so the outcome
    is unknown, and says so (the Sender records the journal entry as unknown).
    """

    finished = Signal(str)  # "done", "failed", "unknown", "declined" or "invalid"

    def __init__(self, *, parent: QWidget, session, messages, button: QPushButton,
                 result_label: ResultLabel, kind: SendKind,
                 confirm: Confirm = default_confirm) -> None:
        super().__init__(parent)
        self.tab = parent
        self.session = session
        self.messages = messages
        self.button = button
        self.result_label = result_label
        self.kind = kind
        self.confirm = confirm
        self.cancel_button = QPushButton(kind.cancel)
        self.cancel_button.setAccessibleName(kind.cancel)
        self.cancel_button.setShortcut("Esc")
        self.cancel_button.setToolTip(
            f"Stop waiting for Voitex. If {kind.noun} has already left, it may still be "
            f"{kind.done_verb}: the result then says so. (Esc)")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        self._task: asyncio.Future | None = None
        self._cancel_requested = False
        self.last_outcome = ""
        self.finished.connect(self._remember)

    def _remember(self, outcome: str) -> None:
        self.last_outcome = outcome

    @property
    def running(self) -> bool:
        return self._task is not None

    def on_cancel_clicked(self) -> None:
        if self._task is not None and not self._task.done():
            self._cancel_requested = True
            self.cancel_button.setEnabled(False)
            self._task.cancel()

    async def run(self, *, form: Form,
                  confirmations: Callable[[Profile], list[Confirmation]],
                  request: Callable[[], Awaitable[Any]], busy_text: str,
                  done_text: Callable[[Any], str]) -> Any | None:
        """Send once, from a form already checked; the result, or None when not done."""
        if self.running:
            return None  # one request at a time from one tab
        if not form.ok:
            form.problems[0].widget.setFocus()
            count = len(form.problems)
            fields = "the field" if count == 1 else f"the {count} fields"
            self.result_label.show_result(
                "error", f"Correct {fields} marked in red, then try again.")
            self.finished.emit("invalid")
            return None
        if key_is_missing(self.session, self.result_label, self.messages):
            self.finished.emit("failed")
            return None
        profile = self.session.profile
        for question in confirmations(profile):
            box = question.box(self.tab)
            try:
                go_ahead = self.confirm(box)
            finally:
                box.deleteLater()
            if not go_ahead:
                self.result_label.show_result("declined", question.declined or self.kind.declined)
                self.finished.emit("declined")
                return None
        return await self._run_request(request, profile=profile, busy_text=busy_text,
                                       done_text=done_text)

    async def _run_request(self, request, *, profile: Profile, busy_text: str,
                           done_text: Callable[[Any], str]) -> Any | None:
        self.button.setEnabled(False)
        self._cancel_requested = False
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.result_label.show_result("busy", busy_text)
        task = asyncio.ensure_future(request())
        self._task = task
        outcome, text = "failed", ""
        try:
            result = await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._cancel_requested or (current is not None and current.cancelling()):
                raise  # the tab itself is going away, not the user's Cancel
            outcome = "unknown"
            text = unknown_text(
                f"you cancelled while waiting for Voitex. Voitex may already have received "
                f"the request, so {self.kind.noun} may or may not have been "
                f"{self.kind.done_verb}. {self.kind.check}")
        except (NoKeyError, HistoryUnavailableError) as err:
            text = str(err)  # nothing was sent, and the sentence says why
        except Exception as err:
            text = describe_error(err, profile_name=profile.name, action=self.kind.noun,
                                  done_verb=self.kind.done_verb, check=self.kind.check)
            text = _with_note(text, getattr(err, "history_note", None))
            if is_outcome_unknown(err):
                outcome, text = "unknown", unknown_text(text)
            elif not isinstance(err, ApiError):
                # Not a failure of the request but a bug: say so, then let the
                # crash dialog show it.
                self.result_label.show_result("error", text)
                self.messages.error(text)
                self.finished.emit("failed")
                raise
        else:
            result, note = _unwrapped(result)
            text = _with_note(done_text(result), note)
            self.result_label.show_result("ok", text)
            self.messages.info(text)
            self.finished.emit("done")
            return result
        finally:
            self._task = None
            self.cancel_button.hide()
            self.button.setEnabled(True)
        self.result_label.show_result("unknown" if outcome == "unknown" else "error", text)
        (self.messages.warning if outcome == "unknown" else self.messages.error)(text)
        self.finished.emit(outcome)
        return None


def _unwrapped(result: Any) -> tuple[Any, str | None]:
    """The client's result and any note about History, from what the Sender
    returned: the result itself, or a wrapper with `value` and `history_note`
    when History could not be updated at once."""
    if hasattr(result, "history_note") and hasattr(result, "value"):
        return result.value, result.history_note
    return result, None


def _with_note(text: str, note: str | None) -> str:
    return f"{text} {note}" if note else text


# -- words shared by the confirmations and History's "Send again?" -------------

def sms_cost(body: str) -> str:
    """ "2 messages (special characters)": what a text costs to send."""
    analysis = analyze_sms(body)
    return f"{plural(analysis.segments, 'message')} ({ENCODING_WORDS[analysis.encoding]})"


def describe_resend(kind: str, content: str, profile: Profile | None) -> str:
    """What sending a History entry again does, for its confirmation box."""
    if kind == "sms":
        makes, reaches = f"This sends {sms_cost(content)}", "a real customer receives it"
    elif kind == "call":
        makes, reaches = "This places 1 call", "a real person's phone rings"
    else:
        makes = "This creates 1 recording"
        reaches = ("it goes into the live library and replaces a recording already at "
                   "that album and sort number")
    if profile is None:
        return f"{makes}. The profile it was sent with no longer exists."
    if profile.is_sandbox:
        return f"{makes} on the Sandbox: practice only, nothing reaches a customer."
    return f"{makes} on the live account '{profile.name}': {reaches}."
