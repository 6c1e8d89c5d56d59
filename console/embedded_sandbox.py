"""The Sandbox profile's server inside the console, started only when needed.

Starlette and uvicorn cost about a fifth of a second to import, so the
console binds the loopback socket at once (the address is known and every
profile can show it) and imports and starts the server only when the Sandbox
profile is active, after the window is on screen. A request made in between
does not fail: its connection waits in the socket's backlog and is answered as
soon as the server runs. No Qt here.
"""
from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from console.loopback import listen_on

if TYPE_CHECKING:
    from console.sandbox import SandboxServer

log = logging.getLogger(__name__)

IDLE, STARTING, RUNNING, FAILED, STOPPED = "idle", "starting", "running", "failed", "stopped"


class SandboxUnavailable(Exception):
    """The embedded sandbox could not start; the message says what to do."""


class EmbeddedSandbox:
    """One SandboxServer for the console's lifetime, started on demand.

    `on_state_changed` is called on the event loop's thread whenever `state`
    changes (the status bar's "Sandbox: starting…").
    """

    def __init__(self, *, data_dir: Path, auth_key: str, host: str = "127.0.0.1",
                 on_state_changed: Callable[[str], None] | None = None) -> None:
        self._data_dir = Path(data_dir)
        self._auth_key = auth_key
        self._host = host
        self._on_state_changed = on_state_changed or (lambda _state: None)
        self._task: asyncio.Future[None] | None = None
        self.server: SandboxServer | None = None
        self.error = ""
        self._state = IDLE
        self._port = 0
        try:
            self._sock: socket.socket | None = listen_on(host)
            self._port = self._sock.getsockname()[1]
        except OSError as err:
            self._sock = None
            self._fail(f"no local port could be opened ({err})")

    # -- what the rest of the console reads ----------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def running(self) -> bool:
        return self._state == RUNNING and self.server is not None and self.server.running

    @property
    def url(self) -> str:
        """The address requests go to; "" when no socket could be opened."""
        if not self._port:
            return ""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    def status_text(self) -> str:
        return status_text(self._state, self.url, self.error)

    # -- starting and stopping -----------------------------------------------
    def start_soon(self) -> asyncio.Future[None]:
        """Start the server in the background (once); the task ends when it runs."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._start())
        return self._task

    async def wait_running(self) -> SandboxServer:
        """The running server, starting it if nobody has; SandboxUnavailable if it cannot."""
        await asyncio.shield(self.start_soon())
        if self._state != RUNNING or self.server is None:
            raise SandboxUnavailable(
                f"The practice server (Sandbox) did not start: {self.error or 'it was stopped'}. "
                "Restart Voitex Console; if it happens again, send the log file to support.")
        return self.server

    async def _start(self) -> None:
        if self._sock is None:
            return  # _fail() already said why
        self._set_state(STARTING)
        sock, self._sock = self._sock, None
        try:
            self.server = await asyncio.to_thread(self._start_blocking, sock)
        except Exception as err:  # the console still works with live accounts
            log.exception("the embedded sandbox did not start")
            self._fail(str(err) or type(err).__name__)
            return
        self._set_state(RUNNING)

    def _start_blocking(self, sock: socket.socket) -> SandboxServer:
        # Imported here, off the UI thread: Starlette and uvicorn are the
        # largest imports the console has.
        try:
            from console.sandbox import SandboxServer

            server = SandboxServer(data_dir=self._data_dir, auth_key=self._auth_key,
                                   host=self._host, port=self._port)
            server.start(sock=sock)
        except BaseException:
            sock.close()
            raise
        return server

    async def stop(self) -> None:
        """Stop the server (waiting for a start under way); safe to call twice."""
        if self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        server, self.server = self.server, None
        if server is not None:
            await asyncio.to_thread(server.stop)
        if self._state != FAILED:
            self._set_state(STOPPED)

    # -- internals -----------------------------------------------------------
    def _fail(self, error: str) -> None:
        self.error = error
        self._set_state(FAILED)

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._on_state_changed(state)


def status_text(state: str, url: str, error: str = "") -> str:
    """The status bar's words for the embedded sandbox."""
    if state == RUNNING:
        return f"Sandbox: running at {url}"
    if state in (IDLE, STARTING):
        return "Sandbox: starting…"
    if state == FAILED:
        return "Sandbox: did not start"
    return "Sandbox: stopped"
