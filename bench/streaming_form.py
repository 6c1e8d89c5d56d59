"""The sandbox's former form reader, kept for bench/sandbox_forms.py to weigh against
`request.form()` (console/sandbox/forms.py), with the same contract.

A file part streams straight into a temporary file in the spool folder, hashed on
the way, in batches of about 1 MiB per worker-thread call; text fields stay in
memory. It was replaced by Starlette's parser when the bench showed that one as
fast (docs/decisions.md); it is not used by the console.
"""
from __future__ import annotations

import hashlib
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from console.sandbox.formats import HEAD_SIZE
from console.sandbox.forms import (
    DEFAULT_MAX_UPLOAD_BYTES,
    MAX_FIELD_BYTES,
    MAX_PARTS,
    BodyTooLarge,
    FormError,
    ReceivedFile,
    ReceivedForm,
    RunBlocking,
)

# Big enough that a worker-thread call costs little per byte, small enough
# that a 500 MiB upload never sits in memory.
_FLUSH_BYTES = 1024 * 1024


async def read_form(
    request: Request,
    *,
    spool_dir: Path,
    run_blocking: RunBlocking,
    max_body_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> ReceivedForm:
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
        await _discard(request)
        raise BodyTooLarge(max_body_bytes)
    media_type, params = parse_options_header(request.headers.get("content-type", ""))
    if media_type != b"multipart/form-data":
        raise FormError("The request body must be multipart/form-data.")
    boundary = params.get(b"boundary")
    if not boundary:
        raise FormError("The multipart/form-data body has no boundary.")
    reader = _MultipartReader(boundary, spool_dir, run_blocking)
    received = 0
    stream = request.stream()
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > max_body_bytes:
                break
            reader.feed(chunk)
            await reader.flush()
        else:
            return await reader.finish()
    except BaseException:
        reader.abandon()
        raise
    reader.abandon()
    async for _chunk in stream:  # the rest of the body, read and dropped
        pass
    raise BodyTooLarge(max_body_bytes)


async def _discard(request: Request) -> None:
    async for _chunk in request.stream():
        pass


class _FileSink:
    """One file part on its way to disk. write() and abandon() run on worker threads."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        # abandon() may come from the event loop while a write is still running.
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self.path: Path | None = None
        self.size = 0
        self.head = bytearray()
        self._sha256 = hashlib.sha256()

    def write(self, chunks: list[bytes], last: bool) -> None:
        with self._lock:
            if self._file is None:
                fd, name = tempfile.mkstemp(dir=self._directory, suffix=".part")
                self._file = open(fd, "wb")  # noqa: SIM115 - closed on the last write or in abandon()
                self.path = Path(name)
            for chunk in chunks:
                self._file.write(chunk)
                self._sha256.update(chunk)
                self.size += len(chunk)
                if len(self.head) < HEAD_SIZE:
                    self.head += chunk[: HEAD_SIZE - len(self.head)]
            if last:
                self._file.close()

    def received(self, filename: str) -> ReceivedFile:
        assert self.path is not None, "received() before the last write"
        return ReceivedFile(filename, self.path, self.size, self._sha256.hexdigest(), bytes(self.head))

    def abandon(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
            if self.path is not None:
                self.path.unlink(missing_ok=True)


@dataclass
class _Part:
    name: str
    filename: str | None
    text: bytearray = field(default_factory=bytearray)
    sink: _FileSink | None = None
    pending: list[bytes] = field(default_factory=list)
    pending_size: int = 0
    ended: bool = False


class _MultipartReader:
    """Feeds python-multipart and collects what its callbacks report.

    The parser's callbacks are synchronous, so file data is only queued there;
    flush() then hands it to a worker thread.
    """

    def __init__(self, boundary: bytes, spool_dir: Path, run_blocking: RunBlocking) -> None:
        self._spool_dir = spool_dir
        self._run_blocking = run_blocking
        self._parts: list[_Part] = []
        self._unfinished_files: list[_Part] = []
        self._headers: dict[bytes, bytes] = {}
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._ended = False
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except FormParserError as exc:
            raise FormError("The multipart/form-data body is malformed.") from exc

    async def flush(self) -> None:
        for part in self._unfinished_files:
            if part.ended or part.pending_size >= _FLUSH_BYTES:
                chunks, part.pending, part.pending_size = part.pending, [], 0
                await self._run_blocking(part.sink.write, chunks, part.ended)
        self._unfinished_files = [part for part in self._unfinished_files if not part.ended]

    async def finish(self) -> ReceivedForm:
        self._parser.finalize()
        if not self._ended:
            raise FormError("The multipart/form-data body ends before its closing boundary.")
        await self.flush()
        form = ReceivedForm()
        for part in self._parts:
            # A repeated name keeps its last value, as PHP does with $_POST.
            form.fields.pop(part.name, None)
            earlier = form.files.pop(part.name, None)
            if earlier is not None:
                earlier.path.unlink(missing_ok=True)
            if part.sink is None:
                form.fields[part.name] = _decode_text(part)
            else:
                form.files[part.name] = part.sink.received(part.filename or "")
        return form

    def abandon(self) -> None:
        for part in self._parts:
            if part.sink is not None:
                part.sink.abandon()

    # python-multipart callbacks

    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        if len(self._parts) >= MAX_PARTS:
            raise FormError(f"The form has more than {MAX_PARTS} parts.")
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise FormError("A part of the form has no name in its Content-Disposition header.")
        name = options[b"name"].decode("utf-8", errors="replace")
        part = _Part(name=name, filename=None)
        if b"filename" in options:
            part.filename = options[b"filename"].decode("utf-8", errors="replace")
            part.sink = _FileSink(self._spool_dir)
            self._unfinished_files.append(part)
        self._parts.append(part)

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._parts[-1]
        if part.sink is not None:
            part.pending.append(data[start:end])
            part.pending_size += end - start
            return
        if len(part.text) + (end - start) > MAX_FIELD_BYTES:
            raise FormError(f"{part.name} is longer than {MAX_FIELD_BYTES} bytes.")
        part.text += data[start:end]

    def _on_part_end(self) -> None:
        self._parts[-1].ended = True

    def _on_end(self) -> None:
        self._ended = True


def _decode_text(part: _Part) -> str:
    try:
        return part.text.decode("utf-8")
    except UnicodeDecodeError:
        raise FormError(f"{part.name} is not valid UTF-8 text.") from None
