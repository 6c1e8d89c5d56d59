"""Running the sandbox: uvicorn on its own event loop in a daemon thread.

The listening socket is bound here, before uvicorn starts, so the port is
known at once even when the OS picks it (port=0). Disk work runs on a thread
pool owned by the server, shut down in stop(), so nothing outlives it.
"""
from __future__ import annotations

import asyncio
import functools
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import uvicorn

from console.loopback import listen_on
from console.sandbox.app import build_app
from console.sandbox.faults import FaultPlan, FaultRule
from console.sandbox.forms import DEFAULT_MAX_UPLOAD_BYTES
from console.sandbox.state import Entry, SandboxState
from console.store.notices import DamagedFile

DEFAULT_SANDBOX_KEY = "sandbox"

_START_TIMEOUT = 15.0
_STOP_TIMEOUT = 10.0
# Requests still running when stop() is called get this long to finish.
_GRACEFUL_SHUTDOWN_SECONDS = 2


class SandboxServer:
    """A Voitex-compatible server on loopback; see console/sandbox/__init__.py."""

    def __init__(
        self,
        *,
        data_dir: Path | str,
        auth_key: str | Sequence[str] = DEFAULT_SANDBOX_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Iterable[FaultRule] = (),
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        tls_cert_file: Path | str | None = None,
        tls_key_file: Path | str | None = None,
    ) -> None:
        # With a certificate and its key the sandbox speaks https, as Voitex
        # does (tests of the console behind an office proxy and its own CA).
        self._tls = (str(tls_cert_file), str(tls_key_file)) if tls_cert_file and tls_key_file else None
        # Several keys: each has a library of its own, as each Voitex account
        # does; the first key's is the one older sandboxes kept.
        keys = [auth_key] if isinstance(auth_key, str) else list(auth_key)
        if not keys or not all(keys):
            raise ValueError("auth_key must not be empty")
        self._auth_keys = list(dict.fromkeys(keys))
        self._max_upload_bytes = max_upload_bytes
        self._host = host
        self._requested_port = port
        self._bound_port: int | None = None
        self._state = SandboxState(Path(data_dir))
        self._key_ids: dict[str, str | None] = {
            key: (None if n == 0 else self._state.key_id(key)) for n, key in enumerate(self._auth_keys)}
        self._faults = FaultPlan(faults)
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._failure: BaseException | None = None

    # Running

    def start(self, *, sock: socket.socket | None = None) -> None:
        """Start serving; returns once connections are accepted.

        `sock`, an already listening socket, lets an embedding application
        publish the address before paying for this import: connections made
        meanwhile wait in its backlog and are served once this returns.
        """
        if self.running:
            raise RuntimeError("The sandbox is already running.")
        if sock is None:
            sock = listen_on(self._host, self._requested_port)
        self._bound_port = sock.getsockname()[1]
        self._stop_requested.clear()
        self._failure = None
        self._executor = ThreadPoolExecutor(thread_name_prefix="voitex-sandbox-io")
        app = build_app(
            state=self._state,
            faults=self._faults,
            auth_key=self._key_ids,
            run_blocking=functools.partial(_run_blocking, self._executor),
            is_stopping=self._stop_requested.is_set,
            max_upload_bytes=self._max_upload_bytes,
        )
        ready = threading.Event()
        self._server = _Server(_uvicorn_config(app, self._tls), ready)
        self._thread = threading.Thread(
            target=self._serve, args=(self._server, sock, ready), name="voitex-sandbox", daemon=True
        )
        self._thread.start()
        ready.wait(_START_TIMEOUT)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"The sandbox could not start on {self._host}:{self._bound_port}.") from self._failure

    def stop(self) -> None:
        """Stop serving and wait for the server thread; does nothing if not running."""
        if self._thread is None:
            return
        assert self._server is not None and self._executor is not None
        self._stop_requested.set()
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(_STOP_TIMEOUT)
        self._executor.shutdown(wait=True)
        self._thread = self._server = self._executor = None

    def _serve(self, server: _Server, sock: socket.socket, ready: threading.Event) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # noqa: BLE001 - uvicorn reports start-up failure with SystemExit
            self._failure = exc
        finally:
            sock.close()
            ready.set()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int:
        """The port being served (or last served); the requested one before start()."""
        return self._bound_port if self._bound_port is not None else self._requested_port

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{'https' if self._tls else 'http'}://{host}:{self.port}"

    @property
    def damage(self) -> DamagedFile | None:
        """What start-up found damaged in the state file (a DamagedFile), or None."""
        return self._state.damage

    @property
    def data_dir(self) -> Path:
        return self._state.data_dir

    # What the sandbox received

    def library(self, key: str | None = None) -> list[Entry]:
        """Same as GET /sandbox/library's "recordings" for `key` (default: the first key)."""
        if key is not None and key not in self._key_ids:
            raise KeyError("the sandbox does not accept that key")
        return self._state.library(self._key_ids[key] if key is not None else None)

    def outbox(self) -> dict[str, list[Entry]]:
        """Same as GET /sandbox/outbox: {"sms": [...], "calls": [...]}."""
        return self._state.outbox()

    def reset(self) -> None:
        """Empty the library and the outbox (as POST /sandbox/reset)."""
        self._state.reset()

    # Faults

    def add_fault(self, rule: FaultRule) -> None:
        self._faults.add(rule)

    def clear_faults(self) -> None:
        self._faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        """Same as GET /sandbox/faults's "faults"."""
        return self._faults.snapshot()


class _Server(uvicorn.Server):
    """uvicorn's server, telling start() when it is up (or has given up)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self._ready.set()


def _uvicorn_config(app: Any, tls: tuple[str, str] | None = None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
        http="auto",  # httptools when installed, else h11
        ws="none",
        lifespan="off",
        interface="asgi3",
        log_level="warning",
        access_log=False,
        # The embedding application owns logging; uvicorn's records propagate to it.
        log_config=None,
        proxy_headers=False,
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
    )


async def _run_blocking(executor: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
