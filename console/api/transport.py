"""The client's HTTP/1.1 transport: asyncio streams and a small keep-alive pool.

httpx's default transport goes through httpcore's general pool (HTTP/2, proxies,
trace hooks), AnyIO's locks and cancel scopes, and h11's event machine on
every request. Measured against a sink that is not the bottleneck
(``bench/upload_throughput.py``), those layers were over half the client's
CPU per request; the client needs none of them. Here one request is one head
written, the body written as its stream yields it, one reply head read and
the reply body handed to httpx as it arrives, on asyncio's own streams. TLS
is asyncio's (``ssl=`` on the connection) with httpx's default SSL context.

What the rest of the client relies on is kept: httpx's request and response
objects, and httpx's exceptions with the same meaning as from httpx's own
transport. A ``ConnectError``/``ConnectTimeout``/``PoolTimeout`` means nothing
was sent; ``WriteError``/``ReadError``/``RemoteProtocolError`` and the
timeouts after the connection was made leave the outcome unknown (see
``_TRANSPORT_FAILURES`` in :mod:`console.api.client`).

Requests through a proxy (``HTTPS_PROXY`` and the like, when the client trusts
the environment) still go through httpx's own proxy transports.
"""
from __future__ import annotations

import asyncio
import logging
import re
import select
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httpx

__all__ = ["AsyncioTransport"]

# What goes over the wire, at DEBUG, never a header's value (the key is one).
logger = logging.getLogger(__name__)

# The StreamReader's buffer: big enough that a reply arrives in one read.
_READ_LIMIT = 256 * 1024
# Writes held back together at most (see _Connection.send).
_CORK_LIMIT = 64 * 1024
# A reply head (status line and headers) longer than this is refused, as h11 does.
_MAX_HEAD = 64 * 1024
# The size of each read of a reply body.
_BODY_READ = 64 * 1024

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE = re.compile(rb"[\x00\r\n]")
_STATUS_LINE = re.compile(rb"HTTP/(1\.[01]) ([0-9]{3})(?: ([^\r\n\x00]*))?")
_HEADER_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\r\n\x00]*?)[ \t]*")
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")


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


def _has_token(value: bytes, token: bytes) -> bool:
    return any(part.strip().lower() == token for part in value.split(b","))


