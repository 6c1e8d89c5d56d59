"""The journal around each one-off request: pending before, outcome after."""
from __future__ import annotations

import asyncio

import pytest

from console.api import ApiError, ServerError
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
