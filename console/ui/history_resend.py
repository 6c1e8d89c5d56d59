"""Sending a History entry again: which entries may be, the question asked, what it did.

Only a failed entry, or one whose outcome is unknown, of a kind that can be
sent again (SMS, call, TTS); the question warns when the customer may
already have it, and its default answer is No. The new attempt is recorded
by the Sender as an entry of its own that names the one it repeats.
"""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from console.jobs.resend import CONFIRM_LABELS, RESENDABLE_KINDS, RESENDABLE_OUTCOMES
from console.store.journal import JournalEntry
from console.store.profiles import Profile
from console.ui.history_cells import OUTCOME_LABELS, format_recipient
from console.ui.send_flow import describe_resend

UNKNOWN_WARNING = (
    "The earlier attempt's outcome is unknown: the customer may already have received it. "
    "Check before sending again."
)
FAILED_NOTE = "The earlier attempt failed, so it did not go out."


def can_resend(entry: JournalEntry) -> bool:
    return entry.kind in RESENDABLE_KINDS and entry.outcome in RESENDABLE_OUTCOMES


def resend_hint(entry: JournalEntry, *, available: bool) -> str:
    """The Send again button's tool tip for `entry`: what it does, or why it cannot."""
    if not available:
        return "Sending again is not available here."
    if entry.kind not in RESENDABLE_KINDS:
        return "Uploads are repeated from the Recordings tab."
    if entry.outcome not in RESENDABLE_OUTCOMES:
        return "Only failed entries and entries with an unknown outcome can be sent again."
    return "Asks for confirmation before anything is sent."


def answered_yes(answer: object) -> bool:
    """Whether a box's answer is Yes: exec() returns an int; a test's confirm() may
    return the enum member."""
    value = answer.value if isinstance(answer, QMessageBox.StandardButton) else answer
    return value == QMessageBox.StandardButton.Yes.value


def resend_box(parent: QWidget, entry: JournalEntry, profile: Profile | None) -> QMessageBox:
    """The question before `entry` is sent again with `profile` (None: it no longer exists)."""
    box = QMessageBox(parent)
    box.setWindowTitle("Send again?")
    action = CONFIRM_LABELS.get(entry.kind, "this")
    if entry.outcome == "unknown":
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(UNKNOWN_WARNING)
    else:
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(FAILED_NOTE)
    box.setInformativeText(
        f"Send {action} again to {format_recipient(entry.recipient)} "
        f"with the {entry.profile_name} profile? "
        + describe_resend(entry.kind, entry.content, profile)
    )
    box.setDetailedText(entry.content)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText("Send again")
    box.button(QMessageBox.StandardButton.No).setText("Don't send")
    # A stray Enter must not send twice to a customer who may have it already.
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.setAccessibleName("Confirm sending again")
    return box


def resend_summary(entry: JournalEntry, recent: list[JournalEntry]) -> str:
    """How sending `entry` again went, from the newest entries (the Sender records the
    new attempt itself)."""
    for newer in recent:
        if newer.resend_of == entry.id:
            outcome = OUTCOME_LABELS.get(newer.outcome, newer.outcome).lower()
            return f"Entry {entry.id} was sent again as entry {newer.id}: {outcome}."
        if newer.id <= entry.id:
            break
    return f"No new attempt for entry {entry.id} was recorded."
