"""Protocol cases through `VoitexClient(transport=)`: replies a server would add nothing to.

Each handler is an `httpx.MockTransport` answering what the wire case needs;
the sandbox stays the test server for everything else (tests/api/test_client*.py).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.api import (
    ConnectionFailedError,
    InvalidArgumentError,
    RequestRejectedError,
    SmsResult,
    VoitexClient,
)
from tests.helpers import run_async

KEY = "transport-test-key-123"
SMS_URL = "https://api.voitex.com/v1/sms/send/index.php"

# The SMS echo as the provider's documentation prints it: not valid JSON.
DOC_ECHO = ('{ "to": "8451234567", "from ": "8459511000 ", "body": "Your order is ready", '
            '"did_type ": "TN ", "from ": "u7T0um " }')


def client_with(handler: Callable[[httpx.Request], httpx.Response], **overrides: Any) -> VoitexClient:
    settings: dict[str, Any] = {"base_url": "https://api.voitex.com", "auth_key": KEY,
                                   "backoff_base": 0.0, "backoff_cap": 0.0}
    settings.update(overrides)
    return VoitexClient(transport=httpx.MockTransport(handler), **settings)


def send_sms(client: VoitexClient) -> SmsResult:
    async def scenario() -> SmsResult:
        async with client:
            return await client.send_sms(from_number="8459511000", to="8451234567",
                                         body="Your order is ready")

    return run_async(scenario())


def reply(data: object) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": data, "errors": []})


@pytest.mark.parametrize(
    ("data", "reference_id", "did_type"),
    [
        (DOC_ECHO, "u7T0um", "TN"),  # a string holding the documentation's pseudo-JSON
        ({"to": "8451234567", "did_type": "TF", "reference_id": " r4 "}, "r4", "TF"),
        ("queued", None, None),  # a string that is no echo at all: still sent
    ],
)
def test_sms_reply_data_in_every_form_counts_as_sent(data, reference_id, did_type):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply(data)

    result = send_sms(client_with(handler))

    assert (result.reference_id, result.did_type) == (reference_id, did_type)
    assert len(seen) == 1
    request = seen[0]
    assert str(request.url) == SMS_URL
    assert request.headers["auth_key"] == KEY
    assert b'name="body"\r\n\r\nYour order is ready' in request.content


def test_sms_waits_out_a_429_with_retry_after_then_is_sent_once():
    answers = [httpx.Response(429, headers={"Retry-After": "0"}, json={"status": "error"}),
               reply({"reference_id": "after-429", "did_type": "TN"})]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    result = send_sms(client_with(handler))

    assert result.reference_id == "after-429"
    assert len(seen) == 2  # refused without acting, so sending again is safe


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_leaves_the_sms_outcome_unknown_and_is_not_followed(status):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/sms"})

    with pytest.raises(RequestRejectedError) as info:
        send_sms(client_with(handler))

    err = info.value
    assert err.outcome_unknown
    assert err.status_code == status
    assert "redirect" in str(err) and "check the base URL" in str(err)
    assert [str(r.url) for r in seen] == [SMS_URL]  # neither followed nor repeated


def test_a_connection_never_made_is_retried_and_reported_without_httpx_names():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ConnectionFailedError) as info:
        send_sms(client_with(handler, max_attempts=3))

    assert len(seen) == 3  # it never arrived, so every attempt was safe
    assert info.value.attempts == 3
    assert "was not sent" in str(info.value)
    assert not info.value.outcome_unknown


def test_the_reply_is_json_read_from_memory_as_from_the_wire():
    body = json.dumps({"status": "success", "data": "8812"}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "text/html"})

    async def scenario() -> str | None:
        async with client_with(handler) as client:
            result = await client.create_tts(text="Hello", album_number=1, sort_number=2)
            return result.recording_id

    assert run_async(scenario()) == "8812"


def test_transport_must_be_an_httpx_transport():
    with pytest.raises(InvalidArgumentError) as info:
        VoitexClient(auth_key=KEY, transport=object())  # type: ignore[arg-type]
    assert info.value.field == "transport"
