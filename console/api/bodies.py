"""Request bodies that tell whether the transport started on them, and reply bodies read raw.

Whether any byte of a request's body was asked for decides what a failure
means (``console.api.retry.TRANSPORT_FAILURES``): the head goes first, so a
body never started means the request's fields never left.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

from .http import unread_after_reply
from .multipart import FileUploadStream

__all__ = ["Attempt", "Send", "FormBody", "body_then_leftover", "in_memory"]


class Attempt:
    """One attempt's body, to tell afterwards whether any of it was asked for."""

    __slots__ = ("body",)

    def __init__(self) -> None:
        self.body: FormBody | FileUploadStream | None = None

    @property
    def body_started(self) -> bool:
        return self.body is not None and self.body.started


Send = Callable[[httpx.AsyncClient, Attempt], Awaitable[httpx.Response]]


class _Once:
    """An iterator over one piece (a plain class: nothing left behind on cancel)."""

    __slots__ = ("_piece",)

    def __init__(self, piece: bytes) -> None:
        self._piece: bytes | None = piece

    def __aiter__(self) -> _Once:
        return self

    async def __anext__(self) -> bytes:
        piece, self._piece = self._piece, None
        if piece is None:
            raise StopAsyncIteration
        return piece


class FormBody(httpx.ByteStream):
    """A form given whole; ``started`` once the transport asks for it (the head has gone)."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.started = False

    def __aiter__(self) -> _Once:  # an iterator object instead of a generator
        self.started = True
        return _Once(self._stream)


async def body_then_leftover(response: httpx.Response, found: list[bytes | None]) -> AsyncIterator[bytes]:
    """The raw body off the wire; then, before the connection goes back to the
    pool, what followed it (``unread_after_reply``). Not ``aiter_raw()``: it
    hands the connection back as soon as the body ends, before anyone can look."""
    stream = response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    async for chunk in stream:
        yield chunk
    found.append(unread_after_reply(response))


async def in_memory(content: bytes) -> AsyncIterator[bytes]:
    yield content
