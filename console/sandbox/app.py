"""The sandbox's HTTP face: the four Voitex API calls plus /sandbox/* controls.

Every request passes, in this order: the auth_key check, reading the form,
validating its fields, then the fault plan; only then is the work carried
out. So a fault never hides a 401 or a validation error, and an invalid
request never uses up a fault's count.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from console.sandbox import validation
from console.sandbox.faults import FaultPlan, FaultRule
from console.sandbox.forms import DEFAULT_MAX_UPLOAD_BYTES, FormError, ReceivedForm, RunBlocking, read_form
from console.sandbox.state import Entry, SandboxState
from console.sandbox.validation import RequestRejected

UNAUTHORIZED_MESSAGE = "The auth_key header is missing or not valid."
_OPEN_PATHS = {"/sandbox/health"}
_CONNECTION_KEY = "voitex_sandbox.connection"
# Which library the request's key works on (None: the first key's).
KEY_ID_SCOPE = "voitex_sandbox.key_id"
# How often a slow reply checks whether the sandbox is stopping.
_PAUSE_STEP = 0.05

_BAD_GATEWAY_PAGE = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


def build_app(
    *,
    state: SandboxState,
    faults: FaultPlan,
    auth_key: str | Mapping[str, str | None],
    run_blocking: RunBlocking,
    is_stopping: Callable[[], bool],
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> ASGIApp:
    """The ASGI application; `run_blocking(fn, *args)` runs disk work on a worker thread.

    `auth_key` is the one key accepted, or a mapping of each accepted key to
    the id of its library (None for the first key's). A request body longer
    than `max_upload_bytes` gets a `status: error` reply and nothing of it is
    kept on disk.
    """
    endpoints = _Endpoints(state, faults, run_blocking, is_stopping, max_upload_bytes)
    routes = [
        Route("/recordings/upload/index.php", endpoints.upload_recording, methods=["POST"]),
        Route("/v1/recordings/upload/", endpoints.create_tts, methods=["POST"]),
        Route("/v1/call/index.php", endpoints.notification_call, methods=["POST"]),
        Route("/v1/sms/send/index.php", endpoints.send_sms, methods=["POST"]),
        Route("/sandbox/health", endpoints.health, methods=["GET"]),
        Route("/sandbox/library", endpoints.library, methods=["GET"]),
        Route("/sandbox/outbox", endpoints.outbox, methods=["GET"]),
        Route("/sandbox/faults", endpoints.list_faults, methods=["GET"]),
        Route("/sandbox/faults", endpoints.add_fault, methods=["POST"]),
        Route("/sandbox/faults", endpoints.clear_faults, methods=["DELETE"]),
        Route("/sandbox/reset", endpoints.reset, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            RequestRejected: _reply_rejected,
            FormError: _reply_form_error,
            ClientDisconnect: _reply_to_nobody,
        },
    )
    return _ConnectionDropper(_RequireKey(app, auth_key))


# Success replies, each as the provider's sample shows it, keys in the same order.


def _upload_reply(entry: Entry) -> Response:
    return JSONResponse({"data": entry["recording_id"], "status": "success", "errors": []})


def _tts_reply(entry: Entry) -> Response:
    return JSONResponse({"status": "success", "data": entry["recording_id"], "errors": []})


def _call_reply(entry: Entry) -> Response:
    return JSONResponse({"status": "success", "reference_id": entry["reference_id"], "errors": []})


def _sms_reply(entry: Entry) -> Response:
    return JSONResponse({"status": "success", "data": sms_echo(entry), "errors": []})


def sms_echo(entry: Entry) -> str:
    """The SMS reply's `data`: the provider's not-quite-JSON string, body inserted as is."""
    return (
        f'{{ "to": "{entry["to"]}", "from ": "{entry["from"]} ", "body": "{entry["body"]}", '
        f'"did_type ": "{entry["did_type"]} ", "from ": "{entry["reference_id"]} " }}'
    )


class _Endpoints:
    def __init__(
        self,
        state: SandboxState,
        faults: FaultPlan,
        run_blocking: RunBlocking,
        is_stopping: Callable[[], bool],
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    ) -> None:
        self._max_upload_bytes = max_upload_bytes
        self._state = state
        self._faults = faults
        self._run_blocking = run_blocking
        self._is_stopping = is_stopping

    # The Voitex API

    async def upload_recording(self, request: Request) -> Response:
        async with self._form(request) as form:
            upload = validation.check_upload(form.fields, form.files)

            async def store() -> Entry:
                entry: Entry = await self._run_blocking(self._state.store_upload, upload, _key_id(request))
                del form.files["upload_file"]  # the library's file now, not a leftover
                return entry

            return await self._carry_out(request, "upload", store, _upload_reply)

    async def create_tts(self, request: Request) -> Response:
        async with self._form(request) as form:
            tts = validation.check_tts(form.fields)
        act = functools.partial(self._run_blocking, self._state.add_tts, tts, _key_id(request))
        return await self._carry_out(request, "tts", act, _tts_reply)

    async def notification_call(self, request: Request) -> Response:
        async with self._form(request) as form:
            call = validation.check_call(form.fields)
        act = functools.partial(self._run_blocking, self._state.record_call, call)
        return await self._carry_out(request, "call", act, _call_reply)

    async def send_sms(self, request: Request) -> Response:
        async with self._form(request) as form:
            sms = validation.check_sms(form.fields)
        act = functools.partial(self._run_blocking, self._state.record_sms, sms)
        return await self._carry_out(request, "sms", act, _sms_reply)

    # Controls for tests and training

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def library(self, request: Request) -> Response:
        return JSONResponse({"recordings": self._state.library(_key_id(request))})

    async def outbox(self, request: Request) -> Response:
        return JSONResponse(self._state.outbox())

    async def list_faults(self, request: Request) -> Response:
        return JSONResponse({"faults": self._faults.snapshot()})

    async def add_fault(self, request: Request) -> Response:
        try:
            rule = FaultRule.from_dict(await request.json())
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            return JSONResponse({"status": "error", "errors": [str(exc)]}, status_code=400)
        self._faults.add(rule)
        return JSONResponse({"faults": self._faults.snapshot()})

    async def clear_faults(self, request: Request) -> Response:
        self._faults.clear()
        return JSONResponse({"faults": []})

    async def reset(self, request: Request) -> Response:
        await self._run_blocking(self._state.reset)
        return JSONResponse({"status": "ok"})

    # Shared steps

    @contextlib.asynccontextmanager
    async def _form(self, request: Request) -> AsyncIterator[ReceivedForm]:
        form = await read_form(
            request,
            spool_dir=self._state.spool_dir,
            run_blocking=self._run_blocking,
            max_body_bytes=self._max_upload_bytes,
        )
        try:
            yield form
        finally:
            form.discard()

    async def _carry_out(
        self,
        request: Request,
        endpoint: str,
        act: Callable[[], Awaitable[Entry]],
        reply: Callable[[Entry], Response],
    ) -> Response:
        """Do the work and reply, unless the fault plan says otherwise."""
        rule = self._faults.pick(endpoint)
        if rule is None:
            return reply(await act())
        if rule.kind == "slow":
            return await self._reply_slowly(request, rule, act, reply)
        if rule.acted:
            await act()
        return _fault_reply(rule)

    async def _reply_slowly(
        self,
        request: Request,
        rule: FaultRule,
        act: Callable[[], Awaitable[Entry]],
        reply: Callable[[Entry], Response],
    ) -> Response:
        if rule.acted:
            entry = await act()
            await self._pause(request, rule.delay)
            return reply(entry)
        # Not acted yet: like a server that notices the client gave up
        # before it got round to the work, do nothing in that case.
        if not await self._pause(request, rule.delay):
            return _reply_to_nobody()
        return reply(await act())

    async def _pause(self, request: Request, seconds: float) -> bool:
        """Wait `seconds` (less if the sandbox stops); False if the client hung up meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._is_stopping():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            # With the body read, the server's receive() only returns once
            # the client disconnects (or, once, an empty end-of-body message).
            try:
                async with asyncio.timeout(min(remaining, _PAUSE_STEP)):
                    message = await request.receive()
            except TimeoutError:
                continue
            if message["type"] == "http.disconnect":
                return False
        return True


def _key_id(request: Request) -> str | None:
    return request.scope.get(KEY_ID_SCOPE)


def _fault_reply(rule: FaultRule) -> Response:
    if rule.kind == "http500":
        return JSONResponse(_error_body("Internal server error (sandbox fault)."), status_code=500)
    if rule.kind == "http429":
        return JSONResponse(
            _error_body("Too many requests, try again later (sandbox fault)."),
            status_code=429,
            headers={"Retry-After": _seconds_text(rule.retry_after)},
        )
    if rule.kind == "html":
        return HTMLResponse(_BAD_GATEWAY_PAGE, status_code=502)
    if rule.kind == "api_error":
        return JSONResponse(_error_body("The request could not be processed (sandbox fault)."))
    if rule.kind == "drop":
        return _DroppedConnection()  # type: ignore[return-value]  # an ASGI app like a Response
    raise AssertionError(f"no reply for fault kind {rule.kind!r}")


def _error_body(*messages: str) -> dict[str, Any]:
    return {"status": "error", "data": "", "errors": list(messages)}


def _seconds_text(seconds: float) -> str:
    # Whole seconds as HTTP says; fractions kept so tests need not wait long.
    return str(int(seconds)) if seconds == int(seconds) else repr(seconds)


async def _reply_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestRejected)
    return JSONResponse(_error_body(*exc.messages))


