"""The embedded sandbox: address at once, server on demand, requests made early wait."""
from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from console.embedded_sandbox import (
    FAILED,
    IDLE,
    RUNNING,
    STARTING,
    STOPPED,
    EmbeddedSandbox,
    SandboxUnavailable,
    status_text,
)
from tests.helpers import SANDBOX_KEY


def test_the_address_is_known_before_the_server_starts(tmp_path):
    async def scenario():
        states = []
        sandbox = EmbeddedSandbox(data_dir=tmp_path, auth_key=SANDBOX_KEY,
                                  on_state_changed=states.append)
        assert sandbox.state == IDLE and sandbox.url.startswith("http://127.0.0.1:")
        assert sandbox.status_text() == "Sandbox: starting…"
        async with httpx.AsyncClient(timeout=20) as client:
            # Sent while nothing serves the port yet: it waits in the backlog.
            early = asyncio.ensure_future(client.get(f"{sandbox.url}/sandbox/health"))
            await asyncio.sleep(0)
            assert sandbox.state == IDLE  # nothing serves the port yet
            server = await sandbox.wait_running()
            reply = await early
        assert reply.json() == {"status": "ok"}
        assert sandbox.running and server.url == sandbox.url
        assert sandbox.status_text() == f"Sandbox: running at {sandbox.url}"
        await sandbox.stop()
        assert states == [STARTING, RUNNING, STOPPED] and not sandbox.running
        await sandbox.stop()  # twice is fine

    asyncio.run(scenario())


def test_start_soon_starts_once(tmp_path):
    async def scenario():
        sandbox = EmbeddedSandbox(data_dir=tmp_path, auth_key=SANDBOX_KEY)
        first, second = sandbox.start_soon(), sandbox.start_soon()
        assert first is second
        await first
        assert sandbox.state == RUNNING
        await sandbox.stop()

    asyncio.run(scenario())


def test_a_sandbox_never_started_releases_its_port(tmp_path):
    async def scenario():
        sandbox = EmbeddedSandbox(data_dir=tmp_path, auth_key=SANDBOX_KEY)
        port = int(sandbox.url.rsplit(":", 1)[1])
        await sandbox.stop()
        assert sandbox.state == STOPPED
        with socket.create_server(("127.0.0.1", port)):
            pass  # free again

    asyncio.run(scenario())


@pytest.mark.expect_log("ERROR", r"the embedded sandbox did not start", logger="console.embedded_sandbox")
def test_a_server_that_cannot_start_says_so(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the sandbox wants its folder")

    async def scenario():
        sandbox = EmbeddedSandbox(data_dir=blocker / "sandbox", auth_key=SANDBOX_KEY)
        try:
            await sandbox.wait_running()
        except SandboxUnavailable as err:
            assert "did not start" in str(err) and "Restart Voitex Console" in str(err)
        else:
            raise AssertionError("the sandbox started on a file")
        assert sandbox.state == FAILED and sandbox.error
        assert sandbox.status_text() == "Sandbox: did not start"
        await sandbox.stop()
        assert sandbox.state == FAILED

    asyncio.run(scenario())


def test_status_texts():
    assert status_text(IDLE, "http://x") == "Sandbox: starting…"
    assert status_text(STARTING, "http://x") == "Sandbox: starting…"
    assert status_text(RUNNING, "http://x") == "Sandbox: running at http://x"
    assert status_text(FAILED, "http://x", "boom") == "Sandbox: did not start"
    assert status_text(STOPPED, "http://x") == "Sandbox: stopped"