class _Connection:
    """One HTTP/1.1 connection: one request and its reply at a time."""

    __slots__ = ("origin", "reader", "writer", "idle_since", "_held", "_held_size")

    def __init__(self, origin: tuple[str, str, int], reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0
        self._held: list[bytes] = []
        self._held_size = 0

    @classmethod
    async def open(
        cls, origin: tuple[str, str, int], ssl_context: ssl.SSLContext | None, timeout: float | None
    ) -> _Connection:
        scheme, host, port = origin
        try:
            async with asyncio.timeout(timeout):
                # Happy eyeballs (RFC 8305), as AnyIO does: a host whose IPv6
                # route is broken still connects at once over IPv4.
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    ssl=ssl_context if scheme == "https" else None,
                    server_hostname=host if scheme == "https" else None,
                    limit=_READ_LIMIT,
                    happy_eyeballs_delay=0.25,
                )
        except TimeoutError as err:
            raise httpx.ConnectTimeout(str(err) or "timed out") from err
        except OSError as err:  # ssl.SSLError (a refused certificate) is an OSError
            raise httpx.ConnectError(str(err) or type(err).__name__) from err
        logger.debug("connected to %s://%s:%d", scheme, host, port)
        return cls(origin, reader, writer)

    # --- the state of an idle connection ----------------------------------

    def usable(self, now: float, expiry: float | None) -> bool:
        """Whether an idle connection may carry the next request: not expired,
        and the server has neither closed it nor sent anything unasked."""
        if expiry is not None and now - self.idle_since >= expiry:
            return False
        reader, writer = self.reader, self.writer
        if writer.is_closing() or reader.at_eof() or reader.exception() is not None:
            return False
        # The transport reads eagerly: what the server sent (a close, most
        # often) may already sit in the reader rather than in the socket.
        if getattr(reader, "_buffer", b""):
            return False
        return not _is_socket_readable(writer.get_extra_info("socket"))

    def close(self) -> None:
        """Close now. As AnyIO does: close, then abort on the next loop turn. A
        plain close() keeps the socket open until the write buffer drains, so an
        upload cancelled with bytes still buffered would leave the server
        waiting for the rest of the body; a peer that is gone must not hold
        anything up either."""
        self._held.clear()
        transport = self.writer.transport
        if transport.is_closing():
            transport.abort()
            return
        self.writer.close()
        try:
            asyncio.get_running_loop().call_soon(transport.abort)
        except RuntimeError:  # no loop running any more: abort at once
            transport.abort()

    # --- writing ----------------------------------------------------------

    async def send(self, data: bytes, timeout: float | None) -> None:
        """Write ``data``. Small writes are held back ("corked") until a large
        write or :meth:`flush`: a small request then leaves in one socket write,
        and a large one without a separate write for its head or its closing
        boundary."""
        if self._held_size + len(data) <= _CORK_LIMIT:
            self._held.append(data)
            self._held_size += len(data)
            return
        if self._held:
            await self.flush(timeout)
        await self._write(data, timeout)

    async def flush(self, timeout: float | None) -> None:
        if self._held:
            held = self._held[0] if len(self._held) == 1 else b"".join(self._held)
            self._held.clear()
            self._held_size = 0
            await self._write(held, timeout)

    async def _write(self, data: bytes, timeout: float | None) -> None:
        writer = self.writer
        try:
            if writer.is_closing():
                raise ConnectionResetError("the connection is closed")
            # Whole: on loopback, pieces cost more CPU (a wait and a wake-up
            # each) than the copy asyncio makes of what the socket did not take.
            writer.write(data)
            if not writer.transport.get_write_buffer_size():
                return  # the socket took it all: nothing to wait for
            if timeout is None:
                await writer.drain()
            else:
                async with asyncio.timeout(timeout):
                    await writer.drain()
        except TimeoutError as err:
            raise httpx.WriteTimeout(str(err) or "timed out") from err
        except (OSError, RuntimeError) as err:
            raise httpx.WriteError(str(err) or type(err).__name__) from err

    # --- reading ----------------------------------------------------------

    async def read(self, max_bytes: int, timeout: float | None) -> bytes:
        reader = self.reader
        try:
            if timeout is None or getattr(reader, "_buffer", None):
                # Already here (most replies arrive whole): no timer to arm.
                return await reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await reader.read(max_bytes)
        except TimeoutError as err:
            raise httpx.ReadTimeout(str(err) or "timed out") from err
        except OSError as err:
            raise httpx.ReadError(str(err) or type(err).__name__) from err

    async def read_line(self, timeout: float | None, budget: int) -> bytes:
        """One line (with its ending), at most ``budget`` bytes; b"" at the end
        of the stream."""
        reader = self.reader
        try:
            buffer = getattr(reader, "_buffer", None)
            if timeout is None or (buffer is not None and b"\n" in buffer):
                line = await reader.readline()
            else:
                async with asyncio.timeout(timeout):
                    line = await reader.readline()
        except TimeoutError as err:
            raise httpx.ReadTimeout(str(err) or "timed out") from err
        except ValueError as err:  # longer than the reader's limit
            raise httpx.RemoteProtocolError("The server's reply has a line too long to read.") from err
        except OSError as err:
            raise httpx.ReadError(str(err) or type(err).__name__) from err
        if len(line) > budget:
            raise httpx.RemoteProtocolError("The server's reply head is too long.")
        return line

    async def read_exactly(self, count: int, timeout: float | None) -> bytes:
        reader = self.reader
        try:
            if timeout is None or len(getattr(reader, "_buffer", b"")) >= count:
                return await reader.readexactly(count)
            async with asyncio.timeout(timeout):
                return await reader.readexactly(count)
        except asyncio.IncompleteReadError as err:
            raise httpx.RemoteProtocolError("Server disconnected in the middle of the reply body.") from err
        except TimeoutError as err:
            raise httpx.ReadTimeout(str(err) or "timed out") from err
        except OSError as err:
            raise httpx.ReadError(str(err) or type(err).__name__) from err


class _Head:
    __slots__ = ("status", "reason", "http_version", "headers", "length", "chunked", "keep_alive")

    def __init__(self) -> None:
        self.status = 0
        self.reason = b""
        self.http_version = b"HTTP/1.1"
        self.headers: list[tuple[bytes, bytes]] = []
        self.length: int | None = None  # None: to the end of the stream (unless chunked)
        self.chunked = False
        self.keep_alive = True


async def _read_head(conn: _Connection, timeout: float | None, *, no_body: bool) -> _Head:
    """The reply's status line and headers, past any 1xx interim reply."""
    while True:
        head = _parse_head(await _head_lines(conn, timeout))
        if head.status >= 200:
            break
        if head.status == 101:
            raise httpx.RemoteProtocolError("The server switched protocols, which this client does not speak.")
        # 100 Continue and other interim replies: the real one follows.
    _frame(head, no_body=no_body)
    return head


