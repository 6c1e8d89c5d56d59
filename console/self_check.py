"""`voitex-console --self-check`: the real application, started and tried once.

Window open, the embedded sandbox answering, one SMS sent through it: exit
code 0, else 1 with one "self-check: FAILED: ..." line per problem. Used by CI
on the wheel and on the bundle (packaging/ci-check.sh).
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from console.embedded_sandbox import EmbeddedSandbox
    from console.jobs.sender import Sender
    from console.jobs.session import AccountSession

__all__ = ["SelfCheckTarget", "run_self_check"]

SELF_CHECK_BODY = "Voitex Console self-check"


class SelfCheckTarget(Protocol):
    """What the self-check looks at: the running console (app.py's ConsoleApp)."""

    @property
    def window(self) -> QWidget: ...

    @property
    def session(self) -> AccountSession: ...

    @property
    def sender(self) -> Sender: ...

    @property
    def sandbox(self) -> EmbeddedSandbox: ...


async def run_self_check(console: SelfCheckTarget) -> int:
    """Window open, sandbox answering, one SMS through it: 0, else 1."""
    failures: list[str] = []
    await asyncio.sleep(0.2)  # let the window map before it is looked at
    if not console.window.isVisible():
        failures.append("the main window did not open")
    try:
        profile = console.session.profile
        number = profile.numbers[0].number
        # Sent at once, before the sandbox may be up: it must wait, not fail.
        result = (await console.sender.send_sms(from_number=number, to="8451234567",
                                                body=SELF_CHECK_BODY)).value
        server = await console.sandbox.wait_running()
        sent = [m for m in server.outbox()["sms"] if m["reference_id"] == result.reference_id]
        if len(sent) != 1:
            failures.append("the sandbox did not receive the SMS exactly once")
    except Exception as err:  # noqa: BLE001 - every failure is reported, none is fatal
        detail = f" ({console.sandbox.error})" if console.sandbox.error else ""
        failures.append(f"sending an SMS through the sandbox failed: {err}{detail}")
    for failure in failures:
        print(f"self-check: FAILED: {failure}")
    if not failures:
        print(f"self-check: ok (window open, sandbox at {console.sandbox.url}, one SMS sent)")
    return 1 if failures else 0
