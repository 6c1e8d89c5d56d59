"""The retry policy: small pure functions, tested with tables.

Voitex has no idempotency key, so (``voitex-api-notes.md``, "Which calls may be
retried"):

* Every call is retried when the request provably never arrived (the
  connection could not be established) or the server refused it without acting
  (HTTP 429, honouring ``Retry-After``).
* A call is *repeat-safe* when sending it twice leaves the same state as once.
  An upload is: the same album and sort number again replaces the recording.
  A TTS request is repeat-safe only when it names a sort number, for the same
  reason; without one each request creates another recording. Repeat-safe
  calls are also retried after HTTP 5xx and after a connection lost once the
  request was (perhaps partly) sent.
* An SMS or a notification call is never repeated once it may have reached the
  server, whatever the server does: the customer would get it twice.
* A read timeout is never retried automatically, for any call: the server may
  still be working on it, and sending it again would add load (a large upload
  in particular); the caller decides.
* A proxy that refused the tunnel (407, 403, 502 on CONNECT) and a certificate
  this computer does not trust are not retried either: nothing was sent, and
  asking again gets the same answer; the user has something to change first.

What a failure of the HTTP stack (an httpx exception) tells about the request
is the table :data:`TRANSPORT_FAILURES`: one row per exception class, with
what it means when no byte of the request body had left yet and what it means
once the body had started to go. Only the first can be "never reached".

Waits: capped exponential backoff with jitter; a 429's ``Retry-After`` (seconds
or an HTTP date) is waited exactly when it is at most ``max_retry_after``,
and when the server asks for longer the client stops and reports the wait
(:class:`~console.api.errors.RateLimitedError.retry_after`) instead of
hammering it sooner.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from . import errors
from .errors import ApiError
from .wire import CALL, SMS, TTS, UPLOAD, Operation

__all__ = [
    "NOT_CONNECTED",
    "RATE_LIMITED",
    "SERVER_ERROR",
    "CONNECTION_LOST",
    "TIMED_OUT",
    "REJECTED",
    "KEY_REFUSED",
    "UNREADABLE",
    "INVALID",
    "PROXY_REFUSED",
    "NOT_TRUSTED",
    "TRANSPORT_FAILURES",
    "transport_failure",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_BACKOFF_BASE",
    "DEFAULT_BACKOFF_CAP",
    "DEFAULT_MAX_RETRY_AFTER",
    "is_repeat_safe",
    "failure_kind",
    "may_retry",
    "backoff_delay",
    "parse_retry_after",
    "retry_delay",
]

NOT_CONNECTED = "not_connected"  # the request never reached the server
RATE_LIMITED = "rate_limited"  # HTTP 429: refused without acting
SERVER_ERROR = "server_error"  # HTTP 5xx: may have acted
CONNECTION_LOST = "connection_lost"  # sent, perhaps partly; no reply
TIMED_OUT = "timed_out"  # sent; no reply within the read timeout
REJECTED = "rejected"
KEY_REFUSED = "key_refused"
UNREADABLE = "unreadable"
INVALID = "invalid"
PROXY_REFUSED = "proxy_refused"  # the proxy refused the tunnel: nothing reached Voitex
NOT_TRUSTED = "not_trusted"  # the certificate is not trusted: nothing was sent

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_CAP = 8.0
DEFAULT_MAX_RETRY_AFTER = 60.0


def is_repeat_safe(operation: Operation, *, has_sort_number: bool = False) -> bool:
    """Whether sending ``operation`` twice leaves the same state as sending it once."""
    if operation == UPLOAD:
        return True
    if operation == TTS:
        return has_sort_number
    if operation in (CALL, SMS):
        return False
    raise ValueError(f"unknown operation {operation!r}")


#: httpx's exceptions and what each tells about the request, most specific
#: first: (class, kind when no byte of the body had left, kind once it had).
#: Before the body, the request's fields cannot have reached Voitex, whatever
#: broke (the proxy's CONNECT, the TLS handshake, the head half-written).
#: Once it has started, every failure may have let Voitex act.
TRANSPORT_FAILURES: tuple[tuple[type[httpx.HTTPError], str, str], ...] = (
    (httpx.ProxyError, PROXY_REFUSED, CONNECTION_LOST),
    (httpx.ConnectTimeout, NOT_CONNECTED, CONNECTION_LOST),
    (httpx.ConnectError, NOT_CONNECTED, CONNECTION_LOST),
    (httpx.PoolTimeout, NOT_CONNECTED, CONNECTION_LOST),
    (httpx.UnsupportedProtocol, NOT_CONNECTED, CONNECTION_LOST),
    (httpx.LocalProtocolError, NOT_CONNECTED, CONNECTION_LOST),
    (httpx.ReadTimeout, NOT_CONNECTED, TIMED_OUT),
    (httpx.WriteTimeout, NOT_CONNECTED, CONNECTION_LOST),
    (httpx.TimeoutException, NOT_CONNECTED, TIMED_OUT),
    (httpx.HTTPError, NOT_CONNECTED, CONNECTION_LOST),
)


def transport_failure(err: httpx.HTTPError, *, body_started: bool) -> str:
    """The retry policy's name for an httpx failure (see :data:`TRANSPORT_FAILURES`)."""
    for cls, before, after in TRANSPORT_FAILURES:
        if isinstance(err, cls):
            return after if body_started else before
    return CONNECTION_LOST


