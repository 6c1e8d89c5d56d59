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

from .errors import (
    ApiError,
    ConnectionFailedError,
    InvalidArgumentError,
    KeyRefusedError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    UnreadableReplyError,
)
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


# One row per error class, most specific first.
_KINDS: tuple[tuple[type[ApiError], str], ...] = (
    (InvalidArgumentError, INVALID),
    (ConnectionFailedError, NOT_CONNECTED),
    (RateLimitedError, RATE_LIMITED),
    (ServerError, SERVER_ERROR),
    (KeyRefusedError, KEY_REFUSED),
    (RequestRejectedError, REJECTED),
    (UnreadableReplyError, UNREADABLE),
)


def failure_kind(err: ApiError) -> str:
    """The retry policy's name for a failure."""
    if isinstance(err, OutcomeUnknownError):
        return TIMED_OUT if err.timed_out else CONNECTION_LOST
    if isinstance(err, UnreadableReplyError) and err.status_code is not None and err.status_code >= 500:
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
