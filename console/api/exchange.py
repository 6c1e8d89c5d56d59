"""One exchange with Voitex: the request built, sent, and its reply read within a deadline.

:class:`~console.api.client.VoitexClient` decides what to send and how often
(the retry policy); an :class:`Exchange` sends one attempt of it and turns
whatever goes wrong on the way (the transport, a reply too long, damaged or
not one answer, no complete reply in time) into the matching
:class:`~console.api.errors.ApiError`. The account key is only ever a header
here, and is scrubbed from every error's text.
"""
from __future__ import annotations

import asyncio
import os
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from .bodies import Attempt as _Attempt
from .bodies import FormBody as _FormBody
from .bodies import Send, body_then_leftover, in_memory
from .bounded import ReplyTooLarge, UnknownEncoding, read_capped
from .errors import ApiError, InvalidArgumentError, OutcomeUnknownError, UnreadableReplyError
from .failures import transport_error
from .multipart import FileUploadStream, SourceFileChanged, encode_fields, make_boundary
from .parse import check_reply, error_class_for_status, scrub, unusable_reply_error
from .proxy import Route
from .retry import transport_failure
from .wire import PATHS, UPLOAD, WHAT, Operation, outcome_note

__all__ = ["Exchange", "ProgressCallback"]

ProgressCallback = Callable[[int, int], object]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} seconds"
    return f"{seconds / 60:.0f} minutes"


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MiB"
    return f"{count / 1024:g} KiB"