async def _head_lines(conn: _Connection, timeout: float | None) -> list[bytes]:
    """The lines of one reply head, without their endings."""
    reader = conn.reader
    lines: list[bytes] = []
    budget = _MAX_HEAD
    while True:
        rest = _buffered_head(reader, started=bool(lines))
        if rest:
            # The rest of the head is here, every line ending in CRLF: one split
            # instead of a read per line.
            block = await reader.readexactly(rest)  # all buffered: no wait
            if rest > 2:
                lines += block[:-4].lstrip(b"\r\n").split(b"\r\n")
            return lines
        line = await conn.read_line(timeout, budget)
        budget -= len(line)
        if not line.endswith(b"\n"):
            if not lines and not line.strip():
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            raise httpx.RemoteProtocolError("Server disconnected in the middle of the reply head.")
        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if line:
            lines.append(line)
        elif lines:  # the empty line that ends the head (blank lines before it are skipped)
            return lines


def _buffered_head(reader: asyncio.StreamReader, *, started: bool) -> int:
    """How many buffered bytes hold the rest of a reply head whose lines all end
    in CRLF (with its closing empty line); 0 when they are not all here."""
    buffer: bytearray | None = getattr(reader, "_buffer", None)
    if not buffer:
        return 0
    if started and buffer.startswith(b"\r\n"):
        return 2  # the status line had no headers after it
    end = buffer.find(b"\r\n\r\n")
    if 0 <= end < _MAX_HEAD and buffer.count(b"\n", 0, end) == buffer.count(b"\r\n", 0, end):
        return end + 4
    return 0


def _parse_head(lines: list[bytes]) -> _Head:
    head = _Head()
    match = _STATUS_LINE.fullmatch(lines[0])
    if match is None:
        raise httpx.RemoteProtocolError("The server's reply does not start with an HTTP/1 status line.")
    version, status, reason = match.groups()
    head.http_version = b"HTTP/" + version
    head.status = int(status)
    head.reason = reason or b""
    headers = head.headers
    for line in lines[1:]:
        header = _HEADER_LINE.fullmatch(line)
        if header is None:
            if line[:1] in (b" ", b"\t"):
                raise httpx.RemoteProtocolError("The server's reply head folds a header over two lines.")
            raise httpx.RemoteProtocolError("The server's reply head holds a line that is not a header.")
        headers.append((header[1], header[2]))
    return head


def _frame(head: _Head, *, no_body: bool) -> None:
    """Where the reply body ends, and whether the connection can be kept."""
    lengths: set[bytes] = set()
    codings: list[bytes] = []
    for name, value in head.headers:
        lowered = name.lower()
        if lowered == b"content-length":
            lengths.update(v.strip() for v in value.split(b","))
        elif lowered == b"transfer-encoding":
            codings.extend(c.strip().lower() for c in value.split(b",") if c.strip())
        elif lowered == b"connection" and _has_token(value, b"close"):
            head.keep_alive = False
    if head.http_version != b"HTTP/1.1":
        head.keep_alive = False
    if no_body or head.status in (204, 304):
        head.length = 0
        return
    if codings:
        if codings != [b"chunked"]:
            raise httpx.RemoteProtocolError("The server's reply uses a transfer coding other than chunked.")
        head.chunked = True
        return
    if lengths:
        if len(lengths) != 1 or not next(iter(lengths)).isdigit():
            raise httpx.RemoteProtocolError("The server's reply has an unreadable Content-Length.")
        head.length = int(next(iter(lengths)))
        return
    head.keep_alive = False  # the body ends when the server closes the connection


