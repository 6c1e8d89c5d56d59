"""An httpx transport whose connections are plain asyncio streams.

httpx's default transport reaches the network through AnyIO: every read and
write enters a cancel scope, arms a deadline, checks which async library
runs and yields to the loop once more. Measured against a sink that is not the
bottleneck (``bench/upload_throughput.py``), that was about a quarter of the
client's CPU per request. Here httpcore (the same HTTP/1.1 state machine, the
same pool, the same exceptions) talks to asyncio's own streams, which do the
same work with a timer only where a wait can happen. TLS is asyncio's own
(``StreamWriter.start_tls``) with httpx's default SSL context.

Requests through a proxy (``HTTPS_PROXY`` and the like, when the client trusts
the environment) still go through httpx's own proxy transports.
"""
from __future__ import annotations

import asyncio
import select
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["AsyncioTransport"]

# The StreamReader's buffer: big enough that a reply arrives in one read.
_READ_LIMIT = 256 * 1024
# Writes held back together at most (see _AsyncioStream).
_CORK_LIMIT = 64 * 1024


def _is_socket_readable(sock: Any) -> bool:
    try:
        fd = sock.fileno()
    except (OSError, AttributeError):
        return True
    if fd < 0:
        return True
    try:
        poller = select.poll()
    except AttributeError:  # pragma: no cover - Windows
        ready, _, _ = select.select([fd], [], [], 0)
        return bool(ready)
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection. Small writes are held back ("corked") until a large
    write or a read: httpcore writes a request's head, then each piece of its
    body, then reads, so a small request leaves in one socket write and a
    large one without a separate write for its head or its closing boundary.
    Nothing waits while held back: a read always sends what is held first."""

    __slots__ = ("_reader", "_writer", "_corked", "_corked_size")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._corked: list[bytes] = []
        self._corked_size = 0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._corked:
            await self._send(self._uncork(), timeout)
        reader = self._reader
        try:
            if timeout is None or getattr(reader, "_buffer", None):
                # Already here (most replies arrive whole): no timer to arm.
                return await reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await reader.read(max_bytes)
        except TimeoutError as err:
            raise httpcore.ReadTimeout(str(err) or "timed out") from err
        except OSError as err:
            raise httpcore.ReadError(str(err) or type(err).__name__) from err

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._corked_size + len(buffer) <= _CORK_LIMIT:
            self._corked.append(buffer)
            self._corked_size += len(buffer)
            return
        if self._corked:
            await self._send(self._uncork(), timeout)
        await self._send(buffer, timeout)

    def _uncork(self) -> bytes:
        held = b"".join(self._corked)
        self._corked.clear()
        self._corked_size = 0
        return held

    async def _send(self, buffer: bytes, timeout: float | None) -> None:
        writer = self._writer
        try:
            if writer.is_closing():
                raise ConnectionResetError("the connection is closed")
            # Whole: on loopback, pieces cost more CPU (a wait and a wake-up
            # each) than the copy asyncio makes of what the socket did not take.
            writer.write(buffer)
            await self._drain(timeout)
        except TimeoutError as err:
            raise httpcore.WriteTimeout(str(err) or "timed out") from err
        except (OSError, RuntimeError) as err:
            raise httpcore.WriteError(str(err) or type(err).__name__) from err

    async def _drain(self, timeout: float | None) -> None:
        if not self._writer.transport.get_write_buffer_size():
            return  # the socket took it all: nothing to wait for
        if timeout is None:
            await self._writer.drain()
        else:
            async with asyncio.timeout(timeout):
                await self._writer.drain()

    async def aclose(self) -> None:
        self._corked.clear()
        # As AnyIO does: close, give the loop one turn, then abort. A plain
        # close() keeps the socket open until the write buffer drains, so an
        # upload cancelled with bytes still buffered would leave the server
        # waiting for the rest of the body (and the socket unclosed once the
        # loop ends). A peer that is gone must not hold up the pool either.
        transport = self._writer.transport
        if transport.is_closing():
            transport.abort()
            return
        self._writer.close()
        try:
            await asyncio.sleep(0)
        finally:
            transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as err:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(err) or "timed out") from err
        except (OSError, ssl.SSLError, ConnectionError) as err:
            self._writer.close()
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        return self

    def get_extra_info(self, info: str) -> Any:
        writer = self._writer
        if info == "ssl_object":
            return writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return writer.get_extra_info("sockname")
        if info == "server_addr":
            return writer.get_extra_info("peername")
        if info == "socket":
            return writer.get_extra_info("socket")
        if info == "is_readable":
            # The transport reads eagerly: what the server sent (a close, most
            # often) may already sit in the reader rather than in the socket.
            reader = self._reader
            if writer.is_closing() or reader.at_eof() or reader.exception() is not None:
                return True
            if getattr(reader, "_buffer", b""):
                return True
            return _is_socket_readable(writer.get_extra_info("socket"))
        return None


class _AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                # Happy eyeballs (RFC 8305), as AnyIO does: a host whose IPv6
                # route is broken still connects at once over IPv4.
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=local, limit=_READ_LIMIT, happy_eyeballs_delay=0.25
                )
        except TimeoutError as err:
            raise httpcore.ConnectTimeout(str(err) or "timed out") from err
        except OSError as err:
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return _AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - the client never uses one
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_unix_connection(path, limit=_READ_LIMIT)
        except TimeoutError as err:
            raise httpcore.ConnectTimeout(str(err) or "timed out") from err
        except OSError as err:
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        return _AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AsyncioTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` with its connection pool on asyncio streams.

    Same pool settings as httpx's default (HTTP/1.1, keep-alive expiry 5 s),
    same certificate checks (``httpx.create_ssl_context``). With ``tls``
    False (a plain-http base URL, the local sandbox) no certificates are
    loaded, which saves some milliseconds per client; an https request through
    it would then fail its certificate check, never skip it.
    """

    def __init__(self, *, limits: httpx.Limits, trust_env: bool, tls: bool = True) -> None:
        if tls:
            ssl_context = httpx.create_ssl_context(trust_env=trust_env)
        else:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, trusts nothing
        super().__init__(verify=ssl_context, limits=limits, trust_env=trust_env)
        # httpx keeps its pool in `_pool` (httpx < 1, as pinned); were that to
        # change, httpx's own pool would simply stay in use.
        if isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=False,
                network_backend=_AsyncioBackend(),
            )
