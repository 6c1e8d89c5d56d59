"""Test connection: the way to Voitex tried step by step, each told in plain words.

1. name lookup (of the proxy, or of Voitex's host when there is none);
2. the proxy (it is reached and opens the tunnel), or the direct connection;
3. TLS (the certificate is trusted; if not, whose it is);
4. Voitex's answer to the key: an empty form posted to the upload address.
   Nothing can be stored from it (there is no file), and no SMS, call or
   text-to-speech address is ever used. A refused key is HTTP 401.

The whole test ends within ``deadline`` seconds (60 by default), however the
network behaves. Steps 1 to 3 use raw connections (``console.api.tunnel``);
step 4 goes through the real client, so it takes exactly the way a send takes.
"""
from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import urlsplit

from .errors import ApiError, InvalidArgumentError, KeyRefusedError, RequestRejectedError
from .failures import PROFILE_PLACE, proxy_refusal_text
from .proxy import ProxyChoice, Route, resolve_route
from .tls import trust_context, untrusted_message
from .tunnel import ProxyAnswer, close, connect_through, fetch_certificate, lookup, open_tcp, start_tls

__all__ = ["Step", "STEPS", "run_connection_test"]

LOOKUP, PROXY, TLS, KEY = "lookup", "proxy", "tls", "key"
STEPS = (LOOKUP, PROXY, TLS, KEY)
TITLES = {LOOKUP: "Name lookup", PROXY: "Proxy", TLS: "Secure connection (TLS)", KEY: "Voitex's answer to the key"}
PENDING, RUNNING, OK, FAILED, SKIPPED = "pending", "running", "ok", "failed", "skipped"
_STEP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Step:
    name: str
    state: str = PENDING
    detail: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.name]


_T = TypeVar("_T")


class _Stop(Exception):
    """A step failed: the ones after it cannot be tried."""


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


async def run_connection_test(
    *,
    base_url: str,
    auth_key: str,
    proxy: ProxyChoice,
    on_step: Callable[[Step], object] = lambda step: None,
    deadline: float = 60.0,
) -> list[Step]:
    """Try the way to ``base_url``; ``on_step`` hears each step start and end.

    Returns the four steps as they ended. Never raises for a network problem.
    """
    steps = {name: Step(name) for name in STEPS}

    def tell(name: str, state: str, detail: str = "") -> None:
        steps[name] = replace(steps[name], state=state, detail=detail)
        on_step(steps[name])

    parts = urlsplit(base_url.strip())
    host = parts.hostname or ""
    https = parts.scheme.lower() == "https"
    try:
        port = parts.port or (443 if https else 80)
        route = resolve_route(base_url, proxy)
    except (ValueError, InvalidArgumentError) as err:
        tell(LOOKUP, FAILED, f"{err} Correct it in the profile, then test again.")
        return list(steps.values())
    current = LOOKUP
    try:
        async with asyncio.timeout(deadline):
            current = LOOKUP
            await _lookup_step(tell, route, host, port)
            current = PROXY
            reader_writer = await _proxy_step(tell, route, host, port)
            current = TLS
            await _tls_step(tell, route, host, port, https, reader_writer)
            current = KEY
            await _key_step(tell, base_url, auth_key, proxy)
    except _Stop:
        pass
    except TimeoutError:
        tell(current, FAILED, f"No answer within {deadline:g} seconds. Try again later; if it persists, ask IT.")
    for name in STEPS:
        if steps[name].state in (PENDING, RUNNING):
            tell(name, SKIPPED, "Not tried: an earlier step failed.")
    return list(steps.values())


async def _within_step(tell: Callable[..., None], step: str, work: Awaitable[_T],
                       failed: Callable[[str], str]) -> _T:
    """`work`'s result within a step's time; otherwise the step FAILED, saying `failed(reason)`."""
    try:
        async with asyncio.timeout(_STEP_TIMEOUT):
            return await work
    except (OSError, TimeoutError) as err:
        tell(step, FAILED, failed(getattr(err, "strerror", None) or str(err) or "no answer"))
        raise _Stop from None


async def _lookup_step(tell: Callable[..., None], route: Route, host: str, port: int) -> None:
    tell(LOOKUP, RUNNING)
    name, what = (route.proxy_host, "the office proxy's name") if route.proxy_url else (host, "")
    target_port = route.proxy_port if route.proxy_url else port
    if _is_address(name):
        tell(LOOKUP, OK, f"{name} is an address: no lookup needed.")
        return

    def failed(reason: str) -> str:
        if route.proxy_url:
            return (f"Could not find {what} {name} ({reason}). Check the proxy address in "
                    f"{PROFILE_PLACE}, or ask IT for it.")
        return (f"Could not find {name} ({reason}). Check the base URL and the internet "
                "connection; if this office reaches the internet only through a proxy, choose it "
                "under Proxy.")

    addresses = await _within_step(tell, LOOKUP, lookup(name, target_port), failed)
    found = ", ".join(addresses[:3])
    tell(LOOKUP, OK, f"{name} is {found}." if not route.proxy_url else f"The office proxy {name} is {found}.")