class _ReplyBody(httpx.AsyncByteStream):
    """The reply body as it arrives; the connection goes back to the pool once
    the body has been read to its end and the response is closed."""

    def __init__(self, pool: AsyncioTransport, conn: _Connection, head: _Head, timeout: float | None) -> None:
        self._pool = pool
        self._conn: _Connection | None = conn
        self._head = head
        self._timeout = timeout
        self._complete = head.length == 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn, head, timeout = self._conn, self._head, self._timeout
        if conn is None:
            raise httpx.StreamClosed()
        if self._complete:
            return
        if head.chunked:
            async for piece in self._chunks(conn, timeout):
                yield piece
        elif head.length is not None:
            remaining = head.length
            while remaining:
                piece = await conn.read(min(remaining, _BODY_READ), timeout)
                if not piece:
                    raise httpx.RemoteProtocolError(
                        f"Server disconnected after {head.length - remaining} of the "
                        f"{head.length} bytes its reply announced."
                    )
                remaining -= len(piece)
                yield piece
        else:
            while piece := await conn.read(_BODY_READ, timeout):
                yield piece
        self._complete = True

    async def _chunks(self, conn: _Connection, timeout: float | None) -> AsyncIterator[bytes]:
        while True:
            line = await conn.read_line(timeout, _MAX_HEAD)
            size_line = _CHUNK_SIZE_LINE.fullmatch(line.rstrip(b"\r\n"))
            if not line.endswith(b"\n") or size_line is None:
                raise httpx.RemoteProtocolError("The server's chunked reply body is damaged.")
            size = int(size_line.group(1), 16)
            if size == 0:
                break
            remaining = size
            while remaining:
                piece = await conn.read(min(remaining, _BODY_READ), timeout)
                if not piece:
                    raise httpx.RemoteProtocolError("Server disconnected in the middle of a chunked reply.")
                remaining -= len(piece)
                yield piece
            if await conn.read_exactly(2, timeout) != b"\r\n":
                raise httpx.RemoteProtocolError("The server's chunked reply body is damaged.")
        budget = _MAX_HEAD
        while True:  # trailers, then the empty line
            line = await conn.read_line(timeout, budget)
            budget -= len(line)
            if not line.endswith(b"\n"):
                raise httpx.RemoteProtocolError("Server disconnected in the middle of a chunked reply.")
            if line in (b"\r\n", b"\n"):
                return

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool._release(conn, reusable=self._complete and self._head.keep_alive)


