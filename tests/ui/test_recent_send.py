"""Before a one-off SMS or call: the same words went to this number from another desk within
the hour, and the user is asked (issue 21). Two desks on one store, on SQLite and on
PostgreSQL; the tabs are driven as a user drives them, against the sandbox."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.vocabulary import EntryKind, Outcome
from console.jobs.sender import Sender
from console.ui.calls_tab import CallsTab
from console.ui.sms_tab import SmsTab
from tests.console_env import ConfirmRecorder
from tests.store.backends import PgBackend, SqliteBackend


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        opened = SqliteBackend(tmp_path)
    else:
        opened = PgBackend(request.getfixturevalue("pg_server"),
                           request.getfixturevalue("pg_database"), tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def back_office(backend, console_env):
    """This desk ("Back office"): its own journal on the shared store and its own Sender."""
    sender = Sender(session=console_env.session, journal=backend.journal(desk="Back office"))
    yield sender
    sender.close()


def front_desk_sent(backend, env, *, kind, to, content, ago=timedelta(minutes=3)):
    """What the other desk wrote: a done entry `ago` before now. Its local time as shown."""
    front = backend.journal(desk="Front desk", clock=lambda: datetime.now(UTC) - ago)
    profile = env.session.profile
    entry_id = front.begin(kind=kind, profile_id=profile.id, profile_name=profile.name,
                           recipient=to, content=content)
    front.finish(entry_id, outcome=Outcome.DONE, result_id="r1")
    return front.get(entry_id)


def _at(entry) -> str:
    return datetime.fromisoformat(entry.created_at).astimezone().strftime("%H:%M")


def test_an_sms_another_desk_sent_within_the_hour_is_asked_about(qtbot, backend, back_office,
                                                                  console_env):
    entry = front_desk_sent(backend, console_env, kind=EntryKind.SMS, to="8451234567",
                            content="Your order is ready")
    confirm = ConfirmRecorder(answer=False)
    tab = SmsTab(session=console_env.session, sender=back_office, messages=console_env.messages,
                 confirm=confirm)
    qtbot.addWidget(tab)
    tab.show()
    tab.to_edit.setText("(845) 123-4567")
    tab.body_edit.setPlainText("Your order is ready")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "declined", timeout=10_000)
    [box] = confirm.boxes
    assert f"sent by Front desk at {_at(entry)}" in box
    assert "(845) 123-4567" in box
    assert tab.result_label.text() == ("Not sent: (845) 123-4567 got this same message in the "
                                       "last hour.")
    assert tab.body_edit.toPlainText() == "Your order is ready"  # kept
    assert console_env.sandbox.outbox()["sms"] == []

    # Other words to the same number, or the same words after an hour: no question.
    tab.body_edit.setPlainText("Your order is ready for pick-up")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10_000)
    assert len(confirm.boxes) == 1

    # The user may send anyway.
    confirm.answer = True
    tab.result_label.kind = None
    tab.body_edit.setPlainText("Your order is ready")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10_000)
    assert len(confirm.boxes) == 2
    assert [m["body"] for m in console_env.sandbox.outbox()["sms"]] == [
        "Your order is ready for pick-up", "Your order is ready"]


def test_the_same_words_more_than_an_hour_ago_are_not_asked_about(qtbot, backend, back_office,
                                                                  console_env):
    front_desk_sent(backend, console_env, kind=EntryKind.SMS, to="8451234567",
                    content="Your order is ready", ago=timedelta(minutes=61))
    confirm = ConfirmRecorder(answer=False)
    tab = SmsTab(session=console_env.session, sender=back_office, messages=console_env.messages,
                 confirm=confirm)
    qtbot.addWidget(tab)
    tab.show()
    tab.to_edit.setText("(845) 123-4567")
    tab.body_edit.setPlainText("Your order is ready")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10_000)
    assert confirm.boxes == []


def test_a_call_another_desk_placed_within_the_hour_is_asked_about(qtbot, backend, back_office,
                                                                  console_env):
    entry = front_desk_sent(backend, console_env, kind=EntryKind.CALL, to="8455009999",
                            content="Play library file 918357")
    confirm = ConfirmRecorder(answer=False)
    tab = CallsTab(session=console_env.session, sender=back_office,
                   messages=console_env.messages, confirm=confirm)
    qtbot.addWidget(tab)
    tab.show()
    tab.to_edit.setText("(845) 500-9999")
    tab.sfile_edit.setText("918357")
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "declined", timeout=10_000)
    [box] = confirm.boxes
    assert f"This same call went to (845) 500-9999 in the last hour: sent by Front desk at {_at(entry)}" in box
    assert console_env.sandbox.outbox()["calls"] == []

    confirm.answer = True
    tab.call_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10_000)
    assert len(console_env.sandbox.outbox()["calls"]) == 1