async def _proxy_step(
    tell: Callable[..., None], route: Route, host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    tell(PROXY, RUNNING)
    first_host, first_port = (route.proxy_host, route.proxy_port) if route.proxy_url else (host, port)

    def failed(reason: str) -> str:
        if route.proxy_url:
            return (f"Could not reach the office proxy {route.proxy_label} ({reason}). Check the proxy "
                    f"under Proxy in {PROFILE_PLACE}, or ask IT whether it is running.")
        return (f"No proxy is used, and {host}:{port} could not be reached ({reason}). If this "
                "office reaches the internet only through a proxy, choose it under Proxy.")

    reader, writer = await _within_step(tell, PROXY, open_tcp(first_host, first_port), failed)
    if not route.proxy_url:
        tell(PROXY, OK, f"No proxy: {host}:{port} was reached directly.")
        return reader, writer
    if route.is_socks:
        close(writer)
        tell(PROXY, OK, f"The SOCKS proxy {route.proxy_label} was reached; the way through it is tried with the key.")
        return None
    try:
        async with asyncio.timeout(_STEP_TIMEOUT):
            await connect_through(reader, writer, route, host, port)
    except asyncio.CancelledError:  # the whole test's deadline
        close(writer)
        raise
    except ProxyAnswer as answer:
        close(writer)
        text = proxy_refusal_text(route.proxy_label, host, answer.status, answer.reason,
                                  had_credentials=route.has_credentials)
        tell(PROXY, FAILED, text)
        raise _Stop from None
    except (OSError, TimeoutError) as err:
        close(writer)
        reason = str(err) or "no answer"
        tell(PROXY, FAILED, f"The office proxy {route.proxy_label} did not open the way to {host} ({reason}). "
                            "Ask IT about the proxy.")
        raise _Stop from None
    tell(PROXY, OK, f"The office proxy {route.proxy_label} opened the way to {host}:{port}.")
    return reader, writer


async def _tls_step(
    tell: Callable[..., None],
    route: Route,
    host: str,
    port: int,
    https: bool,
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
) -> None:
    if not https:
        if stream is not None:
            close(stream[1])
        tell(TLS, SKIPPED, "Plain http to this computer: nothing leaves it, so no TLS is needed.")
        return
    if stream is None:
        tell(TLS, SKIPPED, "Through a SOCKS proxy the certificate is checked with the key, next.")
        return
    tell(TLS, RUNNING)
    writer = stream[1]
    try:
        async with asyncio.timeout(_STEP_TIMEOUT):
            ssl_object = await start_tls(writer, host, trust_context(https=True))
    except asyncio.CancelledError:  # the whole test's deadline
        close(writer)
        raise
    except ssl.SSLCertVerificationError as err:
        close(writer)
        facts = await fetch_certificate(host, port, route)
        tell(TLS, FAILED, untrusted_message(host, facts, err.verify_message or str(err), via_proxy=route.proxy_label))
        raise _Stop from None
    except (OSError, TimeoutError) as err:
        close(writer)
        tell(TLS, FAILED, f"The secure connection to {host} could not be set up ({err or 'no answer'}). "
                          "Ask IT whether something on the network blocks it.")
        raise _Stop from None
    issuer = _issuer(ssl_object)
    close(writer)
    tell(TLS, OK, f"The certificate of {host} is trusted" + (f" (issued by {issuer})." if issuer else "."))


def _issuer(ssl_object: ssl.SSLObject | None) -> str:
    cert = ssl_object.getpeercert() if ssl_object is not None else None
    if not cert:
        return ""
    fields: dict[str, str] = {}
    for rdn in cert.get("issuer", ()):
        for pair in rdn:
            if len(pair) == 2:
                fields.setdefault(str(pair[0]), str(pair[1]))
    return fields.get("commonName") or fields.get("organizationName") or ""


async def _key_step(tell: Callable[..., None], base_url: str, auth_key: str, proxy: ProxyChoice) -> None:
    tell(KEY, RUNNING)
    from .client import VoitexClient

    try:
        async with VoitexClient(base_url=base_url, auth_key=auth_key, proxy=proxy, max_attempts=1,
                                read_timeout=_STEP_TIMEOUT * 2) as client:
            status = await client.check_key()
    except KeyRefusedError as err:
        tell(KEY, FAILED, f"Voitex refused the key (HTTP {err.status_code}). Paste the key Voitex gave you "
                          "for this account, save, and test again.")
        raise _Stop from None
    except RequestRejectedError as err:
        if err.status_code == 404:
            tell(KEY, FAILED, f"The server at {base_url} has no Voitex API (HTTP 404). Check the base URL.")
            raise _Stop from None
        tell(KEY, OK, f"Voitex accepted the key (it answered HTTP {err.status_code} to the empty test form, "
                      "as it should). Nothing was sent.")
        return
    except ApiError as err:
        tell(KEY, FAILED, str(err).replace("the upload was not sent", "nothing was sent"))
        raise _Stop from None
    tell(KEY, OK, f"Voitex answered HTTP {status} and accepted the key. Nothing was sent.")

