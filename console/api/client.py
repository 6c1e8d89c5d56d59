"""The asynchronous Voitex client.

Usage from a script::

    import asyncio
    from console.api import VoitexClient, ApiError

    async def main() -> None:
        async with VoitexClient(base_url="https://api.voitex.com", auth_key=key) as client:
            rec = await client.upload_recording("welcome.wav", album_number=1, sort_number=5,
                                                display_name="Welcome")
            print(rec.recording_id)
            sms = await client.send_sms(from_number="8459511000", to="8451234567",
                                        body="Your order is ready")
            print(sms.reference_id, sms.did_type)

    asyncio.run(main())

Every failure raises an :class:`~console.api.errors.ApiError` subclass; no httpx
exception reaches the caller. Retries follow :mod:`console.api.retry`: an SMS or
a call is never sent twice by the client.
"""
from __future__ import annotations

import asyncio
import logging
import os
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from .bodies import Send
from .bounded import DEFAULT_MAX_REPLY_BYTES
from .errors import ApiError, InvalidArgumentError, RateLimitedError
from .exchange import Exchange, ProgressCallback
from .http import LIMITS, build_http_client
from .multipart import CHUNK_SIZE
from .parse import call_result, recording_result, sms_result
from .proxy import ProxyChoice, Route, resolve_route
from .results import CallResult, RecordingResult, SmsResult
from .retry import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_RETRY_AFTER,
    failure_kind,
    is_repeat_safe,
    retry_delay,
)
from .settings import check_progress, http_timeouts, seconds, upload_deadline, whole
from .wire import (
    CALL,
    PRODUCTION_BASE_URL,
    SMS,
    TTS,
    UPLOAD,
    Operation,
    call_fields,
    check_auth_key,
    check_base_url,
    sms_fields,
    tts_fields,
    upload_fields,
)

__all__ = ["VoitexClient", "PRODUCTION_BASE_URL"]

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE = 60.0
# 512 kbit/s: a slow office uplink still finishes; a server that trickles does not.
DEFAULT_UPLOAD_DEADLINE_RATE = 64 * 1024.0



