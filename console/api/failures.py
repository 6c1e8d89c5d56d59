"""A failure of the HTTP stack, told as the step of the way that failed.

:func:`console.api.retry.transport_failure` decides what a failure means for
the request (never reached, timed out, lost); here it becomes an error whose
words name the step: the name lookup, the office proxy (unreachable, asking
for a password, refusing), the certificate (whose it is), or Voitex.
"""
from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator

import httpx

from .errors import ApiError, CertificateError, ConnectionFailedError, OutcomeUnknownError, ProxyRefusedError
from .parse import scrub
from .proxy import Route
from .retry import NOT_CONNECTED, PROXY_REFUSED, TIMED_OUT
from .tls import untrusted_message
from .tunnel import fetch_certificate
from .wire import WHAT, Operation, outcome_note

__all__ = ["causes", "transport_error", "proxy_refusal_text"]

PROFILE_PLACE = "Profile \u25b8 Manage profiles"
_STATUS = re.compile(r"^\s*(\d{3})\b\s*(.*)$")


def causes(err: BaseException) -> Iterator[BaseException]:
    """``err`` and what it was raised from, innermost last (at most a few levels)."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen and len(seen) < 12:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _find(err: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in causes(err) if isinstance(e, kind)), None)


def proxy_refusal_text(label: str, host: str, status: int, reason: str, *, had_credentials: bool) -> str:
    """What the proxy's refusal of a tunnel means, and what to do; without the outcome."""
    if status == 407:
        if had_credentials:
            return (f"The office proxy {label} refused the user name and password saved for this profile. "
                    f"Correct them under Proxy in {PROFILE_PLACE}.")
        return (f"The office proxy {label} asks for a user name and password. "
                f"Enter them under Proxy in {PROFILE_PLACE}.")
    if status == 403:
        return (f"The office proxy {label} refuses connections to {host} (403 {reason or 'Forbidden'}). "
                f"Ask IT to allow https://{host} through the proxy.")
    if status in (502, 503, 504):
        return (f"The office proxy {label} could not reach {host} (it answered {status} {reason}). "
                "Try again in a few minutes; if it persists, ask IT.")
    said = f"{status} {reason}".strip() if status else reason
    return f"The office proxy {label} refused the connection to {host} ({said}). Ask IT."


async def transport_error(
    err: httpx.HTTPError,
    *,
    kind: str,
    operation: Operation,
    host: str,
    port: int,
    route: Route,
    repeat_safe: bool,
    read_timeout: float | None,
    secret: str,
) -> ApiError:
    """The error for ``err``, of the ``kind`` the retry table gave it."""
    what = WHAT[operation]
    reason = scrub(str(err).strip(), secret) or type(err).__name__
    label = route.proxy_label
    not_sent = f"the {what} was not sent."
    if kind in (NOT_CONNECTED, PROXY_REFUSED):
        verify = _find(err, ssl.SSLCertVerificationError)
        if isinstance(verify, ssl.SSLCertVerificationError):
            facts = await fetch_certificate(host, port, route)
            detail = scrub(verify.verify_message or str(verify), secret)
            text = untrusted_message(host, facts, detail, via_proxy=label)
            return CertificateError(f"{text} The {what} was not sent.", issuer=facts.issuer if facts else "",
                                    proxy=label, operation=operation)
        if _find(err, ssl.SSLError) is not None:
            return ConnectionFailedError(
                f"The secure connection to {host} could not be set up ({reason}); {not_sent} "
                "If this keeps happening, ask IT whether something on the network blocks it.",
                step="tls", proxy=label, operation=operation)
        if kind == PROXY_REFUSED:
            match = _STATUS.match(reason)
            status, said = (int(match[1]), match[2]) if match else (0, reason)
            text = proxy_refusal_text(label, host, status, said, had_credentials=route.has_credentials)
            return ProxyRefusedError(f"{text} The {what} was not sent.", proxy_status=status, proxy=label,
                                     operation=operation)
        if label:
            if isinstance(err, httpx.ConnectError | httpx.ConnectTimeout):
                return ConnectionFailedError(
                    f"Could not reach the office proxy {label} ({reason}); {not_sent} "
                    f"Check the proxy under Proxy in {PROFILE_PLACE}, or ask IT whether it is running.",
                    step="proxy", proxy=label, operation=operation)
            return ConnectionFailedError(
                f"The connection through the office proxy {label} broke before the {what} went out "
                f"({reason}); {not_sent} Try again; if it persists, ask IT about the proxy.",
                step="proxy", proxy=label, operation=operation)
        if _find(err, socket.gaierror) is not None:
            return ConnectionFailedError(
                f"Could not find {host} (the name lookup failed: {reason}); {not_sent} Check the internet "
                "connection and the base URL; if this office reaches the internet only through a proxy, "
                f"choose it under Proxy in {PROFILE_PLACE}.",
                step="lookup", operation=operation)
        return ConnectionFailedError(f"Could not connect to {host} ({reason}); {not_sent}", operation=operation)
    unknown = outcome_note(operation, repeat_safe=repeat_safe)
    through = f" through the office proxy {label}" if label else ""
    if kind == TIMED_OUT:
        return OutcomeUnknownError(
            f"No reply from Voitex{through} within {read_timeout or 0:g} seconds after the {what} was sent.{unknown}",
            timed_out=True, operation=operation)
    return OutcomeUnknownError(
        f"The connection to Voitex{through} was lost before a reply came ({reason}).{unknown}",
        timed_out=False, operation=operation)
