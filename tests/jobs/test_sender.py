"""The journal around each one-off request: pending before, outcome after."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from console.api import ApiError, CallResult, ServerError, SmsResult
from console.jobs.sender import HISTORY_NOTE, HistoryUnavailableError, SendResult
from console.sandbox import FaultRule
from tests.console_env import drive


def test_pending_is_written_before_the_request_leaves(console_env):
    """The journal holds a pending entry at the moment the client is asked to send."""
    seen_when_sending = []
    real_client = console_env.session.client

    class WatchingClient:
        def __init__(self, client):
            self._client = client

        async def send_sms(self, **kwargs):
            seen_when_sending.extend((e.outcome, e.recipient) for e in console_env.journal.query())
            return await self._client.send_sms(**kwargs)

    console_env.session.client = lambda: WatchingClient(real_client())
    drive(console_env.sender.send_sms(from_number="8459511000", to="8451234567", body="Hi"))
    assert seen_when_sending == [("pending", "8451234567")]
    assert console_env.journal.query()[0].outcome == "done"


@pytest.mark.parametrize("kind, acted, outcome, sent", [
    ("api_error", False, "failed", 0),
    ("http500", False, "unknown", 0),
    ("drop", True, "unknown", 1),
])
def test_outcomes_follow_what_is_known(console_env, kind, acted, outcome, sent):
    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind=kind, count=1, acted=acted))
    with pytest.raises(ApiError):
        drive(console_env.sender.send_sms(from_number="8459511000", to="8451234567", body="Hi"))
    [entry] = console_env.journal.query()
    assert entry.outcome == outcome
    assert entry.messages
    assert len(console_env.sandbox.outbox()["sms"]) == sent


def test_cancelled_request_is_unknown_not_lost(console_env):
    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="slow", count=1, delay=3.0))

    async def cancel_soon():
        task = asyncio.ensure_future(console_env.sender.send_sms(
            from_number="8459511000", to="8451234567", body="Hi"))
        # Cancelled once the request is on the wire: the slow fault acts, then holds the reply.
        while not console_env.sandbox.outbox()["sms"]:
            await asyncio.sleep(0.01)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"

    assert drive(cancel_soon()) == "cancelled"
    # A cancelled send's outcome is written by the writer thread without waiting.
    assert console_env.sender.writer.flush(timeout=5)
    assert console_env.journal.query()[0].outcome == "unknown"
    assert console_env.session.in_flight == 0


def test_resend_links_to_the_earlier_entry(console_env):
    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="http500", count=1))
    with pytest.raises(ServerError):
        drive(console_env.sender.send_sms(from_number="8459511000", to="8451234567", body="Hi"))
    [failed] = console_env.journal.query()
    drive(console_env.sender.resend(failed))
    newest = console_env.journal.query()[0]
    assert newest.resend_of == failed.id and newest.outcome == "done"
    assert [m["body"] for m in console_env.sandbox.outbox()["sms"]] == ["Hi"]


def test_the_key_never_reaches_the_journal_files(console_env, app_home):
    drive(console_env.sender.create_tts(text="Hello", album_number=1, sort_number=2))
    from tests.helpers import SANDBOX_KEY

    files = [p for p in app_home.rglob("*") if p.is_file()]
    assert any(p.name.startswith("history.sqlite3") for p in files)
    for path in files:
        assert SANDBOX_KEY.encode() not in path.read_bytes(), path


class HistoryLock:
    """Another program holding the history file's write lock (WAL: readers still read)."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None, timeout=0)
        self.held = False

    def take(self):
        self.db.execute("BEGIN EXCLUSIVE")
        self.held = True

    def release(self):
        if self.held:
            self.db.execute("ROLLBACK")
            self.held = False

    def close(self):
        self.release()
        self.db.close()


@pytest.fixture
def history_lock(console_env):
    lock = HistoryLock(console_env.journal.path)
    yield lock
    lock.close()


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet",
                        logger="console.store.journal_writer")