class VoitexClient:
    """An asynchronous client for the four client-side Voitex calls.

    All configuration is keyword-only::

        async with VoitexClient(base_url="https://api.voitex.com", auth_key=key) as client:
            ...

    Args:
        base_url: the API's base URL; defaults to :data:`PRODUCTION_BASE_URL`.
            Plain ``http://`` is accepted only for a loopback host (the local
            sandbox); anywhere else the client refuses to send the key.
        auth_key: the account's key, sent in the ``auth_key`` header. It is never
            logged, and never part of an error's text or a result.
        max_attempts: how many times one call may be sent in all, automatic
            retries included (see :mod:`console.api.retry`).
        connect_timeout: seconds to establish a connection.
        read_timeout: seconds to wait for the reply of an SMS, a call or a TTS
            request (and for each write of those small requests).
        upload_read_timeout: seconds to wait for an upload's reply once the
            file is sent (the server may still be storing it).
        upload_write_timeout: seconds one write of an upload may stall before
            the upload is given up; it bounds a stall, not the whole transfer.
        backoff_base, backoff_cap: exponential backoff between retries, seconds.
        max_retry_after: the longest ``Retry-After`` the client waits by
            itself; when a 429 asks for more, it stops and raises
            :class:`~console.api.errors.RateLimitedError` with the wait.
        chunk_size: bytes read from disk and written per step of an upload.
        deadline: seconds one attempt of an SMS, a call or a TTS request may
            take in all, from sending to the last byte of the reply. The read
            timeout bounds one silence; this bounds a server that trickles.
        upload_deadline_rate: bytes per second an upload is allowed at the
            least: an upload's deadline is ``deadline`` plus its size at this
            rate (60 s + 16 s per MiB at the default 64 KiB/s, 512 kbit/s).
        max_reply_bytes: the longest reply body read, after decompression;
            a longer one is not read and the call fails with
            :class:`~console.api.errors.UnreadableReplyError` (for an SMS or
            a call, ``outcome_unknown``).
        proxy: the profile's :class:`~console.api.proxy.ProxyChoice`: the
            system's proxy settings (the default), none, or an address, with
            its credentials. A refusal by the proxy is reported as the proxy's
            (:class:`~console.api.errors.ProxyRefusedError`), never as Voitex's.
        transport: an ``httpx.AsyncBaseTransport`` that answers every request
            instead of the network (tests: ``httpx.MockTransport``). It is
            used through httpx's client, and no proxy is consulted; it is
            closed with the client.

    Raises:
        InvalidArgumentError: for a refused ``base_url``, ``auth_key`` or
            setting (``field`` names it).

    One long-lived ``httpx.AsyncClient`` is created lazily, inside the running
    event loop, on the first call; the client then belongs to that loop. Close
    it with :meth:`aclose` or ``async with``.
    """

    def __init__(
        self,
        *,
        base_url: str = PRODUCTION_BASE_URL,
        auth_key: str,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        upload_read_timeout: float = 120.0,
        upload_write_timeout: float = 120.0,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_cap: float = DEFAULT_BACKOFF_CAP,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        chunk_size: int = CHUNK_SIZE,
        deadline: float = DEFAULT_DEADLINE,
        upload_deadline_rate: float = DEFAULT_UPLOAD_DEADLINE_RATE,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        proxy: ProxyChoice | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = check_base_url(base_url)
        self._auth_key = check_auth_key(auth_key)
        self._max_attempts = whole(max_attempts, "max_attempts", minimum=1)
        self._chunk_size = whole(chunk_size, "chunk_size", minimum=1024)
        timeouts = http_timeouts(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            upload_read_timeout=upload_read_timeout,
            upload_write_timeout=upload_write_timeout,
        )
        self._deadline = seconds(deadline, "deadline")
        self._upload_deadline_rate = seconds(upload_deadline_rate, "upload_deadline_rate")
        self._backoff_base = seconds(backoff_base, "backoff_base", zero_ok=True)
        self._backoff_cap = seconds(backoff_cap, "backoff_cap", zero_ok=True)
        self._max_retry_after = seconds(max_retry_after, "max_retry_after", zero_ok=True)
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise InvalidArgumentError("transport", "transport must be an httpx.AsyncBaseTransport.")
        if proxy is not None and not isinstance(proxy, ProxyChoice):
            raise InvalidArgumentError("proxy", "proxy must be a console.api.proxy.ProxyChoice.")
        self._given_transport = transport
        parts = urlsplit(self._base_url)
        self._https = parts.scheme.lower() == "https"
        # Resolved once: the system's proxy for this one host, or the profile's.
        self._route = Route() if transport is not None else resolve_route(self._base_url, proxy or ProxyChoice())
        self._http: httpx.AsyncClient | None = None
        self._exchange = Exchange(
            base_url=self._base_url,
            auth_key=self._auth_key,
            host=parts.hostname or "",
            port=parts.port or (443 if self._https else 80),
            route=self._route,
            timeouts=timeouts,
            max_reply_bytes=whole(max_reply_bytes, "max_reply_bytes", minimum=1024),
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    # --- life cycle -------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The base URL the client talks to, without a trailing slash."""
        return self._base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has been called."""
        return self._closed

    @property
    def route(self) -> Route:
        """The way requests leave: straight out, or through which proxy."""
        return self._route

    def __repr__(self) -> str:
        return f"VoitexClient(base_url={self._base_url!r})"

    async def __aenter__(self) -> VoitexClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections. Safe to call more than once."""
        self._closed = True
        http, self._http = self._http, None
        if http is not None and not (self._loop is not None and self._loop.is_closed()):
            await http.aclose()

    def _client(self) -> httpx.AsyncClient:
        if self._closed:
            raise RuntimeError("This VoitexClient is closed; create a new one.")
        loop = asyncio.get_running_loop()
        if self._http is None:
            self._http = build_http_client(
                https=self._https, route=self._route, limits=LIMITS, transport=self._given_transport
            )
            # Host, the client's headers and the key: the start of every request's headers.
            self._exchange.base_headers = [
                (b"Host", self._exchange.urls[UPLOAD].netloc),
                *((name.encode("ascii"), value.encode("ascii")) for name, value in self._http.headers.multi_items()),
                (b"auth_key", self._auth_key.encode("ascii")),  # check_auth_key let only ASCII through
            ]
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("This VoitexClient belongs to another event loop; create one per loop.")
        return self._http

    # --- the four calls ---------------------------------------------------

    async def upload_recording(
        self,
        path: str | os.PathLike[str],
        *,
        album_number: int | str,
        sort_number: int | str,
        display_name: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> RecordingResult:
        """Upload a wav or mp3 file into a library album.

        The file is streamed from disk, never read into memory whole. A
        recording already at the same album and sort number is replaced, so
        the upload is retried after a server error or a lost connection too.

        Args:
            path: the file to upload.
            album_number: the album (non-negative int or decimal string).
            sort_number: the recording's number in the album (same form).
            display_name: the label shown on the portal (optional).
            on_progress: ``on_progress(sent, total)``, a plain (not async)
                callable, called in the event loop with file bytes sent out
                of the file's size: ``(0, total)`` first, then about every
                hundredth of the file, and ``(total, total)`` at the end. An
                automatic retry starts again from 0. Whatever it raises aborts
                the upload and reaches the caller.

        Returns:
            RecordingResult with the ``recording_id`` Voitex assigned.

        Raises:
            InvalidArgumentError: a refused argument (before anything is sent),
                or a file that changed size while it was sent (``field`` "path").
            ApiError: a subclass for every other failure (see :mod:`console.api.errors`).
        """
        file_path, fields = upload_fields(
            path, album_number=album_number, sort_number=sort_number, display_name=display_name
        )
        check_progress(on_progress)
        send = self._exchange.upload_sender(file_path, fields, chunk_size=self._chunk_size, on_progress=on_progress)

        deadline = upload_deadline(file_path, deadline=self._deadline, rate=self._upload_deadline_rate)
        body, status = await self._call(UPLOAD, send, repeat_safe=True, deadline=deadline)
        return recording_result(body, operation=UPLOAD, status_code=status, repeat_safe=True)

    async def create_tts(
        self,
        *,
        text: str,
        album_number: int | str,
        sort_number: int | str | None = None,
    ) -> RecordingResult:
        """Create a text-to-speech recording in a library album.

        Args:
            text: what to say; not empty, at most 3000 characters.
            album_number: the album (non-negative int or decimal string).
            sort_number: the recording's number in the album; optional. With
                one, a repeat replaces the recording, so the request is also
                retried after a server error or a lost connection; without
                one it is not (each request would create another recording).

        Returns:
            RecordingResult with the ``recording_id`` Voitex assigned.
        """
        fields = tts_fields(text=text, album_number=album_number, sort_number=sort_number)
        repeat_safe = is_repeat_safe(TTS, has_sort_number=sort_number is not None)
        body, status = await self._call(TTS, self._exchange.form_sender(TTS, fields), repeat_safe=repeat_safe)
        return recording_result(body, operation=TTS, status_code=status, repeat_safe=repeat_safe)

    async def notification_call(
        self,
        *,
        cid: str,
        to: str,
        type: str,
        sfile_id: str | int | None = None,
        route_number: str | None = None,
        branch_number: str | int | None = None,
    ) -> CallResult:
        """Place a notification call from one of the account's numbers.

        Args:
            cid: the hotline number to call from (any common written form).
            to: the number to call.
            type: ``"stream"`` plays one library recording (needs ``sfile_id``);
                ``"goto"`` routes the callee into an IVR branch (needs
                ``route_number`` and ``branch_number``).
            sfile_id: the recording id to play, for ``stream``.
            route_number: the hotline number to route to, for ``goto``.
            branch_number: the branch id to route to, for ``goto``.

        Returns:
            CallResult with the ``reference_id``.

        The call is never placed twice by the client: it is retried only when
        the request never reached the server or got HTTP 429.
        """
        fields = call_fields(
            cid=cid, to=to, type=type, sfile_id=sfile_id, route_number=route_number, branch_number=branch_number
        )
        body, status = await self._call(CALL, self._exchange.form_sender(CALL, fields), repeat_safe=False)
        return call_result(body, status_code=status)

    async def send_sms(self, *, from_number: str, to: str, body: str) -> SmsResult:
        """Send a text message from one of the account's SMS-enabled numbers.

        Args:
            from_number: the sending number (sent as the form field ``from``).
            to: the recipient.
            body: the message; not empty.

        Returns:
            SmsResult with ``reference_id`` and ``did_type`` when the reply
            holds them, ``data`` (the echo) and ``raw``.

        The message is never sent twice by the client: it is retried only when
        the request never reached the server or got HTTP 429.
        """
        fields = sms_fields(from_number=from_number, to=to, body=body)
        reply, _status = await self._call(SMS, self._exchange.form_sender(SMS, fields), repeat_safe=False)
        return sms_result(reply)

    async def check_key(self) -> int:
        """Ask Voitex whether it takes the key, sending nothing it could act on.

        An empty form goes to the upload address: with no file, nothing can be
        stored. Returns the HTTP status of a reply that did not refuse the key;
        raises :class:`~console.api.errors.KeyRefusedError` when Voitex does,
        :class:`~console.api.errors.RequestRejectedError` for its refusal of
        the empty form (the key was read and accepted), and the usual errors
        for the way there (proxy, certificate, connection).
        """
        _body, status = await self._call(UPLOAD, self._exchange.form_sender(UPLOAD, []), repeat_safe=True)
        return status

    # --- plumbing ---------------------------------------------------------

    async def _call(
        self,
        operation: Operation,
        send: Send,
        *,
        repeat_safe: bool,
        deadline: float | None = None,
    ) -> tuple[dict[str, Any], int]:
        """Send with the retry policy; return the reply's JSON object and HTTP status.

        ``deadline`` bounds each attempt, from sending to the last byte of the
        reply (default: the client's ``deadline``).
        """
        if deadline is None:
            deadline = self._deadline
        http = self._client()
        attempt = 0
        while True:
            attempt += 1
            logger.debug("%s: attempt %d to %s", operation, attempt, self._exchange.urls[operation])
            try:
                return await self._exchange.attempt(operation, send, http, repeat_safe=repeat_safe, deadline=deadline)
            except ApiError as err:
                err.attempts = attempt
                if isinstance(err, InvalidArgumentError):
                    raise
                delay = retry_delay(
                    failure_kind(err),
                    attempt=attempt,
                    max_attempts=self._max_attempts,
                    repeat_safe=repeat_safe,
                    retry_after=err.retry_after if isinstance(err, RateLimitedError) else None,
                    base=self._backoff_base,
                    cap=self._backoff_cap,
                    max_retry_after=self._max_retry_after,
                )
                if delay is None:
                    logger.info("%s failed after %d attempt(s): %s", operation, attempt, err)
                    raise
                logger.info("%s: attempt %d failed (%s); retrying in %.2f s", operation, attempt, err, delay)
                await asyncio.sleep(delay)
