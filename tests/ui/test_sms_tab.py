"""The SMS tab driven as a user would, against the sandbox over loopback."""
from __future__ import annotations

from PySide6.QtCore import Qt

import pytest

from console.ui.sms_tab import SmsTab
from tests.console_env import ConfirmRecorder, drive


def make_tab(qtbot, env, confirm=None):
    tab = SmsTab(session=env.session, sender=env.sender, messages=env.messages,
                 **({"confirm": confirm} if confirm else {}))
    qtbot.addWidget(tab)
    tab.show()
    return tab


def type_message(qtbot, tab, to, body):
    tab.to_edit.setFocus()
    qtbot.keyClicks(tab.to_edit, to)
    tab.body_edit.setPlainText(body)


def test_sends_exactly_one_sms_with_the_fields_meant(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    type_message(qtbot, tab, "(845) 123-4567", "Your order is ready")
    assert tab.to_edit.text() == "(845) 123-4567"
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)

    outbox = console_env.sandbox.outbox()["sms"]
    assert len(outbox) == 1
    sent = outbox[0]
    assert (sent["from"], sent["to"], sent["body"]) == ("8459511000", "8451234567",
                                                        "Your order is ready")
    assert sent["reference_id"] in tab.result_label.text()
    # Voitex's DID type (TN/TF) means nothing to the office; it is left out.
    assert "DID" not in tab.result_label.text()
    assert tab.send_button.isEnabled()
    [entry] = console_env.journal.query()
    assert (entry.kind, entry.outcome, entry.result_id) == ("sms", "done", sent["reference_id"])


def test_ctrl_enter_sends(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    type_message(qtbot, tab, "+1 845 123 4567", "Hello")
    tab.activateWindow()
    qtbot.waitActive(tab)
    tab.body_edit.setFocus()
    qtbot.keyClick(tab.body_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert [m["to"] for m in console_env.sandbox.outbox()["sms"]] == ["8451234567"]


@pytest.mark.parametrize("to, body, field, words", [
    ("", "Hello", "to", "enter the customer's phone number"),
    ("12345", "Hello", "to", "not a phone number"),
    ("call me", "Hello", "to", "To"),
    ("+44 20 7946 0958", "Hello", "to", "North American"),
    ("8451234567", "", "body", "Message"),
    ("8451234567", "x" * 1601, "body", "Message"),
])
def test_bad_input_is_refused_in_the_form_naming_the_field(qtbot, console_env, to, body, field,
                                                          words):
    tab = make_tab(qtbot, console_env)
    tab.to_edit.setText(to)
    tab.body_edit.setPlainText(body)
    tab.send_button.click()
    error = {"to": tab.to_error, "body": tab.body_error}[field]
    qtbot.waitUntil(lambda: error.isVisible(), timeout=3000)
    assert words.lower() in error.text().lower()
    assert tab.result_label.kind == "error"
    assert console_env.sandbox.outbox()["sms"] == []
    assert console_env.journal.count() == 0


def test_counter_points_at_special_characters_and_replaces_them(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.body_edit.setPlainText("It’s ready — “today”")
    assert "special characters, 70 per message" in tab.counter_label.text()
    # The technical names stay in the tooltip, out of the office's way.
    assert "UCS-2" not in tab.counter_label.text() and "UCS-2" in tab.counter_label.toolTip()
    assert "GSM-7" in tab.counter_label.toolTip()
    assert "’" in tab.forcing_label.text() and "—" in tab.forcing_label.text()
    assert tab.replace_button.isVisibleTo(tab)
    assert len(tab.body_edit.extraSelections()) == 4
    tab.replace_button.click()
    assert tab.body_edit.toPlainText() == "It's ready - \"today\""
    assert "standard characters, 160 per message" in tab.counter_label.text()
    assert not tab.replace_button.isVisibleTo(tab)
    tab.body_edit.undo()
    assert tab.body_edit.toPlainText() == "It’s ready — “today”"


def test_counter_counts_segments(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.body_edit.setPlainText("a" * 161)
    assert "2 messages" in tab.counter_label.text()


def test_live_account_asks_first_and_declining_sends_nothing(qtbot, console_env):
    profile = console_env.add_live_profile()
    drive(console_env.session.activate(profile.id))
    confirm = ConfirmRecorder(answer=False)
    tab = make_tab(qtbot, console_env, confirm)
    type_message(qtbot, tab, "8451234567", "a" * 200)
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "declined", timeout=5000)
    assert tab.result_label.text() == "Not sent."
    assert len(confirm.boxes) == 1
    assert "(845) 123-4567" in confirm.boxes[0]
    assert "2 messages" in confirm.boxes[0]
    assert console_env.sandbox.outbox()["sms"] == []

    confirm.answer = True
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert len(console_env.sandbox.outbox()["sms"]) == 1


def test_same_message_twice_asks_before_sending_again(qtbot, console_env):
    confirm = ConfirmRecorder(answer=False)
    tab = make_tab(qtbot, console_env, confirm)
    type_message(qtbot, tab, "8451234567", "Hello")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    tab.send_button.click()
    qtbot.waitUntil(lambda: len(confirm.boxes) == 1, timeout=3000)
    assert "already sent this exact message" in confirm.boxes[0]
    assert len(console_env.sandbox.outbox()["sms"]) == 1


@pytest.mark.expect_log("WARNING", r"^Unknown: .*the message may or may not have been sent", logger="console.messages")
def test_server_error_keeps_the_text_and_says_what_to_do(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="http500", count=1))
    tab = make_tab(qtbot, console_env)
    type_message(qtbot, tab, "8451234567", "Hello there")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    assert "History" in tab.result_label.text()
    assert tab.body_edit.toPlainText() == "Hello there"
    assert tab.to_edit.text() == "(845) 123-4567"
    [entry] = console_env.journal.query()
    assert entry.outcome == "unknown"
    assert tab.send_button.isEnabled()


@pytest.mark.expect_log("WARNING", r"^Unknown: .*the message may or may not have been sent", logger="console.messages")
def test_dropped_connection_is_recorded_as_unknown_and_sent_once(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="drop", count=1, acted=True))
    tab = make_tab(qtbot, console_env)
    type_message(qtbot, tab, "8451234567", "Only once")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    assert "may or may not have been sent" in tab.result_label.text()
    assert len(console_env.sandbox.outbox()["sms"]) == 1
    assert console_env.journal.query()[0].outcome == "unknown"


@pytest.mark.expect_log("ERROR", r"The key for 'Main office' was refused", logger="console.messages")
def test_wrong_key_names_the_profile(qtbot, console_env):
    profile = console_env.add_live_profile(key="not-the-right-key")
    drive(console_env.session.activate(profile.id))
    tab = make_tab(qtbot, console_env, ConfirmRecorder(True))
    type_message(qtbot, tab, "8451234567", "Hello")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "error", timeout=10000)
    assert "The key for 'Main office' was refused" in tab.result_label.text()
    assert console_env.journal.query()[0].outcome == "failed"


