"""A raw connection to a host along a route, one step at a time (connection test, certificate facts).

Requests never use this: they go through httpx (``console.api.http``). It is
for finding out *which* step of the way fails, and for reading a certificate
that failed verification so that it can be described. Nothing is ever sent
over it but a proxy's ``CONNECT`` and a TLS handshake.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import ssl

from .certinfo import CertificateFacts, read_certificate
from .proxy import Route

__all__ = ["ProxyAnswer", "lookup", "open_tcp", "connect_through", "start_tls", "fetch_certificate", "close"]

_MAX_HEAD = 16 * 1024


class ProxyAnswer(Exception):
    """The proxy answered CONNECT with something else than 2xx."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}".strip())
        self.status = status
        self.reason = reason


async def lookup(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (socket.gaierror when it does not)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def open_tcp(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port, happy_eyeballs_delay=0.25)


async def connect_through(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, route: Route, host: str, port: int
) -> None:
    """Ask an HTTP proxy for a tunnel to ``host:port``; :class:`ProxyAnswer` when it refuses."""
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if route.username:
        token = base64.b64encode(f"{route.username}:{route.password}".encode()).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {token}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
    await writer.drain()
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as err:
        raise ProxyAnswer(0, "an answer too long to read") from err
    except asyncio.IncompleteReadError as err:
        raise ConnectionResetError("the proxy closed the connection without answering") from err
    if len(head) > _MAX_HEAD:
        raise ProxyAnswer(0, "an answer too long to read")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProxyAnswer(0, f"something that is not an HTTP answer ({status_line[:40]!r})")
    status = int(parts[1])
    if not 200 <= status < 300:
        raise ProxyAnswer(status, parts[2] if len(parts) > 2 else "")


async def start_tls(writer: asyncio.StreamWriter, host: str, context: ssl.SSLContext) -> ssl.SSLObject | None:
    """The handshake over ``writer``'s connection; the TLS session's object."""
    await writer.start_tls(context, server_hostname=host)
    ssl_object = writer.get_extra_info("ssl_object")
    return ssl_object if isinstance(ssl_object, ssl.SSLObject) else None


def close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()


async def fetch_certificate(host: str, port: int, route: Route, *, timeout: float = 5.0) -> CertificateFacts | None:
    """The certificate ``host`` presents along ``route``, read only to describe it.

    The handshake does not verify (that is the point: the verified one already
    failed); nothing is written over the connection, which is closed at once.
    None when it cannot be read (a SOCKS proxy, a failure on the way).
    """
    if route.is_socks:
        return None
    unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(timeout):
            if route.proxy_url:
                reader, writer = await open_tcp(route.proxy_host, route.proxy_port)
                await connect_through(reader, writer, route, host, port)
            else:
                reader, writer = await open_tcp(host, port)
            ssl_object = await start_tls(writer, host, unverified)
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    except (OSError, TimeoutError, ProxyAnswer, ssl.SSLError, asyncio.IncompleteReadError):
        return None
    finally:
        if writer is not None:
            close(writer)
    return read_certificate(der) if der else None
