"""Reading a reply body with a cap on its size after decompression.

httpx's own decoders inflate each network read whole: one 64 KiB read of a
gzip bomb becomes 64 MiB in memory before anyone can count it. Here the raw
bytes are inflated with ``zlib``'s ``max_length``, so no more than the cap (plus
one network read) is ever held, whatever the server sends or claims.
"""
from __future__ import annotations

import zlib
from collections.abc import AsyncIterable

__all__ = [
    "DEFAULT_MAX_REPLY_BYTES",
    "ACCEPT_ENCODING",
    "ReplyTooLarge",
    "UnknownEncoding",
    "read_capped",
]

DEFAULT_MAX_REPLY_BYTES = 1024 * 1024

#: What the client offers: only what :func:`read_capped` can inflate with a cap.
ACCEPT_ENCODING = "gzip, deflate"

# Compressed data is at most a little larger than what it holds; past this
# margin over the cap the raw bytes alone are too many.
_RAW_MARGIN = 64 * 1024


class ReplyTooLarge(Exception):
    """The body (after decompression) is longer than the cap."""


class UnknownEncoding(Exception):
    """The body comes in a Content-Encoding the client did not offer."""


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._first = True
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``, returning at most ``room`` bytes."""
        try:
            return self._inflate.decompress(data, room)
        except zlib.error:
            if self._gzip or not self._first:
                raise
            # "deflate" is sometimes sent raw, without the zlib wrapper.
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._inflate.decompress(data, room)
        finally:
            self._first = False

    def flush(self, room: int) -> bytes:
        # A whole stream leaves nothing buffered; a truncated one is caught by
        # the JSON parser, not here.
        return self._inflate.decompress(b"", room) if not self._inflate.eof else b""


def _encoding(header: str) -> str | None:
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise UnknownEncoding(header.strip())
    return codings[0]


async def read_capped(
    raw_chunks: AsyncIterable[bytes],
    *,
    content_encoding: str,
    content_length: str | None,
    limit: int,
    truncate: bool = False,
) -> bytes:
    """The decoded body, at most ``limit`` bytes.

    ``raw_chunks`` is the body as it comes off the wire (``response.aiter_raw()``).
    Raises :class:`ReplyTooLarge` as soon as the body is known to be longer
    than ``limit`` (at once when an uncompressed body's Content-Length says
    so), :class:`UnknownEncoding` for a Content-Encoding other than gzip or
    deflate, and ``zlib.error`` for a compressed body that does not inflate.
    With ``truncate``, a longer body is not an error: its first ``limit``
    bytes are returned, and the rest is never read.
    """
    encoding = _encoding(content_encoding)
    if encoding is None and content_length is not None and not truncate:
        try:
            declared = int(content_length.strip())
        except ValueError:
            declared = -1
        if declared > limit:
            raise ReplyTooLarge(f"declared {declared} bytes")
    inflater = _Inflater(encoding) if encoding is not None else None
    body = bytearray()
    raw_total = 0
    async for raw in raw_chunks:
        raw_total += len(raw)
        room = limit + 1 - len(body)
        if inflater is None:
            piece = raw
        else:
            if raw_total > limit + _RAW_MARGIN:
                if truncate:
                    return bytes(body)
                raise ReplyTooLarge("compressed body too long")
            piece = inflater.feed(raw, room)
        if len(piece) >= room:
            if truncate:
                return bytes(body + piece[: room - 1])
            raise ReplyTooLarge(f"more than {limit} bytes")
        body += piece
    if inflater is not None:
        room = limit + 1 - len(body)
        piece = inflater.flush(room)
        if len(piece) >= room:
            if truncate:
                return bytes(body + piece[: room - 1])
            raise ReplyTooLarge(f"more than {limit} bytes")
        body += piece
    return bytes(body)
