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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from console.api import ApiError
from console.domain.sms import ENCODING_WORDS, analyze_sms
from console.domain.wording import plural
from console.jobs.sender import HistoryUnavailableError
from console.jobs.session import NoKeyError
from console.store.profiles import Profile
from console.ui.errors import describe_error, is_outcome_unknown
from console.ui.send_form import Form as Form  # re-exported: broadcast_tab imports it from here
from console.ui.widgets import (
    Confirm,
    ResultLabel,
    default_confirm,
    fill_numbers,
    key_is_missing,
    live_confirmation,
)

if TYPE_CHECKING:
    from console.jobs.session import AccountSession
    from console.ui.messages import MessageBridge

# -- what a send is called, and what to check when its outcome is unknown -------

@dataclass(frozen=True)
class SendKind:
    noun: str        # "the message": what goes out
    done_verb: str   # "sent": what happens to it
    check: str       # what to look at before trying again when nobody knows
    declined: str    # the result when the user says no
    cancel: str      # the Cancel button while it runs
    button: str = ""  # the tab's button that starts it, with its mnemonic
    tip: str = ""     # that button's tool tip

    @property
    def button_name(self) -> str:
        """The button's accessible name: its words without the mnemonic."""
        return self.button.replace("&", "")


SMS = SendKind("the message", "sent",
               "Check History, or ask the recipient, before sending again.", "Not sent.",
               "Cancel sending", "&Send SMS", "Send the message (Ctrl+Enter)")
CALL = SendKind("the call", "placed",
                "Check History, or ask the person called, before calling again.", "Not called.",
                "Cancel call", "Place &call", "Place the call (Ctrl+Enter)")
TTS = SendKind("the recording", "created",
               "Check History, and the album in the Voitex portal, before creating it again.",
               "Not created.", "Cancel recording", "&Create recording",
               "Create the recording (Ctrl+Enter)")


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

    @classmethod
    def live(cls, profile: Profile, *, title: str, asks: str, informative: str,
             action: str, paragraph: bool = False) -> Confirmation:
        """The question every tab asks before a send on a live account: `asks`
        ("Send this SMS to …") names the account, and the answer cannot be undone
        (said after `informative`, in a paragraph of its own if `paragraph`)."""
        return cls(title=title, text=f"{asks} on the live account '{profile.name}'?",
                   informative=informative + ("\n\n" if paragraph else " ") + CANNOT_UNDO,
                   action=action)


CANNOT_UNDO = "This cannot be undone."


class _HasFlow(Protocol):
    flow: SendFlow


class FlowConfirm:
    """A tab's `confirm`: how it asks before a send, kept in its flow (tests
    answer without a modal loop by setting it)."""

    def __get__(self, tab: _HasFlow, owner: type | None = None) -> Confirm:
        return tab.flow.confirm

    def __set__(self, tab: _HasFlow, confirm: Confirm) -> None:
        tab.flow.confirm = confirm


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

    def __init__(self, *, parent: QWidget, session: AccountSession, messages: MessageBridge,
                 button: QPushButton,
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
        self._task: asyncio.Future[Any] | None = None
        self._cancel_requested = False
        self.last_outcome = ""
        self.finished.connect(self._remember)
        self._numbers: QComboBox | None = None  # the profile's own numbers (for_tab)

    @classmethod
    def for_tab(cls, tab: QWidget, *, session: AccountSession, messages: MessageBridge,
                kind: SendKind, confirm: Confirm, numbers: QComboBox | None = None) -> SendFlow:
        """The flow of a tab that sends one thing (SMS, Calls, TTS), with its
        button (named by `kind`), its result and its Cancel button. When the
        profile changes, the earlier account's result is hidden (it must not
        look like this one's) and `numbers` offers the new profile's own numbers."""
        button = QPushButton(kind.button)
        button.setAccessibleName(kind.button_name)
        button.setToolTip(kind.tip)
        flow = cls(parent=tab, session=session, messages=messages, button=button,
                   result_label=ResultLabel("Result"), kind=kind, confirm=confirm)
        flow._numbers = numbers
        # A method of the flow, not a closure: the connection ends with the tab.
        session.profile_changed.connect(flow._on_profile_changed)
        flow._on_profile_changed(session.profile)
        return flow

    def _on_profile_changed(self, profile: Profile) -> None:
        if self._numbers is not None:
            fill_numbers(self._numbers, profile)
        self.result_label.hide()

    def lay_out(self, *above: QWidget | QLayout) -> None:
        """The tab's page: what is `above` (its words, its form), then Cancel (while a
        request runs) and the send button at the right, then the result."""
        layout = QVBoxLayout(self.tab)
        for part in above:
            if isinstance(part, QLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.button)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

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

    async def _run_request(self, request: Callable[[], Awaitable[Any]], *, profile: Profile, busy_text: str,
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