# One row per error class, most specific first.
_KINDS: tuple[tuple[type[ApiError], str], ...] = (
    (errors.InvalidArgumentError, INVALID),
    (errors.ProxyRefusedError, PROXY_REFUSED),
    (errors.CertificateError, NOT_TRUSTED),
    (errors.ConnectionFailedError, NOT_CONNECTED),
    (errors.RateLimitedError, RATE_LIMITED),
    (errors.ServerError, SERVER_ERROR),
    (errors.KeyRefusedError, KEY_REFUSED),
    (errors.RequestRejectedError, REJECTED),
    (errors.UnreadableReplyError, UNREADABLE),
)


def failure_kind(err: ApiError) -> str:
    """The retry policy's name for a failure."""
    if isinstance(err, errors.OutcomeUnknownError):
        return TIMED_OUT if err.timed_out else CONNECTION_LOST
    if isinstance(err, errors.UnreadableReplyError) and err.status_code is not None and err.status_code >= 500:
        # A gateway's HTML error page: a server error all the same.
        return SERVER_ERROR
    for cls, kind in _KINDS:
        if isinstance(err, cls):
            return kind
    return UNREADABLE


def may_retry(kind: str, *, repeat_safe: bool) -> bool:
    """Whether a failure of this kind may be retried automatically."""
    if kind in (NOT_CONNECTED, RATE_LIMITED):
        return True
    if kind in (SERVER_ERROR, CONNECTION_LOST):
        return repeat_safe
    return False


def backoff_delay(
    retry_number: int,
    *,
    base: float = DEFAULT_BACKOFF_BASE,
    cap: float = DEFAULT_BACKOFF_CAP,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retry_number`` (1 for the first retry).

    ``base * 2**(n-1)``, capped at ``cap``, less up to a quarter of jitter so
    that clients that failed together do not retry together.
    """
    delay = min(cap, base * 2.0 ** max(retry_number - 1, 0))
    return float(delay * (1.0 - 0.25 * rand()))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header value as seconds from ``now``, or None if absent or unreadable.

    Accepts delay-seconds (also with a fraction) and an HTTP date; a date in
    the past gives 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(
    kind: str,
    *,
    attempt: int,
    max_attempts: int,
    repeat_safe: bool,
    retry_after: float | None = None,
    base: float = DEFAULT_BACKOFF_BASE,
    cap: float = DEFAULT_BACKOFF_CAP,
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before sending again after ``attempt`` failed, or None to give up.

    ``attempt`` counts from 1 (the first send).
    """
    if attempt >= max_attempts or not may_retry(kind, repeat_safe=repeat_safe):
        return None
    if kind == RATE_LIMITED and retry_after is not None:
        return retry_after if retry_after <= max_retry_after else None
    return backoff_delay(attempt, base=base, cap=cap, rand=rand)