@pytest.mark.expect_log("ERROR", r"There is no account key for 'Branch office'", logger="console.messages")
def test_live_profile_without_a_key_says_so_before_any_confirmation(qtbot, console_env):
    from console.store.profiles import OwnNumber, Profile, new_profile_id

    profile = Profile(id=new_profile_id("Branch office"), name="Branch office",
                      base_url=console_env.sandbox.url, numbers=[OwnNumber("8459511000", "")])
    console_env.profiles.add(profile)
    drive(console_env.session.activate(profile.id))
    confirm = ConfirmRecorder(answer=True)
    tab = make_tab(qtbot, console_env, confirm)
    type_message(qtbot, tab, "8451234567", "Hello")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "error", timeout=5000)
    assert "no account key for 'Branch office'" in tab.result_label.text()
    assert confirm.boxes == []
    assert console_env.journal.count() == 0


def test_an_earlier_profiles_result_is_cleared_on_switch(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    type_message(qtbot, tab, "8451234567", "Hello")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    profile = console_env.add_live_profile()
    drive(console_env.session.activate(profile.id))
    assert not tab.result_label.isVisible()


class BoxInspector:
    """Answers confirmations and keeps what a user would see and hear of each box."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.seen: list[dict] = []

    def __call__(self, box) -> bool:
        from PySide6.QtWidgets import QMessageBox

        self.seen.append({
            "title": box.windowTitle(), "name": box.accessibleName(), "text": box.text(),
            "informative": box.informativeText(),
            "default": box.defaultButton().text(),
            "buttons": sorted(b.accessibleName() or b.text() for b in box.buttons()),
            "accept": [b.text() for b in box.buttons()
                       if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole],
        })
        return self.answer


def test_live_confirmation_shows_the_text_recipient_and_count(qtbot, console_env):
    profile = console_env.add_live_profile()
    drive(console_env.session.activate(profile.id))
    inspector = BoxInspector(answer=False)
    tab = make_tab(qtbot, console_env, inspector)
    body = "Your order #4411 is ready.\nPick it up at the front desk.\nThanks!\nLine four"
    type_message(qtbot, tab, "8451234567", body)
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "declined", timeout=5000)
    [box] = inspector.seen
    assert box["title"] == box["name"] == "Send SMS to a customer?"
    assert "(845) 123-4567" in box["text"] and "live account 'Main office'" in box["text"]
    # The first lines of what goes out, cut where it is long, and what it costs.
    assert "Your order #4411 is ready.\nPick it up at the front desk.\nThanks!…" in box["informative"]
    assert "Line four" not in box["informative"]
    assert "1 message (standard characters)" in box["informative"]
    assert box["accept"] == ["Send SMS"]
    assert "Cancel" in box["default"]  # a stray Enter sends nothing
    assert console_env.sandbox.outbox()["sms"] == []


@pytest.mark.expect_log("WARNING", r"^Unknown: .*the message may or may not have been sent", logger="console.messages")
@pytest.mark.expect_log("ERROR", r"^Voitex refused the message", logger="console.messages")
def test_unknown_outcome_looks_unknown_and_says_what_to_check(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="drop", count=1, acted=True))
    tab = make_tab(qtbot, console_env)
    type_message(qtbot, tab, "8451234567", "Only once")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    text = tab.result_label.text()
    assert text.startswith("Unknown: Voitex did not answer clearly, so the message may or may "
                           "not have been sent.")
    assert text.endswith("Check History, or ask the recipient, before sending again.")
    style = tab.result_label.styleSheet()
    assert "#e0a800" in style  # amber, not the red of a failure
    assert "#fdecea" not in style and "#8a1c12" not in style
    assert tab.result_label.accessibleDescription() == "Outcome: Unknown"

    # A refusal still looks like a failure, and a success like a success.
    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="api_error", count=1))
    tab.body_edit.setPlainText("Second try")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "error", timeout=10000)
    assert "#fdecea" in tab.result_label.styleSheet()
    assert "Voitex refused the message" in tab.result_label.text()
    tab.body_edit.setPlainText("Third try")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert "#e6f4ea" in tab.result_label.styleSheet()


@pytest.mark.expect_log("WARNING", r"^Unknown: you cancelled while waiting for Voitex", logger="console.messages")
def test_cancel_while_sending_says_the_outcome_is_unknown(qtbot, console_env):
    from console.sandbox import FaultRule

    # The sandbox "sends" the message, then keeps the reply back.
    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="slow", delay=60.0, count=1))
    tab = make_tab(qtbot, console_env)
    assert not tab.cancel_button.isVisible()
    type_message(qtbot, tab, "8451234567", "Wait for it")
    tab.send_button.click()
    qtbot.waitUntil(lambda: len(console_env.sandbox.outbox()["sms"]) == 1, timeout=10000)
    assert tab.cancel_button.isVisible() and tab.cancel_button.isEnabled()
    assert not tab.send_button.isEnabled()
    assert tab.result_label.kind == "busy"

    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    assert "you cancelled while waiting for Voitex" in tab.result_label.text()
    assert "may or may not have been sent" in tab.result_label.text()
    assert tab.send_button.isEnabled() and not tab.cancel_button.isVisible()
    qtbot.waitUntil(lambda: console_env.journal.query()[0].outcome == "unknown", timeout=5000)

    # Sending the same text again now asks first: it may have arrived.
    confirm = ConfirmRecorder(answer=False)
    tab.confirm = confirm
    tab.send_button.click()
    qtbot.waitUntil(lambda: len(confirm.boxes) == 1, timeout=3000)
    assert "outcome is unknown" in confirm.boxes[0]
    assert len(console_env.sandbox.outbox()["sms"]) == 1

    # The tab is ready for the next message at once.
    tab.body_edit.setPlainText("Another message")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert len(console_env.sandbox.outbox()["sms"]) == 2


def test_keypad_letters_become_digits_as_typed(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.to_edit.setFocus()
    qtbot.keyClicks(tab.to_edit, "1-800-FLOWERS")
    assert tab.to_edit.text() == "1 (800) 356-9377"
    tab.body_edit.setPlainText("Your flowers are on the way")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert console_env.sandbox.outbox()["sms"][0]["to"] == "8003569377"


def test_words_that_are_not_a_number_stay_as_typed_and_are_explained(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.activateWindow()
    qtbot.waitActive(tab)
    tab.to_edit.setFocus()
    qtbot.keyClicks(tab.to_edit, "call me")
    assert tab.to_edit.text() == "call me"
    qtbot.keyClick(tab.to_edit, Qt.Key.Key_Return)  # finishing the field checks it
    qtbot.waitUntil(tab.to_error.isVisible, timeout=3000)
    assert "contains letters" in tab.to_error.text()


def test_first_problem_gets_the_focus(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.activateWindow()
    qtbot.waitActive(tab)
    tab.to_edit.setText("8451234567")
    tab.body_edit.setPlainText("")
    tab.send_button.click()
    qtbot.waitUntil(tab.body_error.isVisible, timeout=3000)
    assert tab.body_edit.hasFocus()
    assert tab.result_label.text() == "Correct the field marked in red, then try again."