class AsyncioTransport(httpx.AsyncBaseTransport):
    """An httpx transport speaking HTTP/1.1 over asyncio streams, with a pool of
    kept-alive connections per origin.

    ``limits`` as httpx reads them: at most ``max_connections`` open at once
    (a request waits for one up to its ``pool`` timeout), at most
    ``max_keepalive_connections`` kept idle, each for ``keepalive_expiry``
    seconds. Certificates are checked as httpx does
    (``httpx.create_ssl_context``). With ``tls`` False (a plain-http base URL,
    the local sandbox) no certificates are loaded, which saves some
    milliseconds per client; an https request through it then fails its
    certificate check, never skips it.
    """

    def __init__(self, *, limits: httpx.Limits, trust_env: bool, tls: bool = True) -> None:
        if tls:
            self._ssl = httpx.create_ssl_context(trust_env=trust_env)
        else:
            self._ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, trusts nothing
        self._ssl.set_alpn_protocols(["http/1.1"])
        self._max_connections = limits.max_connections
        self._max_idle = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._idle: deque[_Connection] = deque()  # oldest first
        self._open = 0  # connections open or being opened, idle or not
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{scheme}://'.")
        if not url.host:
            raise httpx.UnsupportedProtocol("Request URL is missing a host.")
        head, length, chunked = _request_head(request)
        timeouts = request.extensions.get("timeout", {})
        # The host as it goes on the wire (an international name in its IDNA form).
        origin = (scheme, url.raw_host.decode("ascii"), url.port or _DEFAULT_PORTS[scheme])
        conn = await self._acquire(origin, timeouts.get("pool"), timeouts.get("connect"))
        try:
            reply = await self._exchange(conn, request, head, length, chunked, timeouts)
        except BaseException:
            self._release(conn, reusable=False)
            raise
        return httpx.Response(
            reply.status,
            headers=reply.headers,
            stream=_ReplyBody(self, conn, reply, timeouts.get("read")),
            extensions={"http_version": reply.http_version, "reason_phrase": reply.reason},
        )

    async def _exchange(
        self,
        conn: _Connection,
        request: httpx.Request,
        head: bytes,
        length: int | None,
        chunked: bool,
        timeouts: dict[str, float | None],
    ) -> _Head:
        write_timeout = timeouts.get("write")
        no_body = request.method == "HEAD"
        debug = logger.isEnabledFor(logging.DEBUG)
        try:
            await conn.send(head, write_timeout)
            await _send_body(conn, request.stream, length, chunked, write_timeout)
            await conn.flush(write_timeout)
            if debug:
                logger.debug("request sent: %s %s", request.method, request.url.path)
        except httpx.WriteError as write_failed:
            if debug:
                logger.debug("request not sent whole (%s); reading any reply", write_failed)
            # The server may have answered before it read the whole request (a
            # refused key, a body too large) and closed: that answer is what
            # the caller needs. Without one, the write's failure stands.
            try:
                reply = await _read_head(conn, timeouts.get("read"), no_body=no_body)
            except httpx.HTTPError:
                raise write_failed from None
            reply.keep_alive = False
        else:
            reply = await _read_head(conn, timeouts.get("read"), no_body=no_body)
        if debug:
            logger.debug("reply head received: %s %d, %d headers", reply.http_version.decode(), reply.status,
                         len(reply.headers))
        return reply

    async def _acquire(
        self, origin: tuple[str, str, int], pool_timeout: float | None, connect_timeout: float | None
    ) -> _Connection:
        if self._closed:
            raise RuntimeError("The transport is closed.")
        loop = asyncio.get_running_loop()
        deadline = None if pool_timeout is None else loop.time() + pool_timeout
        while True:
            now = time.monotonic()
            for conn in reversed(self._idle):  # the most recently used first
                if conn.origin == origin:
                    self._idle.remove(conn)
                    if conn.usable(now, self._expiry):
                        return conn
                    self._drop(conn)
                    break  # the deque changed: look again
            else:
                if self._max_connections is None or self._open < self._max_connections:
                    self._open += 1
                    try:
                        return await _Connection.open(origin, self._ssl, connect_timeout)
                    except BaseException:
                        self._open -= 1
                        self._wake()
                        raise
                if self._idle:  # full, but some idle connection to another origin can go
                    self._drop(self._idle.popleft())
                    continue
                await self._wait(deadline)

    async def _wait(self, deadline: float | None) -> None:
        """Until a connection may be free (then the caller looks again)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout_at(deadline):
                await waiter
        except BaseException as err:
            if waiter.done() and not waiter.cancelled():
                self._wake()  # given the turn while leaving: pass it on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            if isinstance(err, TimeoutError):
                raise httpx.PoolTimeout("No connection became free in time.") from err
            raise

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _drop(self, conn: _Connection) -> None:
        self._open -= 1
        conn.close()

    def _release(self, conn: _Connection, *, reusable: bool) -> None:
        if self._closed or not reusable:
            self._drop(conn)
        else:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
            if self._max_idle is not None and len(self._idle) > self._max_idle:
                self._drop(self._idle.popleft())
        self._wake()

    async def aclose(self) -> None:
        self._closed = True
        while self._idle:
            self._drop(self._idle.popleft())
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(httpx.PoolTimeout("The client was closed."))
        self._waiters.clear()
        # Let the aborts scheduled by close() run while the loop still does.
        await asyncio.sleep(0)


def _request_head(request: httpx.Request) -> tuple[bytes, int | None, bool]:
    """The request line and headers, checked as h11 checks them; then the
    body's declared length (None without one) and whether it goes chunked."""
    target = request.url.raw_path
    if not target.startswith(b"/") or _FORBIDDEN_IN_VALUE.search(target) or b" " in target:
        raise httpx.LocalProtocolError("The request's path is not valid in HTTP/1.1.")
    lines = [request.method.encode("ascii"), b" ", target, b" HTTP/1.1\r\n"]
    length: int | None = None
    chunked = False
    for name, value in request.headers.raw:
        if not _TOKEN.fullmatch(name) or _FORBIDDEN_IN_VALUE.search(value):
            raise httpx.LocalProtocolError(
                f"The request header {name.decode('ascii', 'replace')!r} is not valid in HTTP/1.1."
            )
        value = value.strip(b" \t")
        lines += (name, b": ", value, b"\r\n")
        lowered = name.lower()
        if lowered == b"content-length":
            if not value.isdigit() or (length is not None and int(value) != length):
                raise httpx.LocalProtocolError(f"The request's Content-Length {value!r} is not a number.")
            length = int(value)
        elif lowered == b"transfer-encoding":
            chunked = _has_token(value, b"chunked")
    lines.append(b"\r\n")
    return b"".join(lines), length, chunked and length is None


async def _send_body(
    conn: _Connection, stream: object, length: int | None, chunked: bool, timeout: float | None
) -> None:
    """The body as the request's stream yields it: exactly its Content-Length,
    or chunked when the request says so."""
    if not isinstance(stream, httpx.AsyncByteStream):
        raise RuntimeError("Attempted to send a sync request with an async transport.")
    if length is None and not chunked:
        async for piece in stream:
            if piece:
                raise httpx.LocalProtocolError("A request body needs a Content-Length or chunked encoding.")
        return
    if chunked:
        async for piece in stream:
            if piece:
                await conn.send(b"%x\r\n" % len(piece) + piece + b"\r\n", timeout)
        await conn.send(b"0\r\n\r\n", timeout)
        return
    remaining = length or 0
    async for piece in stream:
        remaining -= len(piece)
        if remaining < 0:
            raise httpx.LocalProtocolError("Too much data for declared Content-Length.")
        if piece:
            await conn.send(piece, timeout)
    if remaining:
        raise httpx.LocalProtocolError("Too little data for declared Content-Length.")