class Exchange:
    """Sends one attempt of a call to ``base_url`` and reads its reply.

    ``timeouts`` holds httpx timeouts by operation, with ``"default"`` for the
    others. ``base_headers`` (Host, the HTTP client's headers, the key) is set
    by the client once its HTTP client exists.
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth_key: str,
        host: str,
        port: int,
        route: Route,
        timeouts: Mapping[str, httpx.Timeout],
        max_reply_bytes: int,
    ) -> None:
        self.host = host
        self.port = port
        self.route = route
        self.timeouts = timeouts
        self.max_reply_bytes = max_reply_bytes
        self._secret = auth_key
        self.urls = {operation: httpx.URL(base_url + path) for operation, path in PATHS.items()}
        self.extensions = {
            operation: {"timeout": self.timeout(operation).as_dict()} for operation in PATHS
        }
        self.base_headers: list[tuple[bytes, bytes]] = []

    def timeout(self, operation: Operation) -> httpx.Timeout:
        return self.timeouts.get(operation, self.timeouts["default"])

    # --- the request ------------------------------------------------------

    def upload_sender(
        self,
        file_path: Path,
        fields: list[tuple[str, str]],
        *,
        chunk_size: int,
        on_progress: ProgressCallback | None,
    ) -> Send:
        """Each attempt opens the file again and streams it from disk."""

        async def send(http: httpx.AsyncClient, attempt: _Attempt) -> httpx.Response:
            try:
                # Closed by the `with` below; only open() itself is reported as unreadable.
                fileobj = open(file_path, "rb", buffering=0)  # noqa: SIM115
            except OSError as err:
                raise InvalidArgumentError(
                    "path", f"path: {str(file_path)!r} cannot be read ({err.strerror or err})."
                ) from err
            with fileobj:
                stream = FileUploadStream(
                    fields=fields,
                    file_field="upload_file",
                    filename=file_path.name,
                    fileobj=fileobj,
                    file_size=os.fstat(fileobj.fileno()).st_size,
                    boundary=make_boundary([v for _, v in fields]),
                    chunk_size=chunk_size,
                    on_progress=on_progress,
                )
                # A plain-class stream: no async generator is left behind on cancel.
                attempt.body = stream
                request = self.request(UPLOAD, stream.content_type, stream.content_length, stream)
                try:
                    return await self._send(http, request)
                except SourceFileChanged as err:
                    raise InvalidArgumentError("path", f"path: {str(file_path)!r}: {err}.") from err

        return send

    def form_sender(
        self, operation: Operation, fields: list[tuple[str, str]]
    ) -> Send:
        boundary = make_boundary([v for _, v in fields])
        content = encode_fields(fields, boundary)

        async def send(http: httpx.AsyncClient, attempt: _Attempt) -> httpx.Response:
            attempt.body = body = _FormBody(content)
            request = self.request(operation, f"multipart/form-data; boundary={boundary}", len(content), body)
            request.read()  # as httpx does for a body given whole (a given transport may read .content)
            return await self._send(http, request)

        return send

    def request(
        self, operation: Operation, content_type: str, content_length: int, stream: httpx.AsyncByteStream
    ) -> httpx.Request:
        """The POST for ``operation``, with the headers ``http.build_request``
        would give it (Host, the client's headers, then the call's), without
        re-parsing the URL and merging headers and cookies on every call."""
        return httpx.Request(
            "POST",
            self.urls[operation],
            headers=[
                *self.base_headers,
                (b"Content-Type", content_type.encode("ascii")),
                (b"Content-Length", b"%d" % content_length),
            ],
            stream=stream,
            extensions=self.extensions[operation],
        )

    async def _send(self, http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
        return await http.send(request, stream=True)

    async def attempt(
        self,
        operation: Operation,
        send: Send,
        http: httpx.AsyncClient,
        *,
        repeat_safe: bool,
        deadline: float,
    ) -> tuple[dict[str, Any], int]:
        response: httpx.Response | None = None
        attempt = _Attempt()
        leftovers: list[bytes | None] = []
        try:
            async with asyncio.timeout(deadline) as timer:
                try:
                    response = await send(http, attempt)
                    if response.is_stream_consumed:
                        # A reply built in memory (a given transport such as
                        # httpx.MockTransport): httpx has read and decoded it.
                        raw, encoding, length = in_memory(response.content), "", None
                    else:
                        raw = body_then_leftover(response, leftovers)
                        encoding = response.headers.get("Content-Encoding", "")
                        length = response.headers.get("Content-Length")
                    content = await read_capped(
                        raw,
                        content_encoding=encoding,
                        content_length=length,
                        limit=self.max_reply_bytes,
                    )
                finally:
                    if response is not None:
                        await response.aclose()
        except TimeoutError:
            if not timer.expired():
                raise
            raise self.deadline_error(operation, deadline, repeat_safe=repeat_safe) from None
        except httpx.HTTPError as err:
            kind = transport_failure(err, body_started=attempt.body_started)
            raise await transport_error(
                err,
                kind=kind,
                operation=operation,
                host=self.host,
                port=self.port,
                route=self.route,
                repeat_safe=repeat_safe,
                read_timeout=self.timeout(operation).read,
                secret=self._secret,
            ) from err
        except (ReplyTooLarge, UnknownEncoding, zlib.error) as err:
            assert response is not None
            raise self._unusable_reply(operation, response, err, repeat_safe=repeat_safe) from None
        leftover = leftovers[0] if leftovers else None
        if leftover and 200 <= response.status_code < 300:
            # One request, one answer: bytes after it (a body longer than
            # declared, a second response glued on) make the whole reply suspect.
            raise unusable_reply_error(
                operation=operation,
                status_code=response.status_code,
                problem=f"followed by {len(leftover)} more bytes than it declared, so it is not one answer",
                repeat_safe=repeat_safe,
            )
        body = check_reply(
            operation=operation,
            status_code=response.status_code,
            content=content,
            retry_after=response.headers.get("Retry-After"),
            repeat_safe=repeat_safe,
            secret=self._secret,
        )
        return body, response.status_code

    def _unusable_reply(
        self, operation: Operation, response: httpx.Response, err: Exception, *, repeat_safe: bool
    ) -> ApiError:
        status = response.status_code
        if error_class_for_status(status, json_object=False) is not UnreadableReplyError:
            # A refused key, a 429 or a redirect is told by its status whatever the body.
            try:
                check_reply(
                    operation=operation,
                    status_code=status,
                    content=b"",
                    retry_after=response.headers.get("Retry-After"),
                    repeat_safe=repeat_safe,
                    secret=self._secret,
                )
            except ApiError as by_status:
                return by_status
        if isinstance(err, ReplyTooLarge):
            problem = f"longer than {_size(self.max_reply_bytes)}, which was not read"
        elif isinstance(err, UnknownEncoding):
            problem = f"in an encoding the client cannot read ({scrub(str(err), self._secret)[:40]!r})"
        else:
            problem = "whose compressed body is damaged"
        return unusable_reply_error(operation=operation, status_code=status, problem=problem, repeat_safe=repeat_safe)

    def deadline_error(self, operation: Operation, deadline: float, *, repeat_safe: bool) -> ApiError:
        what = WHAT[operation]
        unknown = outcome_note(operation, repeat_safe=repeat_safe)
        return OutcomeUnknownError(
            f"No complete reply from Voitex within {_duration(deadline)} of sending the {what}.{unknown}",
            timed_out=True,
            operation=operation,
        )
