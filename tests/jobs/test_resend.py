"""The resend rules: which entries may go out again, with which profile, in which words."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.jobs import resend


@dataclass
class Entry:
    kind: str = "sms"
    outcome: str = "failed"
    profile_id: str = "sandbox"
    profile_name: str = "Sandbox"
    recipient: str = "8451234567"


@pytest.mark.parametrize("entry, active, allowed, reason_has", [
    (Entry(), "sandbox", True, "Asks for confirmation"),
    (Entry(outcome="unknown"), "sandbox", True, "Asks for confirmation"),
    (Entry(kind="call"), "sandbox", True, "Asks for confirmation"),
    (Entry(kind="tts"), "sandbox", True, "Asks for confirmation"),
    (Entry(outcome="done"), "sandbox", False, "Only failed entries"),
    (Entry(outcome="pending"), "sandbox", False, "Only failed entries"),
    (Entry(kind="upload"), "sandbox", False, "Recordings tab"),
    # Never through another account: a practice entry to a customer, or a live one to the sandbox.
    (Entry(profile_id="main-1", profile_name="Main office"), "sandbox", False,
     "sent with 'Main office'. Switch to that profile"),
    (Entry(), "main-1", False, "sent with 'Sandbox'"),
    (Entry(profile_id="main-1", profile_name="Main office"), "main-1", True, "Asks"),
    # The kind is judged before the profile: an upload's advice is the Recordings tab.
    (Entry(kind="upload", profile_id="other"), "sandbox", False, "Recordings tab"),
])
def test_resend_verdicts(entry, active, allowed, reason_has):
    verdict = resend.resend_verdict(entry, active_profile_id=active)
    assert verdict.allowed is allowed
    assert reason_has in verdict.reason


@pytest.mark.parametrize("kind, action, confirm", [
    ("sms", "the message", "this SMS"),
    ("call", "the call", "this call"),
    ("tts", "the recording", "this text-to-speech recording"),
    ("upload", "the request", "this"),
])
def test_labels(kind, action, confirm):
    assert resend.action_label(kind) == action
    assert resend.confirm_label(kind) == confirm


def test_every_resendable_kind_has_both_labels():
    assert set(resend.RESENDABLE_KINDS) == set(resend.ACTION_LABELS) == set(resend.CONFIRM_LABELS)


def test_sent_again_text():
    assert resend.sent_again_text(Entry(kind="call", recipient="8455009999")) == (
        "Sent again: the call to 8455009999.")
