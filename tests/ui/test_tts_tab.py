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
    assert tab.count_label.text().startswith("21 of 3000")
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
