"""The Text to speech tab against the sandbox."""
from __future__ import annotations

import pytest

from console.ui.tts_tab import TtsTab


def make_tab(qtbot, env):
    tab = TtsTab(session=env.session, sender=env.sender, messages=env.messages)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_creates_a_tts_recording_in_the_default_album(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    assert tab.album_edit.text() == "1"  # the Sandbox profile's default album
    qtbot.keyClicks(tab.text_edit, "Thank you for calling")
    assert tab.count_label.text().startswith("21 of 3,000 characters")
    tab.sort_edit.setText("15")
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [rec] = [r for r in console_env.sandbox.library() if r["kind"] == "tts"]
    assert (rec["album"], rec["sort"], rec["text"]) == (1, 15, "Thank you for calling")
    assert rec["recording_id"] in tab.result_label.text()
    [entry] = console_env.journal.query()
    assert (entry.kind, entry.outcome, entry.result_id) == ("tts", "done", rec["recording_id"])


def test_sort_number_is_optional(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText("Hello")
    tab.album_edit.setText("7")
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [rec] = console_env.sandbox.library()
    assert rec["album"] == 7 and rec["sort"] is None


@pytest.mark.parametrize("text, album, sort, field, words", [
    ("", "1", "", "text", "Text"),
    ("   ", "1", "", "text", "Text"),
    ("x" * 3001, "1", "", "text", "too long"),
    ("Hello", "", "", "album", "Album"),
    ("Hello", "one", "", "album", "whole number"),
    ("Hello", "-3", "", "album", "Album"),
    ("Hello", "1", "five", "sort", "Sort number"),
    ("Hello", "1", "2.5", "sort", "Sort number"),
])
def test_bad_input_is_refused_naming_the_field(qtbot, console_env, text, album, sort, field,
                                              words):
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText(text)
    tab.album_edit.setText(album)
    tab.sort_edit.setText(sort)
    tab.create_button.click()
    error = {"text": tab.text_error, "album": tab.album_error, "sort": tab.sort_error}[field]
    qtbot.waitUntil(error.isVisible, timeout=3000)
    assert words.lower() in error.text().lower()
    assert console_env.sandbox.library() == []
    assert console_env.journal.count() == 0


def test_draft_round_trip(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText("Draft text")
    tab.album_edit.setText("4")
    other = make_tab(qtbot, console_env)
    other.restore_draft(tab.draft())
    assert other.draft() == tab.draft()


def make_live_tab(qtbot, env, confirm):
    from tests.console_env import drive

    profile = env.add_live_profile()
    drive(env.session.activate(profile.id))
    tab = TtsTab(session=env.session, sender=env.sender, messages=env.messages, confirm=confirm)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_live_account_asks_first_and_declining_creates_nothing(qtbot, console_env):
    from tests.console_env import ConfirmRecorder

    confirm = ConfirmRecorder(answer=False)
    tab = make_live_tab(qtbot, console_env, confirm)
    tab.text_edit.setPlainText("Thank you for calling Main Street Dental.\nWe open at nine.\n"
                               "Press one for appointments.\nPress two for billing.")
    tab.album_edit.setText("3")
    tab.sort_edit.setText("15")
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "declined", timeout=5000)
    assert tab.result_label.text() == "Not created."
    [box] = confirm.boxes
    assert "album 3, sort number 15" in box and "live account 'Main office'" in box
    assert "Thank you for calling Main Street Dental." in box
    assert "Press two for billing." not in box  # only the start of the text
    assert "that recording is replaced" in box
    assert console_env.sandbox.library() == []
    assert console_env.journal.count() == 0

    confirm.answer = True
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert len(console_env.sandbox.library()) == 1


def test_sandbox_does_not_ask(qtbot, console_env):
    from tests.console_env import ConfirmRecorder

    confirm = ConfirmRecorder(answer=False)
    tab = TtsTab(session=console_env.session, sender=console_env.sender,
                 messages=console_env.messages, confirm=confirm)
    qtbot.addWidget(tab)
    tab.text_edit.setPlainText("Hello")
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert confirm.boxes == []


def test_result_names_the_library_file_id_as_calls_ask_for_it(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText("Hello")
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    [rec] = console_env.sandbox.library()
    assert f"Library file id: {rec['recording_id']}" in tab.result_label.text()
    assert "Recording id" not in tab.result_label.text()


def test_counter_and_error_show_the_same_count(qtbot, console_env):
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText("x" * 10010 + "\n")
    assert tab.count_label.text() == "10,010 of 3,000 characters"
    assert "10,010 of 3,000 characters" in tab.text_error.text()
    assert "Remove 7,010 characters" in tab.text_error.text()
    tab.text_edit.setPlainText("x" * 3001)
    assert "Remove 1 character." in tab.text_error.text()


@pytest.mark.expect_log("WARNING", r"^Unknown: .*the recording may or may not have been created",
                        logger="console.messages")
def test_unknown_outcome_of_a_recording(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="tts", kind="drop", count=1, acted=True))
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText("Hello")
    tab.create_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind in ("unknown", "error"), timeout=10000)
    assert tab.result_label.kind == "unknown"
    assert "the recording may or may not have been created" in tab.result_label.text()


@pytest.mark.expect_log("WARNING", r"^Unknown: you cancelled while waiting for Voitex", logger="console.messages")
def test_cancel_while_creating(qtbot, console_env):
    from console.sandbox import FaultRule

    console_env.sandbox.add_fault(FaultRule(endpoint="tts", kind="slow", delay=60.0, count=1))
    tab = make_tab(qtbot, console_env)
    tab.text_edit.setPlainText("Hello")
    tab.create_button.click()
    qtbot.waitUntil(lambda: len(console_env.sandbox.library()) == 1, timeout=10000)
    assert tab.cancel_button.isVisible() and not tab.create_button.isEnabled()
    tab.cancel_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "unknown", timeout=10000)
    assert "you cancelled" in tab.result_label.text()
    assert tab.create_button.isEnabled() and not tab.cancel_button.isVisible()
