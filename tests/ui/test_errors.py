"""Every failure class of the client becomes a sentence a non-programmer can act on.

The errors are built the way the client builds them: replies go through
`check_reply` (the one table from HTTP outcome to error class the client uses),
and the transport failures come from a real client call that cannot connect
or whose connection the sandbox drops.
"""
from __future__ import annotations

import json
import socket

import pytest

from console import api
from console.api import VoitexClient
from console.api.parse import check_reply
from console.sandbox import FaultRule
from console.ui.errors import describe_error
from tests.helpers import SANDBOX_KEY, run_async


def replied(status_code: int, body: object | bytes, *, operation: str = "sms", retry_after: str | None = None,
            repeat_safe: bool = False) -> api.ApiError:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(api.ApiError) as caught:
        check_reply(operation=operation, status_code=status_code, content=content, retry_after=retry_after,
                    repeat_safe=repeat_safe)
    return caught.value


def sent_sms(base_url: str) -> api.ApiError:
    async def send():
        async with VoitexClient(base_url=base_url, auth_key=SANDBOX_KEY) as client:
            await client.send_sms(from_number="8459511000", to="8451234567", body="Hi")

    with pytest.raises(api.ApiError) as caught:
        run_async(send())
    return caught.value


def closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


ERROR_BODY = {"status": "error", "errors": ["to is not valid"]}


@pytest.mark.parametrize("make, cls, expected", [
    (lambda: replied(401, ERROR_BODY), api.KeyRefusedError,
     "The key for 'Main office' was refused: check it in Profile"),
    (lambda: replied(429, b"", retry_after="30"), api.RateLimitedError, "Try again in 30 seconds"),
    (lambda: replied(429, b"", retry_after="1"), api.RateLimitedError, "Try again in 1 second."),
    (lambda: replied(429, b"", retry_after="0.4"), api.RateLimitedError, "Try again in 1 second."),
    (lambda: replied(500, ERROR_BODY), api.ServerError, "may or may not have been sent"),
    (lambda: replied(503, ERROR_BODY, operation="upload", repeat_safe=True), api.ServerError, "error 503"),
    (lambda: replied(200, ERROR_BODY), api.RequestRejectedError, "“to is not valid”"),
    (lambda: replied(502, b"<html>Bad gateway</html>", operation="upload", repeat_safe=True),
     api.UnreadableReplyError, "HTTP 502"),
], ids=["key-refused", "rate-limited", "rate-limited-1s", "rate-limited-under-1s", "server-error-unknown",
        "server-error", "rejected", "unreadable"])
def test_each_failure_class_has_advice(make, cls, expected):
    err = make()
    assert type(err) is cls
    text = describe_error(err, profile_name="Main office", action="the message")
    assert expected in text
    assert "Traceback" not in text


def test_no_connection_says_it_was_not_sent():
    err = sent_sms(closed_port_url())
    assert type(err) is api.ConnectionFailedError
    text = describe_error(err, profile_name="Main office", action="the message")
    assert "was not sent. Check the internet connection" in text


def test_a_dropped_connection_says_it_may_have_been_sent(sandbox):
    sandbox.add_fault(FaultRule("sms", "drop", count=1, acted=True))
    err = sent_sms(sandbox.url)
    assert type(err) is api.OutcomeUnknownError
    text = describe_error(err, profile_name="Main office", action="the message")
    assert "the message may or may not have been sent. Check History before sending it again." in text


def test_unknown_outcome_names_what_to_check():
    # As the client's transport failure builds it when a call's connection drops.
    err = api.OutcomeUnknownError("The connection to Voitex was lost before a reply came (reset).",
                                  timed_out=False, operation="call")
    text = describe_error(err, profile_name="Main office", action="the call", done_verb="placed",
                          check="Check History, or ask the person called, before calling again.")
    assert text == ("Voitex did not answer clearly, so the call may or may not have been placed. "
                    "Check History, or ask the person called, before calling again.")
