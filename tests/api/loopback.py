"""Misbehaving HTTP servers on loopback, written with asyncio streams.

Each runs in the test's own event loop: ``async with serve(handler) as url``.
``handler(reader, writer)`` gets the connection after the request (headers and
body) has been read, and answers however it likes.
"""
from __future__ import annotations

import asyncio
import contextlib
import gzip
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

SUCCESS_SMS = (
    b'{"status": "success", "data": "{ \\"to\\": \\"8451234567\\", \\"from \\": \\"8459511000 \\", '
    b'\\"body\\": \\"hi\\", \\"did_type \\": \\"TN \\", \\"from \\": \\"77 \\" }", "errors": []}'
)


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One request's head and body (by its Content-Length); IncompleteReadError
    when the client closes first."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head, await reader.readexactly(length)


@contextlib.asynccontextmanager
async def serve(handler: Handler, *, ssl=None, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """``ssl``: a server SSLContext, for an https stand-in (the URL then says https)."""
    tasks: set[asyncio.Task] = set()
    closing = False

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.add(asyncio.current_task())
        try:
            await read_request(reader)
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass  # the client gave up (or refused our certificate): that is what these servers are for
        except asyncio.CancelledError:
            # Python 3.11's start_server logs an ERROR ("Exception in callback")
            # for a connection task that ends cancelled; when serve() itself
            # cancels it on the way out, end it normally instead.
            if not closing:
                raise
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(on_connection, host, 0, ssl=ssl)
    port = server.sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"{'https' if ssl else 'http'}://{shown}:{port}"
    finally:
        closing = True
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


# --- the handlers ---------------------------------------------------------

TRICKLE_STEP = 0.02
# Long enough to outlast any deadline the tests set, short enough that a
# client without a deadline still ends (with a different error).
TRICKLE_BYTES = 250


async def trickle_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Headers one byte at a time: no read ever waits long, the reply never ends."""
    writer.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(TRICKLE_BYTES):
        writer.write(b"a")
        await writer.drain()
        await asyncio.sleep(TRICKLE_STEP)


async def trickle_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A proper head, then the body one byte at a time."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    writer.write(b'{"status": "success", "data": "')
    for _ in range(TRICKLE_BYTES):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(TRICKLE_STEP)


FLOOD_BYTES = 50 * 1000 * 1000
_FLOOD_CHUNK = b"x" * (64 * 1024)


def flood(*, declare_length: bool) -> Handler:
    """A 50 MB reply that starts like a success; with or without Content-Length."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        head += b"Content-Length: %d\r\n" % FLOOD_BYTES if declare_length else b"Connection: close\r\n"
        writer.write(head + b"\r\n" + b'{"status": "success", "data": "')
        sent = 0
        while sent < FLOOD_BYTES:
            writer.write(_FLOOD_CHUNK)
            sent += len(_FLOOD_CHUNK)
            await writer.drain()

    return handler


BOMB_BYTES = 100 * 1024 * 1024


def _bomb(encoding: str) -> bytes:
    """About 100 KB that inflates to 100 MiB of a success reply's padding."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    block = b" " * (1024 * 1024)
    parts = [packer.compress(b'{"status": "success", "data": "1", "errors": [], "pad": "')]
    parts += [packer.compress(block) for _ in range(BOMB_BYTES // len(block))]
    parts.append(packer.compress(b'"}') + packer.flush())
    return b"".join(parts)


_BOMBS: dict[str, bytes] = {}


def bomb_body(encoding: str) -> bytes:
    if encoding not in _BOMBS:
        _BOMBS[encoding] = _bomb(encoding)
    return _BOMBS[encoding]


def reply(body: bytes, *, status: str = "200 OK", headers: dict[str, str] | None = None) -> Handler:
    """One fixed reply."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Content-Type: application/json"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()

    return handler


def gzip_bomb(encoding: str = "gzip") -> Handler:
    return reply(bomb_body(encoding), headers={"Content-Encoding": encoding})


def compressed(body: bytes, encoding: str) -> Handler:
    packed = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
    return reply(packed, headers={"Content-Encoding": encoding})
