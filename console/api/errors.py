"""The errors the Voitex client raises.

Every failure of a call is an :class:`ApiError` subclass, so a script can catch
one class; a user interface can tell the cases apart by class:

==========================  ======================================================
class                       meaning
==========================  ======================================================
InvalidArgumentError        an argument was refused before anything was sent
KeyRefusedError             Voitex refused the auth key (HTTP 401 or 403)
RequestRejectedError        Voitex rejected the request (``status`` not success,
                            or another HTTP 4xx); ``messages`` says why
RateLimitedError            HTTP 429, still refused after the automatic retries
ServerError                 HTTP 5xx
ConnectionFailedError       the request never reached the server (DNS, refused,
                            connect timeout, the proxy unreachable); ``step``
                            says where the way failed
ProxyRefusedError           (a ConnectionFailedError) the office proxy refused
                            the tunnel: 407, 403, or it could not reach Voitex
CertificateError            (a ConnectionFailedError) the server's certificate
                            is not trusted by this computer; nothing was sent
OutcomeUnknownError         the request may have reached the server but no reply
                            came back (read timeout, connection dropped, or the
                            whole reply did not arrive within the request's
                            overall deadline: ``timed_out`` True)
UnreadableReplyError        the reply is not a JSON object (an HTML error page,
                            an empty body), or is longer than the client's cap
                            after decompression, or in an encoding it cannot
                            read; the message names the HTTP status and quotes
                            the start of the body
==========================  ======================================================

``outcome_unknown`` is True when the request may have been acted on although the
call failed: always for :class:`OutcomeUnknownError`, and for
:class:`ServerError` / :class:`UnreadableReplyError` on calls that must not be
repeated blindly (SMS, notification calls, and TTS without a sort number). Show
the user what is known and let them decide before sending again.

No error text or repr ever contains the auth key.
"""
from __future__ import annotations

from typing import TypedDict, Unpack

__all__ = [
    "ApiError",
    "InvalidArgumentError",
    "KeyRefusedError",
    "RequestRejectedError",
    "RateLimitedError",
    "ServerError",
    "ConnectionFailedError",
    "ProxyRefusedError",
    "CertificateError",
    "OutcomeUnknownError",
    "UnreadableReplyError",
]


class ApiErrorFields(TypedDict, total=False):
    """The keyword arguments every ApiError takes (subclasses pass them on)."""

    status_code: int | None
    messages: list[str] | tuple[str, ...]
    outcome_unknown: bool
    operation: str | None
    attempts: int


class ApiError(Exception):
    """Base class of every failure of a Voitex call.

    Attributes:
        status_code: the HTTP status of the reply, or None when there was none.
        messages: the API's ``errors`` messages, verbatim (possibly empty).
        outcome_unknown: True when the request may have been acted on.
        operation: which call failed: ``"upload"``, ``"tts"``, ``"call"``,
            ``"sms"``, or None when no call was under way.
        attempts: how many times the request was sent (automatic retries
            included); 0 when it failed before anything was sent.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        messages: list[str] | tuple[str, ...] = (),
        outcome_unknown: bool = False,
        operation: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.messages = list(messages)
        self.outcome_unknown = outcome_unknown
        self.operation = operation
        self.attempts = attempts
        # Set by the console's Sender: a sentence to show when History could
        # not be updated with this failure yet, else None.
        self.history_note: str | None = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, "
            f"messages={self.messages!r}, outcome_unknown={self.outcome_unknown!r})"
        )


class InvalidArgumentError(ApiError, ValueError):
    """An argument was refused before anything was sent.

    Attributes:
        field: the name of the argument, e.g. ``"to"``, ``"album_number"``,
            ``"sfile_id"``, ``"base_url"``, ``"path"``.
    """

    def __init__(self, field: str, message: str, *, operation: str | None = None) -> None:
        super().__init__(message, operation=operation, attempts=0)
        self.field = field

    def __repr__(self) -> str:
        return f"InvalidArgumentError(field={self.field!r}, message={self.message!r})"


class KeyRefusedError(ApiError):
    """Voitex refused the auth key (HTTP 401 or 403)."""


class RequestRejectedError(ApiError):
    """Voitex rejected the request: ``status`` was not success, or HTTP 4xx.

    ``messages`` holds the API's reasons verbatim.
    """


class RateLimitedError(ApiError):
    """HTTP 429: Voitex asked to slow down, and the automatic retries ran out.

    Attributes:
        retry_after: the wait the server asked for, in seconds, or None.
    """

    def __init__(self, message: str, *, retry_after: float | None = None,
                 **kwargs: Unpack[ApiErrorFields]) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """HTTP 5xx: the Voitex server failed while handling the request."""


class ConnectionFailedError(ApiError):
    """The request never reached the server (DNS, connection refused, connect timeout).

    Attributes:
        step: where the way failed: ``"lookup"`` (the name was not found),
            ``"proxy"`` (the office proxy could not be reached or refused),
            ``"tls"`` (the secure connection failed), ``"connect"``.
            The message names the proxy or the certificate and says what to do.
        proxy: ``host:port`` of the proxy the request went through, or "".
    """

    def __init__(self, message: str, *, step: str = "connect", proxy: str = "",
                 **kwargs: Unpack[ApiErrorFields]) -> None:
        super().__init__(message, **kwargs)
        self.step = step
        self.proxy = proxy


class ProxyRefusedError(ConnectionFailedError):
    """The office proxy refused to open the tunnel to Voitex (407, 403, 502 ...).

    Attributes:
        proxy_status: the proxy's HTTP status (0 for a SOCKS refusal).
    """

    def __init__(self, message: str, *, proxy_status: int = 0, proxy: str = "",
                 **kwargs: Unpack[ApiErrorFields]) -> None:
        super().__init__(message, step="proxy", proxy=proxy, **kwargs)
        self.proxy_status = proxy_status


class CertificateError(ConnectionFailedError):
    """The server's certificate is not trusted here; the message says whose it is.

    Attributes:
        issuer: who issued the certificate, when it could be read, else "".
    """

    def __init__(self, message: str, *, issuer: str = "", proxy: str = "",
                 **kwargs: Unpack[ApiErrorFields]) -> None:
        super().__init__(message, step="tls", proxy=proxy, **kwargs)
        self.issuer = issuer


class OutcomeUnknownError(ApiError):
    """The request may have reached the server, but no usable reply came back.

    Raised after a read timeout, the request's overall deadline, a
    connection dropped after the request was sent, or a write failure
    part-way through the request. ``outcome_unknown`` is always True.

    Attributes:
        timed_out: True when the reply did not come within the read timeout
            or the whole reply not within the deadline, False when the
            connection was lost.
    """

    def __init__(self, message: str, *, timed_out: bool = False,
                 **kwargs: Unpack[ApiErrorFields]) -> None:
        kwargs["outcome_unknown"] = True
        super().__init__(message, **kwargs)
        self.timed_out = timed_out


class UnreadableReplyError(ApiError):
    """The reply's body is not the JSON object the API sends.

    An HTML error page from a gateway, an empty body, truncated JSON, or a
    success without the id it must carry. The message names the HTTP status
    and quotes the start of the body. A 401/403/429 or a redirect is classed
    by its status whatever the body.
    """
