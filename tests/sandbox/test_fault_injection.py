"""Each fault kind as a client sees it over real HTTP."""
from __future__ import annotations

import logging
import socket
import threading
import time

import httpx
import pytest

from console.sandbox import FaultRule, SandboxServer
from tests.helpers import SANDBOX_KEY, make_wav
from tests.sandbox.support import (
    CALL,
    GOOD_CALL,
    GOOD_SMS,
    GOOD_TTS,
    SMS,
    TTS,
    UPLOAD,
    multipart,
    upload_parts,
    wait_until_faults_handled,
)


def _send_sms(client: httpx.Client) -> httpx.Response:
    return client.post(SMS, files=multipart(GOOD_SMS))


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_http500_not_acted_then_recovers(client, sandbox):
    sandbox.add_fault(FaultRule("sms", "http500", count=1))
    failed = _send_sms(client)
    assert failed.status_code == 500
    assert failed.json()["status"] == "error"
    assert sandbox.outbox()["sms"] == []
    assert _send_sms(client).json()["status"] == "success"
    assert len(sandbox.outbox()["sms"]) == 1


def test_http500_acted_means_the_message_went_out(client, sandbox):
    sandbox.add_fault(FaultRule("sms", "http500", count=1, acted=True))
    assert _send_sms(client).status_code == 500
    assert [m["body"] for m in sandbox.outbox()["sms"]] == [GOOD_SMS["body"]]


@pytest.mark.parametrize(("retry_after", "header"), [(1.0, "1"), (30, "30"), (2.5, "2.5")])
def test_http429_carries_retry_after(client, sandbox, retry_after, header):
    sandbox.add_fault(FaultRule("call", "http429", count=1, retry_after=retry_after))
    response = client.post(CALL, files=multipart(GOOD_CALL))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == header
    assert sandbox.outbox()["calls"] == []


def test_drop_gives_the_client_a_transport_error_and_no_reply(client, sandbox, caplog):
    sandbox.add_fault(FaultRule("sms", "drop", count=1))
    with caplog.at_level(logging.WARNING):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            _send_sms(client)
        assert _send_sms(client).json()["status"] == "success"  # the pool recovers with a new connection
    assert [m["body"] for m in sandbox.outbox()["sms"]] == [GOOD_SMS["body"]]  # only the second one
    # The server neither complained nor answered the dropped request with a 500 of its own.
    assert [r for r in caplog.records if r.name.startswith("uvicorn")] == []


