"""When a History entry may be sent again, and the words for it.

The sender (console/jobs/sender.py) performs the resend; these are its rules,
kept as small pure functions so History, the app's wiring and the tests read
one table. No Qt here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from console.domain.vocabulary import EntryKind, Outcome

RESENDABLE_KINDS = (EntryKind.SMS, EntryKind.CALL, EntryKind.TTS)
RESENDABLE_OUTCOMES = (Outcome.FAILED, Outcome.UNKNOWN)

# "Sent again: the message to 845…"
ACTION_LABELS: dict[str, str] = {EntryKind.SMS: "the message", EntryKind.CALL: "the call",
                 EntryKind.TTS: "the recording"}
# "Send this SMS again to …?"
CONFIRM_LABELS: dict[str, str] = {EntryKind.SMS: "this SMS", EntryKind.CALL: "this call",
                  EntryKind.TTS: "this text-to-speech recording"}


class ResendableEntry(Protocol):
    """What the rules read of a journal entry (console.store.journal.JournalEntry)."""

    @property
    def kind(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def profile_id(self) -> str: ...
    @property
    def profile_name(self) -> str: ...
    @property
    def recipient(self) -> str: ...


@dataclass(frozen=True)
class ResendVerdict:
    allowed: bool
    reason: str  # why not, or what happens next; shown as is


def can_resend_kind_and_outcome(entry: ResendableEntry) -> ResendVerdict:
    """What History can tell from the entry alone (its Send again button)."""
    if entry.kind not in RESENDABLE_KINDS:
        return ResendVerdict(False, "Uploads are repeated from the Recordings tab.")
    if entry.outcome not in RESENDABLE_OUTCOMES:
        return ResendVerdict(
            False, "Only failed entries and entries with an unknown outcome can be sent again.")
    return ResendVerdict(True, "Asks for confirmation before anything is sent.")


def resend_verdict(entry: ResendableEntry, *, active_profile_id: str,
                   do_not_contact: str | None = None) -> ResendVerdict:
    """May `entry` be sent again now, with the profile that is active?

    A number on the office's do-not-contact list (`do_not_contact`: the
    refusal's sentence, console/ui/broadcast_dnc.py) is never sent to again.
    An entry goes out again only through the profile (the account) it was
    first sent with: the same message from another account is a different
    message to the customer, and a live entry must never go to the practice
    server by accident, nor a practice one to a customer.
    """
    verdict = can_resend_kind_and_outcome(entry)
    if not verdict.allowed:
        return verdict
    if do_not_contact and entry.kind in (EntryKind.SMS, EntryKind.CALL):
        # The office's do-not-contact list: the sentence says why and what to do.
        return ResendVerdict(False, do_not_contact)
    if entry.profile_id != active_profile_id:
        return ResendVerdict(
            False, f"This entry was sent with '{entry.profile_name}'. Switch to that profile "
                   "to send it again.")
    return verdict


def action_label(kind: str) -> str:
    return ACTION_LABELS.get(kind, "the request")


def confirm_label(kind: str) -> str:
    return CONFIRM_LABELS.get(kind, "this")


def sent_again_text(entry: ResendableEntry) -> str:
    return f"Sent again: {action_label(entry.kind)} to {entry.recipient}."
