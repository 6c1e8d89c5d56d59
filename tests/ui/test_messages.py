"""The message bridge: levels, the log, and messages kept until the window shows them."""
from __future__ import annotations

import logging

import pytest

from console.ui.messages import Level, MessageBridge


@pytest.mark.expect_log("WARNING", r"^Two$", logger="console.messages")
@pytest.mark.expect_log("ERROR", r"^Three$", logger="console.messages")
def test_levels_are_a_str_enum_and_posted_still_carries_plain_text(qtbot):
    bridge = MessageBridge()
    seen = []
    bridge.posted.connect(lambda level, text: seen.append((level, text)))
    bridge.info("One")
    bridge.warning("Two")
    bridge.error("Three")
    assert seen == [("info", "One"), ("warning", "Two"), ("error", "Three")]
    assert [level for level, _ in bridge.history] == [Level.INFO, Level.WARNING, Level.ERROR]


@pytest.mark.expect_log("WARNING", r"Outcome unknown", logger="console.messages")
def test_every_message_is_logged_at_its_level(qtbot, caplog):
    bridge = MessageBridge()
    with caplog.at_level(logging.INFO, logger="console.messages"):
        bridge.info("Sent.")
        bridge.warning("Outcome unknown.")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "Sent."), (logging.WARNING, "Outcome unknown.")]


@pytest.mark.expect_log("WARNING", r"3 requests of unknown outcome", logger="console.messages")
@pytest.mark.expect_log("WARNING", r"No keyring", logger="console.messages")
def test_messages_before_the_window_are_kept_and_delivered_once(qtbot):
    bridge = MessageBridge()
    bridge.warning("3 requests of unknown outcome.")
    bridge.warning("No keyring: keys are kept for this session only.")
    assert bridge.deliver_backlog() == [
        (Level.WARNING, "3 requests of unknown outcome."),
        (Level.WARNING, "No keyring: keys are kept for this session only.")]
    bridge.info("Later")
    assert bridge.deliver_backlog() == [] and bridge.backlog == []
    assert bridge.delivered


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"Something \(x.json\): it is empty", logger="console.messages")
def test_a_file_found_damaged_after_the_start_notice_is_posted(qtbot):
    from PySide6.QtWidgets import QWidget

    from console.ui.notices import show_startup_notices

    bridge = MessageBridge()
    parent = QWidget()
    qtbot.addWidget(parent)
    assert show_startup_notices(parent, bridge) is None  # nothing to say: no dialog
    bridge.notices.damaged_file(path="/home/desk/x.json", what="Something", problem="it is empty",
                                saved="nothing")
    [(level, text)] = bridge.history
    assert level == Level.WARNING and "x.json" in text and "Saved from it: nothing" in text


@pytest.mark.expect_log("WARNING", r"still running when the console last closed", logger="console.messages")
@pytest.mark.expect_log("WARNING", r"could not be read: locked", logger="console.messages")
def test_a_warning_posted_while_the_notice_is_open_joins_it(qtbot):
    from PySide6.QtWidgets import QWidget

    from console.ui.notices import show_startup_notices

    bridge = MessageBridge()
    bridge.warning("1 request(s) were still running when the console last closed.")
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialog = show_startup_notices(parent, bridge)
    qtbot.waitUntil(dialog.isVisible)
    bridge.info("Now working on 'Sandbox'.")
    bridge.warning("The key for 'Main office' could not be read: locked.")
    assert "still running" in dialog.text() and "could not be read: locked" in dialog.text()
    assert "Now working" not in dialog.text()


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"Your unsent drafts \(drafts.json\): it is empty", logger="console.messages")
def test_damaged_files_also_reach_the_message_log_once(qtbot):
    from PySide6.QtWidgets import QWidget

    from console.ui.notices import show_startup_notices

    bridge = MessageBridge()
    bridge.notices.damaged_file(path="/cfg/drafts.json", what="Your unsent drafts",
                                problem="it is empty", saved="no draft")
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialog = show_startup_notices(parent, bridge)
    assert dialog.text().count("Your unsent drafts") == 1  # listed once, as a damaged file
    assert [text for _level, text in bridge.history] == [bridge.notices.damaged()[0].text()]
    assert show_startup_notices(parent, bridge) is None  # once
