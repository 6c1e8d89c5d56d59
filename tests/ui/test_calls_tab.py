"""The Calls tab against the sandbox."""
from __future__ import annotations

from PySide6.QtCore import Qt

import pytest

from console.ui.calls_tab import CallsTab
from tests.console_env import ConfirmRecorder, drive


def make_tab(qtbot, env, confirm=None):
    tab = CallsTab(session=env.session, sender=env.sender, messages=env.messages,
                   **({"confirm": confirm} if confirm else {}))
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_stream_call_plays_a_library_file(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    assert tab.sfile_edit.isVisible() and not tab.branch_edit.isVisible()
    tab.to_edit.setText("(845) 500-9999")
    tab.sfile_edit.setText("918357")
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [call] = console_env.sandbox.outbox()["calls"]
    assert (call["cid"], call["to"], call["type"], call["sfile_id"]) == (
        "8459511000", "8455009999", "stream", "918357")
    assert call["reference_id"] in tab.result_label.text()


def test_goto_call_shows_only_its_fields_and_routes(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.goto_radio.click()
    assert not tab.sfile_edit.isVisible()
    assert tab.route_edit.isVisible() and tab.branch_edit.isVisible()
    assert "not yet available" in tab.goto_radio.text()
    tab.to_edit.setText("8455009999")
    tab.route_edit.setText("845-951-1000")
    tab.branch_edit.setText("150")
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [call] = console_env.sandbox.outbox()["calls"]
    assert (call["type"], call["route_number"], call["branch_number"]) == (
        "goto", "8459511000", "150")
    assert call["sfile_id"] in (None, "")


@pytest.mark.parametrize("call_type, to, sfile, route, branch, field, words", [
    ("stream", "", "918357", "", "", "to", "To"),
    ("stream", "555", "918357", "", "", "to", "not a phone number"),
    ("stream", "8455009999", "", "", "", "sfile", "Library file id"),
    ("stream", "8455009999", "abc", "", "", "sfile", "Library file id"),
    ("goto", "8455009999", "", "", "150", "route", "Route number"),
    ("goto", "8455009999", "", "8459511000", "", "branch", "Branch number"),
    ("goto", "8455009999", "", "8459511000", "1a", "branch", "Branch number"),
])
def test_bad_input_is_refused_naming_the_field(qtbot, console_env, call_type, to, sfile, route,
                                              branch, field, words):
    tab = make_tab(qtbot, console_env)
    tab.set_call_type(call_type)
    tab.to_edit.setText(to)
    tab.sfile_edit.setText(sfile)
    tab.route_edit.setText(route)
    tab.branch_edit.setText(branch)
    tab.call_button.click()
    error = {"to": tab.to_error, "sfile": tab.sfile_error, "route": tab.route_error,
             "branch": tab.branch_error}[field]
    qtbot.waitUntil(error.isVisible, timeout=3000)
    assert words.lower() in error.text().lower()
    assert console_env.sandbox.outbox()["calls"] == []


def test_live_account_confirmation_shows_recipient(qtbot, console_env):
    profile = console_env.add_live_profile()
    drive(console_env.session.activate(profile.id))
    confirm = ConfirmRecorder(answer=False)
    tab = make_tab(qtbot, console_env, confirm)
    tab.to_edit.setText("8455009999")
    tab.sfile_edit.setText("918357")
    tab.call_button.click()
    qtbot.waitUntil(lambda: len(confirm.boxes) == 1, timeout=3000)
    assert "(845) 500-9999" in confirm.boxes[0] and "Main office" in confirm.boxes[0]
    assert console_env.sandbox.outbox()["calls"] == []


@pytest.mark.expect_log("WARNING", r"^Unknown: .*the call may or may not have been placed", logger="console.messages")
def test_call_is_never_placed_twice_after_a_server_error(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="call", kind="http500", count=1, acted=True))
    tab = make_tab(qtbot, console_env)
    tab.to_edit.setText("8455009999")
    tab.sfile_edit.setText("918357")
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    assert tab.result_label.text().startswith("Unknown: ")
    assert "before calling again" in tab.result_label.text()
    assert len(console_env.sandbox.outbox()["calls"]) == 1
    assert console_env.journal.query()[0].outcome == "unknown"


def test_editing_a_digit_in_the_middle_keeps_the_number(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    qtbot.keyClicks(tab.to_edit, "8455550199")
    assert tab.to_edit.text() == "(845) 555-0199"
    # Replace the 4 of the area code with a 6, as a user would with the keyboard.
    tab.to_edit.setCursorPosition(3)
    qtbot.keyClick(tab.to_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(tab.to_edit, "6")
    assert tab.to_edit.text() == "(865) 555-0199"


@pytest.mark.parametrize("call_type, sfile, branch, field, words", [
    ("stream", "0", "", "sfile", "Library file id: 0 is too small. "
                                 "Enter a whole number from 1 to 999,999,999"),
    ("stream", "99999999999", "", "sfile", "Library file id: 99999999999 is too large. "
                                           "Enter a whole number from 1 to 999,999,999"),
    ("goto", "", "99999999999", "branch", "Branch number: 99999999999 is too large. "
                                          "Enter a whole number from 1 to 999,999"),
    ("goto", "", "0", "branch", "Branch number: 0 is too small."),
])
def test_out_of_range_ids_are_refused_under_their_field(qtbot, console_env, call_type, sfile,
                                                       branch, field, words):
    tab = make_tab(qtbot, console_env)
    tab.set_call_type(call_type)
    tab.to_edit.setText("8455009999")
    tab.sfile_edit.setText(sfile)
    tab.route_edit.setText("8459511000")
    tab.branch_edit.setText(branch)
    tab.call_button.click()
    error = {"sfile": tab.sfile_error, "branch": tab.branch_error}[field]
    qtbot.waitUntil(error.isVisible, timeout=3000)
    assert error.text().startswith(words)
    assert tab.result_label.kind == "error"
    assert console_env.sandbox.outbox()["calls"] == []
    assert console_env.journal.count() == 0


def test_live_confirmation_says_what_the_call_plays(qtbot, console_env):
    profile = console_env.add_live_profile()
    drive(console_env.session.activate(profile.id))
    confirm = ConfirmRecorder(answer=True)
    tab = make_tab(qtbot, console_env, confirm)
    tab.to_edit.setText("8455009999")
    tab.sfile_edit.setText("918357")
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [box] = confirm.boxes
    assert "When they answer, the call plays library file 918357." in box
    assert "not yet available" not in box
    assert len(console_env.sandbox.outbox()["calls"]) == 1


def test_ivr_branch_calls_are_off_by_default_on_a_live_account_and_say_so(qtbot, console_env):
    tab = make_tab(qtbot, console_env, ConfirmRecorder(answer=False))
    tab.set_call_type("goto")
    draft = tab.draft()
    profile = console_env.add_live_profile()
    drive(console_env.session.activate(profile.id))
    assert tab.call_type == "stream"  # switching to a live account puts it back
    tab.restore_draft(draft)
    assert tab.call_type == "stream"  # and a draft does not bring it back
    assert tab.goto_radio.isEnabled()

    confirm = ConfirmRecorder(answer=True)
    tab.confirm = confirm
    tab.goto_radio.click()
    tab.to_edit.setText("8455009999")
    tab.route_edit.setText("8459511000")
    tab.branch_edit.setText("150")
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [box] = confirm.boxes
    assert "routes them into branch 150 of (845) 951-1000" in box
    assert "Voitex documents this call type as not yet available" in box
    [call] = console_env.sandbox.outbox()["calls"]
    assert call["type"] == "goto"


@pytest.mark.expect_log("WARNING", r"^Unknown: you cancelled while waiting for Voitex", logger="console.messages")
def test_cancel_while_calling_leaves_the_outcome_unknown(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="call", kind="slow", delay=60.0, count=1))
    tab = make_tab(qtbot, console_env)
    tab.to_edit.setText("8455009999")
    tab.sfile_edit.setText("918357")
    tab.call_button.click()
    qtbot.waitUntil(lambda: len(console_env.sandbox.outbox()["calls"]) == 1, timeout=10000)
    assert not tab.call_button.isEnabled()
    tab.cancel_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    assert "so the call may or may not have been placed" in tab.result_label.text()
    assert tab.call_button.isEnabled()
    qtbot.waitUntil(lambda: console_env.journal.query()[0].outcome == "unknown", timeout=5000)


def test_keypad_letters_in_the_route_number(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.goto_radio.click()
    qtbot.keyClicks(tab.route_edit, "845-951-TEST")
    assert tab.route_edit.text() == "(845) 951-8378"


def test_library_file_id_tooltip_says_it_is_the_recordings_id(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    assert "recording's id" in tab.sfile_edit.toolTip()


def test_no_numbers_of_its_own_is_told_under_caller_id_and_from(qtbot, console_env):
    from console.ui.sms_tab import SmsTab

    # Profiles are saved with at least one number; an empty list of own
    # numbers is what the tabs meet if that ever fails, so the guard stays.
    confirm = ConfirmRecorder(answer=True)
    calls = make_tab(qtbot, console_env, confirm)
    calls.cid_combo.clear()
    calls.to_edit.setText("8455009999")
    calls.sfile_edit.setText("918357")
    calls.call_button.click()
    qtbot.waitUntil(calls.cid_error.isVisible, timeout=3000)
    assert calls.cid_error.text() == ("Caller id: this profile has no numbers of its own yet. "
                                      "Add one in Profile ▸ Manage profiles.")
    sms = SmsTab(session=console_env.session, sender=console_env.sender,
                 messages=console_env.messages, confirm=confirm)
    qtbot.addWidget(sms)
    sms.show()
    sms.from_combo.clear()
    sms.to_edit.setText("8455009999")
    sms.body_edit.setPlainText("Hello")
    sms.send_button.click()
    qtbot.waitUntil(sms.from_error.isVisible, timeout=3000)
    assert sms.from_error.text().startswith("From: this profile has no numbers of its own yet.")
    assert confirm.boxes == []
    assert console_env.sandbox.outbox() == {"sms": [], "calls": []}
