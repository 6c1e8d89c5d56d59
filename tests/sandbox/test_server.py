"""Starting and stopping SandboxServer."""
from __future__ import annotations

import socket
import threading

import httpx
import pytest

from console.sandbox import DEFAULT_SANDBOX_KEY, SandboxServer
from tests.helpers import make_wav
from tests.sandbox.support import GOOD_SMS, SMS, UPLOAD, multipart, upload_parts


def test_started_server_answers_and_stop_leaves_no_thread_behind(tmp_path):
    before = set(threading.enumerate())
    server = SandboxServer(data_dir=tmp_path / "data", auth_key="k")
    server.start()
    assert server.running
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
    with httpx.Client(base_url=server.url, headers={"auth_key": "k"}) as http:
        # An upload puts the server's worker threads to use.
        assert http.post(UPLOAD, files=upload_parts(make_wav(tmp_path / "a.wav"))).status_code == 200
        server.stop()  # with the client's keep-alive connection still open
    assert not server.running
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/sandbox/health")


def test_stop_twice_and_restart_the_same_object(tmp_path):
    server = SandboxServer(data_dir=tmp_path / "data", auth_key="k")
    server.stop()  # never started: nothing to do
    server.start()
    first_port = server.port
    server.stop()
    server.stop()
    server.start()
    try:
        with httpx.Client(base_url=server.url, headers={"auth_key": "k"}) as http:
            assert http.post(SMS, files=multipart(GOOD_SMS)).json()["status"] == "success"
    finally:
        server.stop()
    assert first_port > 0 and len(server.outbox()["sms"]) == 1


def test_start_while_running_is_refused(sandbox):
    with pytest.raises(RuntimeError, match="already running"):
        sandbox.start()


def test_port_in_use_is_an_error_at_start(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = SandboxServer(data_dir=tmp_path / "data", auth_key="k", port=taken.getsockname()[1])
        with pytest.raises(OSError):
            server.start()
    assert not server.running


def test_context_manager_and_default_key(tmp_path):
    with SandboxServer(data_dir=tmp_path / "data") as server:
        with httpx.Client(base_url=server.url, headers={"auth_key": DEFAULT_SANDBOX_KEY}) as http:
            assert http.get("/sandbox/outbox").status_code == 200
    assert DEFAULT_SANDBOX_KEY == "sandbox"
    assert not server.running


def test_empty_key_is_refused(tmp_path):
    with pytest.raises(ValueError, match="auth_key"):
        SandboxServer(data_dir=tmp_path / "data", auth_key="")