def test_a_delivered_sms_with_a_locked_history_returns_its_real_result(console_env, history_lock,
                                                                       qtbot):
    """The lock is taken after the pending entry and before the request: the outcome
    cannot be written, yet the caller gets the server's answer and a note."""
    real_client = console_env.session.client

    class LockingClient:
        def __init__(self, client):
            self._client = client

        async def send_sms(self, **kwargs):
            history_lock.take()
            return await self._client.send_sms(**kwargs)

    console_env.session.client = lambda: LockingClient(real_client())
    sent = drive(console_env.sender.send_sms(from_number="8459511000", to="8451234567",
                                             body="Your order is ready"))
    # The send came back while the other program still holds the file: nothing
    # on the window's side waited for the lock.
    assert history_lock.held
    assert isinstance(sent, SendResult) and isinstance(sent.value, SmsResult)
    [delivered] = console_env.sandbox.outbox()["sms"]
    assert sent.value.reference_id == delivered["reference_id"]
    assert sent.history_note == HISTORY_NOTE
    assert "could not be updated yet" in sent.history_note
    # The window can still read History; the entry waits, kept for a restart.
    assert console_env.journal.get(sent.entry_id).outcome == "pending"
    assert str(sent.entry_id) in console_env.journal.pending_updates_path.read_text()

    history_lock.release()
    qtbot.waitUntil(lambda: console_env.journal.get(sent.entry_id).outcome == "done",
                    timeout=10_000)
    entry = console_env.journal.get(sent.entry_id)
    assert entry.result_id == delivered["reference_id"]
    assert console_env.sender.writer.flush(timeout=5)
    assert not console_env.journal.pending_updates_path.exists()
    assert len(console_env.sandbox.outbox()["sms"]) == 1


def test_nothing_is_sent_when_the_pending_entry_cannot_be_written(console_env, history_lock):
    history_lock.take()
    with pytest.raises(HistoryUnavailableError) as caught:
        drive(console_env.sender.send_sms(from_number="8459511000", to="8451234567",
                                          body="Your order is ready"))
    text = str(caught.value)
    assert text.startswith("Nothing was sent")
    assert "locked by another program" in text and "Close" in text
    assert str(console_env.journal.path) in text
    assert console_env.sandbox.outbox()["sms"] == []
    assert console_env.session.in_flight == 0
    history_lock.release()
    assert console_env.journal.count() == 0


def test_a_send_returns_its_entry_and_no_note_when_history_is_free(console_env):
    sent = drive(console_env.sender.place_call(cid="8459511000", to="8451234567", type="stream",
                                               sfile_id="918357", group_id="run-42"))
    assert isinstance(sent.value, CallResult)
    assert sent.history_note is None
    entry = console_env.journal.get(sent.entry_id)
    assert (entry.outcome, entry.result_id, entry.group_id) == (
        "done", sent.value.reference_id, "run-42")
    again = drive(console_env.sender.resend(entry))
    assert console_env.journal.get(again.entry_id).group_id == "run-42"


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet",
                        logger="console.store.journal_writer")
def test_a_failed_send_carries_the_note_when_history_is_locked(console_env, history_lock, qtbot):
    console_env.sandbox.add_fault(FaultRule(endpoint="sms", kind="api_error", count=1))
    real_client = console_env.session.client

    class LockingClient:
        def __init__(self, client):
            self._client = client

        async def send_sms(self, **kwargs):
            history_lock.take()
            return await self._client.send_sms(**kwargs)

    console_env.session.client = lambda: LockingClient(real_client())
    with pytest.raises(ApiError) as caught:
        drive(console_env.sender.send_sms(from_number="8459511000", to="8451234567", body="Hi"))
    assert caught.value.history_note == HISTORY_NOTE
    [entry] = console_env.journal.query()
    assert entry.outcome == "pending"
    history_lock.release()
    qtbot.waitUntil(lambda: console_env.journal.get(entry.id).outcome == "failed", timeout=10_000)