def test_drop_sends_not_a_single_byte(sandbox):
    sandbox.add_fault(FaultRule("sms", "drop", count=1))
    request = httpx.Request("POST", f"{sandbox.url}{SMS}", headers={"auth_key": SANDBOX_KEY},
                            files=multipart(GOOD_SMS))
    head = (
        f"POST {SMS} HTTP/1.1\r\nHost: 127.0.0.1\r\nauth_key: {SANDBOX_KEY}\r\n"
        f"Content-Type: {request.headers['content-type']}\r\nContent-Length: {len(request.read())}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as raw:
        raw.sendall(head + request.read())
        received = b""
        try:
            while chunk := raw.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    assert received == b""


def test_drop_acted_upload_is_stored_though_the_client_saw_nothing(client, sandbox, tmp_path):
    sandbox.add_fault(FaultRule("upload", "drop", count=1, acted=True))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post(UPLOAD, files=upload_parts(make_wav(tmp_path / "a.wav")))
    (entry,) = sandbox.library()
    assert entry["upload_count"] == 1


def test_slow_reply_still_succeeds(client, sandbox):
    sandbox.add_fault(FaultRule("tts", "slow", count=1, delay=0.2))
    assert client.post(TTS, files=multipart(GOOD_TTS)).json()["status"] == "success"
    assert len(sandbox.library()) == 1


def test_slow_acted_is_done_even_when_the_client_gives_up(sandbox):
    sandbox.add_fault(FaultRule("sms", "slow", count=1, delay=30))
    with httpx.Client(base_url=sandbox.url, headers={"auth_key": SANDBOX_KEY}, timeout=0.3) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            _send_sms(impatient)
    assert len(sandbox.outbox()["sms"]) == 1


def test_slow_not_acted_does_nothing_when_the_client_gives_up(sandbox):
    sandbox.add_fault(FaultRule("sms", "slow", count=1, delay=1.0, acted=False))
    with httpx.Client(base_url=sandbox.url, headers={"auth_key": SANDBOX_KEY}, timeout=0.2) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            _send_sms(impatient)
    # Once the handler has returned, nothing can send the message any more.
    wait_until_faults_handled(sandbox)
    assert sandbox.outbox()["sms"] == []


def test_slow_not_acted_does_the_work_for_a_patient_client(client, sandbox):
    sandbox.add_fault(FaultRule("sms", "slow", count=1, delay=0.2, acted=False))
    assert _send_sms(client).json()["status"] == "success"
    assert len(sandbox.outbox()["sms"]) == 1


def test_stop_cuts_a_slow_reply_short(tmp_path):
    server = SandboxServer(data_dir=tmp_path / "data", auth_key="k", faults=[FaultRule("sms", "slow", delay=600)])
    server.start()
    outcome: list[object] = []

    def send() -> None:
        with httpx.Client(base_url=server.url, headers={"auth_key": "k"}, timeout=60) as http:
            try:
                outcome.append(http.post(SMS, files=multipart(GOOD_SMS)).json()["status"])
            except httpx.HTTPError as exc:
                outcome.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    try:
        _wait_until(lambda: server.faults()[0]["fired"] == 1)
    finally:
        server.stop()
        sender.join(60)
    assert outcome == ["success"]


def test_html_error_page(client, sandbox):
    sandbox.add_fault(FaultRule("tts", "html", count=1))
    response = client.post(TTS, files=multipart(GOOD_TTS))
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<html>") and "502 Bad Gateway" in response.text
    assert sandbox.library() == []


def test_api_error_is_a_200_with_status_error(client, sandbox):
    sandbox.add_fault(FaultRule("call", "api_error", count=1))
    response = client.post(CALL, files=multipart(GOOD_CALL))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "error" and len(body["errors"]) == 1
    assert sandbox.outbox()["calls"] == []


def test_star_rule_hits_all_four_endpoints(client, sandbox, tmp_path):
    sandbox.add_fault(FaultRule("*", "http500", count=4))
    responses = [
        client.post(UPLOAD, files=upload_parts(make_wav(tmp_path / "a.wav"))),
        client.post(TTS, files=multipart(GOOD_TTS)),
        client.post(CALL, files=multipart(GOOD_CALL)),
        _send_sms(client),
    ]
    assert [r.status_code for r in responses] == [500] * 4
    assert _send_sms(client).status_code == 200


def test_faults_come_after_auth_and_validation(sandbox, client):
    sandbox.add_fault(FaultRule("sms", "http500", count=1))
    with httpx.Client(base_url=sandbox.url, headers={"auth_key": "wrong"}) as stranger:
        assert _send_sms(stranger).status_code == 401
    invalid = client.post(SMS, files=multipart({**GOOD_SMS, "to": "123"}))
    assert invalid.json()["errors"] == ["to must be a 10-digit phone number"]
    assert sandbox.faults()[0]["remaining"] == 1
    assert _send_sms(client).status_code == 500


def test_probability_with_a_seed_repeats_over_http(client, sandbox):
    def pattern() -> list[int]:
        sandbox.clear_faults()
        sandbox.add_fault(FaultRule("sms", "http500", probability=0.5, seed=42))
        return [_send_sms(client).status_code for _ in range(12)]

    first = pattern()
    assert first == pattern()
    assert set(first) == {200, 500}


def test_faults_given_at_construction(tmp_path):
    rules = [FaultRule("tts", "html", count=1)]
    with SandboxServer(data_dir=tmp_path / "data", auth_key="k", faults=rules) as server:
        with httpx.Client(base_url=server.url, headers={"auth_key": "k"}) as http:
            assert http.post(TTS, files=multipart(GOOD_TTS)).status_code == 502
            assert http.post(TTS, files=multipart(GOOD_TTS)).status_code == 200
