"""Reading a multipart/form-data request body with Starlette's `request.form()`.

Starlette (python-multipart) spools each file part: in memory up to 1 MiB, then
in an unnamed file in the system's temporary folder. `read_form` then copies
each file part into the sandbox's spool folder, hashed on the way, where storing
it is a rename. bench/sandbox_forms.py weighed this against a parser of our own
that streamed straight into the spool folder: as fast, as light on the event
loop, one more write of each file over 1 MiB (docs/decisions.md).

What Starlette leaves to us: the body's size limit (counted as it arrives, and
refused on its Content-Length before anything is read), and a body cut off
before its closing boundary, which python-multipart passes over in silence.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive

from console.sandbox.formats import HEAD_SIZE

MAX_FIELD_BYTES = 1024 * 1024
#: The largest request body (an upload's file and fields) the sandbox takes.
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_PARTS = 100  # files, and text fields, each
_COPY_BYTES = 1024 * 1024

RunBlocking = Callable[..., Awaitable[Any]]


class FormError(Exception):
    """The body is not a multipart form that can be read; the message says why."""


class BodyTooLarge(FormError):
    """The body is longer than the limit; nothing of it was kept on disk."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The request is larger than the {_size_text(limit)} this sandbox accepts; "
            "send a smaller file."
        )
        self.limit = limit


def _size_text(count: int) -> str:
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{count} bytes"


@dataclass(frozen=True)
class ReceivedFile:
    filename: str
    path: Path  # a temporary file; whoever keeps it renames it away
    size: int
    sha256: str
    head: bytes  # the first HEAD_SIZE bytes, for telling the format


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, ReceivedFile] = field(default_factory=dict)

    def discard(self) -> None:
        """Delete the temporary files that nobody kept."""
        for received in self.files.values():
            received.path.unlink(missing_ok=True)


class _TooLarge(Exception):
    pass


class _CountingReceive:
    """`receive` that counts the body and watches for the closing boundary."""

    def __init__(self, receive: Receive, limit: int, boundary: bytes) -> None:
        self._receive = receive
        self._limit = limit
        self._closing = b"--" + boundary + b"--"
        self._tail = b""
        self.count = 0
        self.closed = False
        self.more = True

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            body = message.get("body", b"")
            self.more = bool(message.get("more_body", False))
            self.count += len(body)
            if self.count > self._limit:
                raise _TooLarge
            if not self.closed:
                window = self._tail + body
                self.closed = self._closing in window
                self._tail = window[-(len(self._closing) - 1):]
        return message


async def read_form(request: Request, *, spool_dir: Path, run_blocking: RunBlocking,
                    max_body_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> ReceivedForm:
    """The form in the request's body; file parts end up as files in `spool_dir`.

    `run_blocking(fn, *args)` runs file I/O off the event loop. Raises
    FormError for a body that is not multipart/form-data or is malformed, and
    BodyTooLarge for one longer than `max_body_bytes`: refused on its
    Content-Length before anything is written, else as soon as the count
    passes the limit (what was spooled is deleted). The rest of a refused body
    is read and discarded, so the client, still sending, gets the reply.
    """
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_body_bytes:
        async for _chunk in request.stream():
            pass
        raise BodyTooLarge(max_body_bytes)
    media_type, params = parse_options_header(request.headers.get("content-type", ""))
    if media_type != b"multipart/form-data":
        raise FormError("The request body must be multipart/form-data.")
    boundary = params.get(b"boundary")
    if not boundary:
        raise FormError("The multipart/form-data body has no boundary.")
    counting = _CountingReceive(request.receive, max_body_bytes, boundary)
    counted = Request(request.scope, counting)
    try:
        form = await counted.form(max_files=MAX_PARTS, max_fields=MAX_PARTS,
                                  max_part_size=MAX_FIELD_BYTES)
    except _TooLarge:
        while counting.more:
            message = await request.receive()
            counting.more = message["type"] == "http.request" and bool(message.get("more_body"))
        raise BodyTooLarge(max_body_bytes) from None
    except (HTTPException, MultiPartException) as err:
        detail = err.detail if isinstance(err, HTTPException) else err.message
        raise FormError(f"The multipart/form-data body could not be read: {detail}") from err
    received = ReceivedForm()
    try:
        if not counting.closed:
            raise FormError("The multipart/form-data body ends before its closing boundary.")
        for name, value in form.multi_items():
            # A repeated name keeps its last value, as PHP does with $_POST.
            received.fields.pop(name, None)
            earlier = received.files.pop(name, None)
            if earlier is not None:
                earlier.path.unlink(missing_ok=True)
            if isinstance(value, UploadFile):
                received.files[name] = await run_blocking(_spool, value.file, value.filename or "",
                                                          spool_dir)
            else:
                received.fields[name] = value
    except BaseException:
        received.discard()
        raise
    finally:
        await form.close()
    return received


def _spool(source: IO[bytes], filename: str, spool_dir: Path) -> ReceivedFile:
    """Copy a spooled part into the spool folder, hashed, keeping its first bytes."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    fd, name = tempfile.mkstemp(dir=spool_dir, suffix=".part")
    try:
        with open(fd, "wb") as target:
            source.seek(0)
            while block := source.read(_COPY_BYTES):
                target.write(block)
                digest.update(block)
                size += len(block)
                if len(head) < HEAD_SIZE:
                    head += block[:HEAD_SIZE - len(head)]
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return ReceivedFile(filename, Path(name), size, digest.hexdigest(), head)

