"""Cancelling a running call leaves no stray task and a usable client."""
from __future__ import annotations

import asyncio
import logging

import pytest

from console.api import ConnectionFailedError, VoitexClient
from tests.api.conftest import library_entry, make_client, sha256_of
from tests.helpers import SANDBOX_KEY, make_sized_wav, make_wav, run_async
from tests.sandbox.support import wait_until_idle


def test_cancel_mid_upload(sandbox, tmp_path):
    big = make_sized_wav(tmp_path / "big.wav", 64 * 1024 * 1024)
    small = make_wav(tmp_path / "small.wav")
    progress: list[int] = []

    async def scenario():
        async with make_client(sandbox, chunk_size=64 * 1024) as client:
            underway = asyncio.Event()

            def on_progress(sent, total):
                progress.append(sent)
                if 0 < sent < total:
                    underway.set()

            task = asyncio.create_task(
                client.upload_recording(big, album_number=9, sort_number=1, on_progress=on_progress)
            )
            await underway.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert asyncio.all_tasks() == {asyncio.current_task()}
            after = await client.upload_recording(small, album_number=9, sort_number=2)
        assert asyncio.all_tasks() == {asyncio.current_task()}
        return after

    after = run_async(scenario())
    wait_until_idle(sandbox)  # the server has seen the cancelled upload end
    assert progress[-1] < big.stat().st_size
    assert library_entry(sandbox, 9, 1) is None
    assert library_entry(sandbox, 9, 2)["sha256"] == sha256_of(small)
    assert library_entry(sandbox, 9, 2)["recording_id"] == after.recording_id


class _RetryWatcher(logging.Handler):
    """Sets an event when the client logs that it waits before a retry."""

    def __init__(self, event: asyncio.Event) -> None:
        super().__init__(logging.INFO)
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying in" in record.getMessage():
            self.event.set()


def test_cancel_during_retry_wait(closed_port):
    async def scenario():
        waiting = asyncio.Event()
        watcher = _RetryWatcher(waiting)
        logger = logging.getLogger("console.api.client")
        previous_level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(watcher)
        try:
            async with VoitexClient(
                base_url=f"http://127.0.0.1:{closed_port}",
                auth_key=SANDBOX_KEY,
                max_attempts=50,
                backoff_base=30.0,
                backoff_cap=30.0,
            ) as client:
                task = asyncio.create_task(client.send_sms(from_number="8459511000", to="8451234567", body="x"))
                await waiting.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert asyncio.all_tasks() == {asyncio.current_task()}
                # Still usable: the next call fails as it should, promptly.
                client._max_attempts = 1
                with pytest.raises(ConnectionFailedError):
                    await client.send_sms(from_number="8459511000", to="8451234567", body="y")
        finally:
            logger.removeHandler(watcher)
            logger.setLevel(previous_level)

    run_async(scenario())


def test_cancel_while_waiting_for_the_reply(sandbox):
    from console.sandbox import FaultRule

    sandbox.add_fault(FaultRule(endpoint="sms", kind="slow", count=1, delay=30.0))

    async def scenario():
        async with make_client(sandbox) as client:
            task = asyncio.create_task(client.send_sms(from_number="8459511000", to="8451234567", body="slow"))
            # The slow fault acts first, then holds the reply back.
            while not sandbox.outbox()["sms"]:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert asyncio.all_tasks() == {asyncio.current_task()}
            return await client.send_sms(from_number="8459511000", to="8451234567", body="next")

    result = run_async(scenario())
    assert [m["body"] for m in sandbox.outbox()["sms"]] == ["slow", "next"]
    assert result.reference_id == sandbox.outbox()["sms"][1]["reference_id"]
