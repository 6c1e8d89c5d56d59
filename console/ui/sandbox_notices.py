"""What the window says when the embedded Sandbox changes state: the status bar's
"Sandbox: …", a damaged state file among the start-up notices, and why it did not
start (live accounts still work)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from console.ui.messages import MessageBridge

if TYPE_CHECKING:
    from console.embedded_sandbox import EmbeddedSandbox
    from console.ui.main_window import MainWindow

NO_PORT = "no local port could be opened"


class SandboxNotices:
    """`on_state_changed(state)`, given to the EmbeddedSandbox as it is made.

    The sandbox may report a state while it is being made (no port), before
    the window exists: `window()` and `sandbox()` then give None."""

    def __init__(self, messages: MessageBridge, *, window: Callable[[], MainWindow | None],
                 sandbox: Callable[[], EmbeddedSandbox | None]) -> None:
        self._messages = messages
        self._window = window
        self._sandbox = sandbox

    def on_state_changed(self, state: str) -> None:
        window = self._window()
        if window is not None:
            window.refresh_sandbox_status()
        sandbox = self._sandbox()
        server = sandbox.server if sandbox is not None else None
        if state == "running" and server is not None and server.damage is not None:
            self._messages.notices.add(server.damage)
        if state == "failed":
            error = sandbox.error if sandbox is not None else NO_PORT
            self._messages.error(
                f"The practice server (Sandbox) did not start: {error}. "
                "Live accounts still work; restart Voitex Console to try the Sandbox again.")