async def _reply_form_error(request: Request, exc: Exception) -> Response:
    return JSONResponse(_error_body(str(exc)))


def _reply_to_nobody(*_: object) -> Response:
    # The client is gone; the server discards whatever is sent. 499 is nginx's
    # "client closed request", should it ever show up in a log.
    return Response(status_code=499)


class _ConnectionState:
    drop_requested = False


class _DroppedConnection:
    """Stands in for a reply: asks _ConnectionDropper to cut the connection instead."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_CONNECTION_KEY].drop_requested = True


class _ConnectionDropper:
    """The outermost layer, the only one that still has the server's own `send`.

    The connection can only be cut from there: with uvicorn, `send` is a bound
    method of the connection's request-response cycle, which holds the
    transport. Starlette's middleware wraps `send`, so inner layers cannot.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        connection = _ConnectionState()
        scope[_CONNECTION_KEY] = connection
        await self._app(scope, receive, send)
        if connection.drop_requested:
            await _abort_connection(receive, send)


async def _abort_connection(receive: Receive, send: Send) -> None:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("This ASGI server gives no way to drop a connection; the 'drop' fault needs uvicorn.")
    transport.abort()
    # Returning before the server has noticed would make it send a 500 of its own.
    while (await receive())["type"] != "http.disconnect":
        pass


class _RequireKey:
    """Refuses every request without the right auth_key header, before any routing."""

    def __init__(self, app: ASGIApp, auth_key: str | Mapping[str, str | None]) -> None:
        self._app = app
        keys = {auth_key: None} if isinstance(auth_key, str) else dict(auth_key)
        self._keys = [(key.encode("utf-8"), key_id) for key, key_id in keys.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in _OPEN_PATHS and not self._authorized(scope):
            # Read the body first, as a PHP server does, so that a client
            # still sending a large upload gets the 401 rather than a reset.
            await _discard_body(receive)
            body = {"status": "error", "errors": [UNAUTHORIZED_MESSAGE]}
            await JSONResponse(body, status_code=401)(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        supplied = [value for name, value in scope["headers"] if name.lower() == b"auth_key"]
        if len(supplied) != 1:
            return False
        # Every key is compared, so the time taken does not tell which one matched.
        matched = [key_id for key, key_id in self._keys if hmac.compare_digest(supplied[0], key)]
        if not matched:
            return False
        scope[KEY_ID_SCOPE] = matched[0]
        return True


async def _discard_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return

