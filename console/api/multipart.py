"""multipart/form-data bodies, the upload streamed from disk in large chunks.

httpx's own multipart encoder reads files 64 KiB at a time; a 1 MiB upload then
costs 16 round trips through h11, httpcore and the event loop. Here the file is
read with plain reads in large chunks (``CHUNK_SIZE``) from an unbuffered file,
so per-byte work is one read and one socket write. The body has an exact
Content-Length (no chunked encoding), and memory stays at a few chunks whatever
the file size.

The iterator is a plain class, not an async generator: a cancelled upload
leaves nothing for asyncio's async-generator finaliser to schedule.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from typing import BinaryIO

import httpx

__all__ = [
    "CHUNK_SIZE",
    "COALESCE_BYTES",
    "SourceFileChanged",
    "make_boundary",
    "content_type_for",
    "encode_fields",
    "FileUploadStream",
]

CHUNK_SIZE = 1024 * 1024
#: A file up to this size goes out with the fields and the closing boundary in
#: one piece: one socket write instead of three, for the price of a small copy.
COALESCE_BYTES = 64 * 1024

ProgressCallback = Callable[[int, int], object]

# Linux's non-blocking read of what the page cache holds (Python 3.7+, Linux 4.14+).
_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None) if hasattr(os, "preadv") else None

_scratch = threading.local()

_AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}


class SourceFileChanged(Exception):
    """The file changed size, or could not be read, while it was being uploaded."""


def make_boundary(values: Sequence[str] = ()) -> str:
    """A random boundary that occurs in none of ``values``."""
    while True:
        boundary = "voitex-" + secrets.token_hex(16)
        if not any(boundary in value for value in values):
            return boundary


def content_type_for(filename: str) -> str:
    """The part's Content-Type from the file name's suffix."""
    dot = filename.rfind(".")
    suffix = filename[dot:].lower() if dot >= 0 else ""
    return _AUDIO_TYPES.get(suffix, "application/octet-stream")


def _quote(value: str) -> str:
    # As browsers encode names in Content-Disposition (HTML form submission).
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _text_part(boundary: str, name: str, value: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'
        f"{value}\r\n"
    ).encode()


def encode_fields(fields: Sequence[tuple[str, str]], boundary: str) -> bytes:
    """The whole body of a request made only of text fields."""
    return b"".join(_text_part(boundary, n, v) for n, v in fields) + f"--{boundary}--\r\n".encode()


def _file_descriptor(fileobj: BinaryIO) -> int | None:
    if not hasattr(os, "pread"):
        return None
    try:
        fd = fileobj.fileno()
        at_start = fileobj.tell() == 0  # reads go by offset from 0: the file was just opened
    except (OSError, ValueError, AttributeError):
        return None
    return fd if at_start else None


class FileUploadStream(httpx.AsyncByteStream):
    """Text fields, then one file part read from an open file in chunks.

    ``on_progress(sent, total)`` gets file bytes handed to the connection out of
    the file's size: ``(0, total)`` first, then about every hundredth of the
    file, and ``(total, total)`` once the whole file has been handed over.
    """

    def __init__(
        self,
        *,
        fields: Sequence[tuple[str, str]],
        file_field: str,
        filename: str,
        fileobj: BinaryIO,
        file_size: int,
        boundary: str,
        chunk_size: int = CHUNK_SIZE,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._head = b"".join(_text_part(boundary, n, v) for n, v in fields) + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(file_field)}"; '
            f'filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type_for(filename)}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._fileobj = fileobj
        # Reads go by offset (os.pread) when the object is a real file.
        self._fd = _file_descriptor(fileobj)
        self._file_size = file_size
        self._chunk_size = chunk_size
        self._on_progress = on_progress
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self.content_length = len(self._head) + file_size + len(self._tail)
        # Set when the transport starts on the body: the request's head has gone.
        self.started = False

    def __aiter__(self) -> _UploadIterator:
        self.started = True
        return _UploadIterator(self)


class _UploadIterator:
    __slots__ = ("_body", "_stage", "_sent", "_pending", "_reported", "_step")

    def __init__(self, body: FileUploadStream) -> None:
        self._body = body
        # 0: head, 1: file chunks, 2: tail, 3: all sent in one piece, 4: done
        self._stage = 0
        self._sent = 0
        self._pending = 0
        self._reported = -1
        self._step = max(body._file_size // 100, 1)

    def __aiter__(self) -> _UploadIterator:
        return self

    def _report(self, final: bool = False) -> None:
        callback = self._body._on_progress
        if callback is None:
            return
        if final or self._reported < 0 or self._sent - self._reported >= self._step:
            self._reported = self._sent
            callback(self._sent, self._body._file_size)

    async def __anext__(self) -> bytes:
        body = self._body
        # Asked for the next piece: the previous one has been written out.
        self._sent += self._pending
        self._pending = 0
        if self._stage == 0:
            self._stage = 1
            self._report()
            if body._file_size <= min(COALESCE_BYTES, body._chunk_size):
                chunk = await self._read(body._file_size + 1, body._file_size) if body._file_size else b""
                if len(chunk) != body._file_size:
                    raise SourceFileChanged("the file changed size while it was being uploaded")
                # Everything in one piece; the next call reports (total, total).
                self._pending = len(chunk)
                self._stage = 3
                return body._head + chunk + body._tail
            return body._head
        if self._stage == 1:
            remaining = body._file_size - self._sent
            if remaining > 0:
                last = remaining <= body._chunk_size
                # One byte more on the last read reveals a file that grew.
                want = remaining + 1 if last else body._chunk_size
                chunk = await self._read(want, min(want, remaining))
                if not chunk or len(chunk) > remaining:
                    raise SourceFileChanged("the file changed size while it was being uploaded")
                self._pending = len(chunk)
                self._report()
                return chunk
            self._stage = 2
            self._report(final=True)
            return body._tail
        if self._stage == 3:
            self._stage = 4
            self._report(final=True)
        raise StopAsyncIteration

    async def _read(self, size: int, expected: int) -> bytes:
        """Up to ``size`` bytes at the current offset (``expected`` of them unless
        the file changed).

        What the page cache already holds is read right here, with a read that
        cannot block (``RWF_NOWAIT``): handing it to a worker thread would cost
        more CPU than the copy and, while the threads trade the GIL, delay the
        request by up to the interpreter's switch interval. Whatever must come
        from the disk is read on a worker thread: in the console the event loop
        is the UI thread, and a slow disk or network share must not freeze it.
        """
        body = self._body
        try:
            if body._fd is None:
                return await asyncio.to_thread(body._fileobj.read, size)
            cached = _read_cached(body._fd, size, self._sent, expected)
            if cached is not None:
                return cached
            return await asyncio.to_thread(os.pread, body._fd, size, self._sent)
        except OSError as err:
            raise SourceFileChanged(f"the file could not be read: {err.strerror or err}") from err


def _read_cached(fd: int, size: int, offset: int, expected: int) -> bytes | None:
    """The bytes at ``offset`` if the page cache holds at least ``expected`` of
    them, without waiting for a disk; None otherwise (or where the system or the
    file system cannot tell)."""
    if _NOWAIT is None:
        return None
    # One scratch buffer per thread, reused: a fresh megabyte would be
    # zero-filled and fault in page by page on every read.
    scratch = getattr(_scratch, "buffer", None)
    if scratch is None or len(scratch) < size:
        scratch = _scratch.buffer = bytearray(max(size, 64 * 1024))
    with memoryview(scratch) as view:
        try:
            count = os.preadv(fd, [view[:size]], offset, _NOWAIT)
        except OSError:  # BlockingIOError: not cached; EOPNOTSUPP: cannot tell
            return None
        if count < expected:
            return None
        return view[:count].tobytes()
