"""POST a composed branch request to the user's own endpoint, as Voitex would.

The endpoint is the customer's server, not Voitex, so none of the Voitex
client's retries or error classes apply: one POST, a time budget for the whole
exchange (a caller on a live call is waiting), and every outcome, failures
included, returned as an `EndpointReply` whose ``error`` is a sentence for the
user. Nothing here raises for a network problem.
"""
from __future__ import annotations

import asyncio
import errno
import json
import math
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from console.domain.card_data import CARD_KEYS, folded

from .bounded import ACCEPT_ENCODING, UnknownEncoding, read_capped
from .wire import is_loopback_host

# Voitex replies are a few hundred bytes; this only stops a runaway endpoint
# from filling memory.
MAX_REPLY_BYTES = 2_000_000
DEFAULT_BUDGET_S = 3.0


@dataclass(frozen=True)
class EndpointReply:
    status_code: int | None  # None when no HTTP reply arrived
    elapsed_s: float
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # plain words; set whenever status_code is None
    # "invalid_url", "invalid_budget", "timeout", "connect", "tls", "protocol"
    error_kind: str | None = None


def _where(url: str) -> str:
    """Host and port only: an address may carry a password before the @."""
    parts = urlsplit(url)
    host = parts.hostname or "the endpoint"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def check_endpoint_url(url: str) -> str | None:
    """Why `url` cannot be posted to, or None when it can."""
    text = url.strip()
    if not text:
        return "Enter the endpoint's address, like https://example.com/voitex/branch."
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return ("The endpoint address must start with http:// or https://, like "
                "https://example.com/voitex/branch. Voitex cannot post to other kinds "
                "of address.")
    try:
        _ = parts.port  # urlsplit checks the port only when asked
    except ValueError:
        return "The endpoint address has a port that is not a number from 1 to 65535."
    if not parts.hostname:
        return "The endpoint address has no host name after http:// or https://."
    return None


def _luhn(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _looks_like_card_number(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and digits.isascii() and digits.isdigit() and _luhn(digits)


def carries_card_data(payload: Any) -> bool:
    """True when `payload` holds card data: a filled ``payment_info``, a cvv or
    card field with a value, or a string that is a card number (Luhn-valid)."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if folded(key) in CARD_KEYS and value not in (None, "", [], {}):
                return True
            if carries_card_data(value):
                return True
        return False
    if isinstance(payload, (list, tuple)):
        return any(carries_card_data(item) for item in payload)
    if isinstance(payload, str):
        return _looks_like_card_number(payload)
    return False


def card_data_refusal(url: str, payload: Any) -> str | None:
    """Why `payload` must not go to `url`: card data over plain http:// to a host
    that is not this computer. None when it may go."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http" or is_loopback_host(parts.hostname or ""):
        return None
    if not carries_card_data(payload):
        return None
    return (f"Not sent: this request carries card data (payment_info), which must not cross the "
            f"network unencrypted to {_where(url)}. Use the endpoint's https:// address, or "
            "remove the payment from the request.")


def _failure(kind: str, message: str, started: float | None) -> EndpointReply:
    elapsed = time.perf_counter() - started if started is not None else 0.0
    return EndpointReply(status_code=None, elapsed_s=elapsed, text="", headers={},
                         error=message, error_kind=kind)


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_reason(error: Exception) -> tuple[str, str]:
    """Plain words for why a connection failed; httpx keeps the OS's reason in
    the chain of causes ("All connection attempts failed" on its own says little)."""
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "reason", None) or str(cause)
            return "tls", f"the secure (https) connection failed ({reason})"
        if isinstance(cause, socket.gaierror):
            return "connect", "the host name was not found; check the address for typing mistakes"
        if isinstance(cause, ConnectionRefusedError) \
                or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return "connect", "nothing accepted the connection there; is the endpoint running?"
    text = " ".join(str(cause) for cause in _causes(error)).lower()
    if "certificate" in text or "ssl" in text:
        return "tls", f"the secure (https) connection failed ({error})"
    if "name or service not known" in text or "nodename nor servname" in text \
            or "no address associated" in text or "name resolution" in text:
        return "connect", "the host name was not found; check the address for typing mistakes"
    if "refused" in text or "all connection attempts failed" in text:
        return "connect", "nothing accepted the connection there; is the endpoint running?"
    return "connect", str(error) or "the connection could not be made"


async def post_branch_request(url: str, payload: dict[str, Any], *,
                              budget_s: float = DEFAULT_BUDGET_S) -> EndpointReply:
    """POST `payload` as JSON to `url` and wait at most `budget_s` for the whole reply."""
    problem = check_endpoint_url(url)
    if problem:
        return _failure("invalid_url", problem, None)
    if not (isinstance(budget_s, (int, float)) and math.isfinite(budget_s) and budget_s > 0):
        return _failure("invalid_budget", "The time budget must be a number of seconds above 0.",
                        None)
    refusal = card_data_refusal(url, payload)
    if refusal:
        # "invalid_url": the address is what has to change, and nothing was sent.
        return _failure("invalid_url", refusal, None)
    url = url.strip()
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    where = _where(url)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(budget_s):
            async with httpx.AsyncClient(timeout=budget_s, follow_redirects=False) as client:
                async with client.stream(
                    "POST", url, content=body,
                    headers={"Content-Type": "application/json", "Accept": "application/json",
                             "Accept-Encoding": ACCEPT_ENCODING},
                ) as response:
                    # Inflated with a cap: a small gzip bomb cannot fill memory.
                    try:
                        received = await read_capped(
                            response.aiter_raw(),
                            content_encoding=response.headers.get("Content-Encoding", ""),
                            content_length=response.headers.get("Content-Length"),
                            limit=MAX_REPLY_BYTES, truncate=True)
                    except (UnknownEncoding, zlib.error):
                        return _failure("protocol",
                                        f"{where} sent a compressed reply that could not be "
                                        "read (Voitex would not understand it either).", started)
                    elapsed = time.perf_counter() - started
                    encoding = response.charset_encoding or "utf-8"
                    try:
                        text = received.decode(encoding, errors="replace")
                    except LookupError:
                        text = received.decode("utf-8", errors="replace")
                    return EndpointReply(status_code=response.status_code, elapsed_s=elapsed,
                                         text=text, headers=dict(response.headers.items()))
    except (TimeoutError, httpx.TimeoutException):
        reply = _failure("timeout",
                         f"No reply from {where} within the {budget_s:g} s budget. A caller on "
                         "a live call would be kept waiting; make the endpoint answer faster.",
                         started)
        # A timer on a Qt-driven loop can fire a few milliseconds early; the wait
        # the user asked about was the whole budget.
        return replace(reply, elapsed_s=max(reply.elapsed_s, budget_s))
    except httpx.ConnectError as error:
        kind, reason = _connect_reason(error)
        return _failure(kind, f"Could not connect to {where}: {reason}", started)
    except httpx.RemoteProtocolError:
        return _failure("protocol", f"{where} closed the connection without a proper HTTP reply.",
                        started)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return _failure("invalid_url", "The endpoint address is not a valid web address.", None)
    except httpx.TransportError as error:
        return _failure("protocol",
                        f"The connection to {where} broke off before the reply was complete "
                        f"({type(error).__name__}).", started)
