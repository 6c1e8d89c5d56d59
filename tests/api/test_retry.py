"""The retry policy (pure tables)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from console.api import (
    ConnectionFailedError,
    InvalidArgumentError,
    KeyRefusedError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    UnreadableReplyError,
)
from console.api.retry import (
    CONNECTION_LOST,
    INVALID,
    KEY_REFUSED,
    NOT_CONNECTED,
    RATE_LIMITED,
    REJECTED,
    SERVER_ERROR,
    TIMED_OUT,
    UNREADABLE,
    backoff_delay,
    failure_kind,
    is_repeat_safe,
    may_retry,
    parse_retry_after,
    retry_delay,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("operation", "has_sort", "safe"),
    [
        ("upload", True, True),
        ("upload", False, True),
        ("tts", True, True),
        ("tts", False, False),
        ("call", True, False),
        ("call", False, False),
        ("sms", False, False),
    ],
)
def test_repeat_safe(operation, has_sort, safe):
    assert is_repeat_safe(operation, has_sort_number=has_sort) is safe


def test_repeat_safe_unknown_operation():
    with pytest.raises(ValueError):
        is_repeat_safe("fax")


@pytest.mark.parametrize(
    ("err", "kind"),
    [
        (ConnectionFailedError("x"), NOT_CONNECTED),
        (RateLimitedError("x", status_code=429), RATE_LIMITED),
        (ServerError("x", status_code=500), SERVER_ERROR),
        (OutcomeUnknownError("x", timed_out=True), TIMED_OUT),
        (OutcomeUnknownError("x"), CONNECTION_LOST),
        (KeyRefusedError("x", status_code=401), KEY_REFUSED),
        (RequestRejectedError("x", status_code=200), REJECTED),
        (UnreadableReplyError("x", status_code=200), UNREADABLE),
        (UnreadableReplyError("x", status_code=404), UNREADABLE),
        (UnreadableReplyError("x", status_code=502), SERVER_ERROR),
        (InvalidArgumentError("path", "x"), INVALID),
    ],
)
def test_failure_kind(err, kind):
    assert failure_kind(err) == kind


# Every kind, for a call that may be repeated (upload) and one that may not (SMS).
@pytest.mark.parametrize(
    ("kind", "repeat_safe", "retry"),
    [
        (NOT_CONNECTED, False, True),
        (NOT_CONNECTED, True, True),
        (RATE_LIMITED, False, True),
        (RATE_LIMITED, True, True),
        (SERVER_ERROR, False, False),
        (SERVER_ERROR, True, True),
        (CONNECTION_LOST, False, False),
        (CONNECTION_LOST, True, True),
        (TIMED_OUT, False, False),
        (TIMED_OUT, True, False),
        (REJECTED, True, False),
        (KEY_REFUSED, True, False),
        (UNREADABLE, True, False),
        (UNREADABLE, False, False),
        (INVALID, True, False),
    ],
)
def test_may_retry(kind, repeat_safe, retry):
    assert may_retry(kind, repeat_safe=repeat_safe) is retry


@pytest.mark.parametrize(
    ("retry_number", "rand", "expected"),
    [
        (1, 0.0, 0.5),
        (2, 0.0, 1.0),
        (3, 0.0, 2.0),
        (4, 0.0, 4.0),
        (5, 0.0, 8.0),
        (6, 0.0, 8.0),  # capped
        (30, 0.0, 8.0),
        (1, 1.0, 0.375),  # at most a quarter of jitter
        (6, 1.0, 6.0),
        (0, 0.0, 0.5),
    ],
)
def test_backoff_delay(retry_number, rand, expected):
    assert backoff_delay(retry_number, base=0.5, cap=8.0, rand=lambda: rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("0.25", 0.25),
        (" 12 ", 12.0),
        ("120", 120.0),
        (None, None),
        ("", None),
        ("-3", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        ("Wed, 01 May 2024 12:00:45 GMT", 45.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("Wed, 01 May 2024 12:01:00 +0000", 60.0),
        ("Wed, 01 Foo 2024 12:01:00 GMT", None),
    ],
)
def test_parse_retry_after(value, expected):
    got = parse_retry_after(value, now=NOW)
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("kind", "attempt", "max_attempts", "repeat_safe", "retry_after", "expected"),
    [
        # never arrived: retried, for every call, until attempts run out
        (NOT_CONNECTED, 1, 4, False, None, 0.5),
        (NOT_CONNECTED, 2, 4, False, None, 1.0),
        (NOT_CONNECTED, 3, 4, False, None, 2.0),
        (NOT_CONNECTED, 4, 4, False, None, None),
        (NOT_CONNECTED, 1, 1, True, None, None),
        # 429: Retry-After honoured exactly up to the cap; longer: give up and report
        (RATE_LIMITED, 1, 4, False, 3.0, 3.0),
        (RATE_LIMITED, 1, 4, False, 0.0, 0.0),
        (RATE_LIMITED, 1, 4, False, 60.0, 60.0),
        (RATE_LIMITED, 1, 4, False, 61.0, None),
        (RATE_LIMITED, 2, 4, True, None, 1.0),
        (RATE_LIMITED, 4, 4, True, 1.0, None),
        # 5xx and lost connections: only calls that may be repeated
        (SERVER_ERROR, 1, 4, True, None, 0.5),
        (SERVER_ERROR, 1, 4, False, None, None),
        (CONNECTION_LOST, 1, 4, True, None, 0.5),
        (CONNECTION_LOST, 1, 4, False, None, None),
        # never
        (TIMED_OUT, 1, 4, True, None, None),
        (REJECTED, 1, 4, True, None, None),
        (KEY_REFUSED, 1, 4, True, None, None),
        (UNREADABLE, 1, 4, False, None, None),
    ],
)
def test_retry_delay(kind, attempt, max_attempts, repeat_safe, retry_after, expected):
    got = retry_delay(
        kind,
        attempt=attempt,
        max_attempts=max_attempts,
        repeat_safe=repeat_safe,
        retry_after=retry_after,
        base=0.5,
        cap=8.0,
        max_retry_after=60.0,
        rand=lambda: 0.0,
    )
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("operation", ["sms", "call"])
@pytest.mark.parametrize("kind", [SERVER_ERROR, CONNECTION_LOST, TIMED_OUT, UNREADABLE, REJECTED])
def test_sms_and_calls_never_repeat_once_they_may_have_arrived(operation, kind):
    safe = is_repeat_safe(operation)
    for attempt in range(1, 10):
        assert retry_delay(kind, attempt=attempt, max_attempts=10, repeat_safe=safe) is None


# --- the transport failure table (console.api.retry.TRANSPORT_FAILURES) -------------

import httpx  # noqa: E402

from console.api import CertificateError, ProxyRefusedError  # noqa: E402
from console.api.retry import NOT_TRUSTED, PROXY_REFUSED, TRANSPORT_FAILURES, transport_failure  # noqa: E402

_EXPECTED_ROWS = {
    # class: (before any byte of the body left, once it had started)
    httpx.ProxyError: (PROXY_REFUSED, CONNECTION_LOST),
    httpx.ConnectTimeout: (NOT_CONNECTED, CONNECTION_LOST),
    httpx.ConnectError: (NOT_CONNECTED, CONNECTION_LOST),
    httpx.PoolTimeout: (NOT_CONNECTED, CONNECTION_LOST),
    httpx.UnsupportedProtocol: (NOT_CONNECTED, CONNECTION_LOST),
    httpx.LocalProtocolError: (NOT_CONNECTED, CONNECTION_LOST),
    httpx.ReadTimeout: (NOT_CONNECTED, TIMED_OUT),
    httpx.WriteTimeout: (NOT_CONNECTED, CONNECTION_LOST),
    httpx.TimeoutException: (NOT_CONNECTED, TIMED_OUT),
    httpx.HTTPError: (NOT_CONNECTED, CONNECTION_LOST),
}


def test_the_table_has_exactly_the_rows_tested_here():
    assert {cls: (before, after) for cls, before, after in TRANSPORT_FAILURES} == _EXPECTED_ROWS


@pytest.mark.parametrize("cls", list(_EXPECTED_ROWS), ids=lambda c: c.__name__)
@pytest.mark.parametrize("started", [False, True], ids=["before-body", "body-started"])
def test_each_row(cls, started):
    err = cls("x") if cls is not httpx.HTTPError else httpx.HTTPError("x")
    before, after = _EXPECTED_ROWS[cls]
    assert transport_failure(err, body_started=started) == (after if started else before)


@pytest.mark.parametrize(
    "err",
    [httpx.ReadError("reset"), httpx.WriteError("broken pipe"), httpx.RemoteProtocolError("bad"),
     httpx.ReadTimeout("slow"), httpx.ProxyError("x"), httpx.ConnectError("x")],
    ids=["read", "write", "protocol", "read-timeout", "proxy", "connect"],
)
@pytest.mark.parametrize("operation", ["sms", "call"])
def test_once_the_body_started_no_failure_lets_an_sms_or_call_go_again(err, operation):
    kind = transport_failure(err, body_started=True)
    assert kind in (CONNECTION_LOST, TIMED_OUT)
    assert retry_delay(kind, attempt=1, max_attempts=9, repeat_safe=False) is None


def test_subclasses_not_in_the_table_take_their_parents_row():
    assert transport_failure(httpx.ReadError("x"), body_started=True) == CONNECTION_LOST
    assert transport_failure(httpx.RemoteProtocolError("x"), body_started=False) == NOT_CONNECTED


@pytest.mark.parametrize(
    ("err", "kind"),
    [(ProxyRefusedError("proxy says no", proxy_status=407), PROXY_REFUSED),
     (CertificateError("untrusted"), NOT_TRUSTED)],
)
def test_a_proxy_refusal_and_an_untrusted_certificate_are_not_retried(err, kind):
    assert failure_kind(err) == kind
    assert not may_retry(kind, repeat_safe=True)
