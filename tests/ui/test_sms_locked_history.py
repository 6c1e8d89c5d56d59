"""The SMS tab while another program holds the history file (real sandbox, real file lock)."""
from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

import pytest

from console.jobs.sender import HISTORY_NOTE
from console.ui.sms_tab import SmsTab


@pytest.fixture
def other_program(console_env):
    """Another program's connection to history.sqlite3, able to hold its write lock."""
    db = sqlite3.connect(console_env.journal.path, isolation_level=None, timeout=0)
    state = {"held": False}

    def take():
        db.execute("BEGIN EXCLUSIVE")
        state["held"] = True

    def release():
        if state["held"]:
            db.execute("ROLLBACK")
            state["held"] = False

    yield type("OtherProgram", (), {"take": staticmethod(take), "release": staticmethod(release),
                                    "held": staticmethod(lambda: state["held"])})
    release()
    db.close()


def make_tab(qtbot, env):
    tab = SmsTab(session=env.session, sender=env.sender, messages=env.messages)
    qtbot.addWidget(tab)
    tab.show()
    tab.to_edit.setText("(845) 123-4567")
    tab.body_edit.setPlainText("Your order is ready")
    return tab


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet",
                        logger="console.store.journal_writer")
def test_delivered_while_history_is_locked_shows_the_real_result_and_a_note(
        qtbot, console_env, other_program):
    real_client = console_env.session.client

    class LockAfterPending:
        """The other program takes the file between the pending entry and the reply."""

        def __init__(self, client):
            self._client = client

        async def send_sms(self, **kwargs):
            other_program.take()
            return await self._client.send_sms(**kwargs)

    console_env.session.client = lambda: LockAfterPending(real_client())
    tab = make_tab(qtbot, console_env)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10_000)

    assert other_program.held()  # the tab did not wait for the file to be free
    [delivered] = console_env.sandbox.outbox()["sms"]
    text = tab.result_label.text()
    assert delivered["reference_id"] in text and HISTORY_NOTE in text
    assert "failed" not in text.lower()
    assert not [m for m in console_env.messages.history if m[0] == "error"]
    assert tab.send_button.isEnabled()

    other_program.release()
    qtbot.waitUntil(lambda: console_env.journal.query()[0].outcome == "done", timeout=10_000)
    assert console_env.journal.query()[0].result_id == delivered["reference_id"]


@pytest.mark.expect_log("ERROR", r"Nothing was sent, because History could not record it first",
                        logger="console.messages")
def test_nothing_is_sent_while_history_cannot_record_it(qtbot, console_env, other_program):
    other_program.take()
    tab = make_tab(qtbot, console_env)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind == "error", timeout=10_000)
    text = tab.result_label.text()
    assert text.startswith("Nothing was sent")
    assert "locked by another program" in text and "Close" in text
    assert console_env.sandbox.outbox()["sms"] == []
    assert tab.send_button.isEnabled()
