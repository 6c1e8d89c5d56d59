"""A console's parts wired to the test sandbox (fixtures registered in tests/conftest.py)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from tests.helpers import SANDBOX_KEY


@dataclass
class ConsoleEnv:
    session: object
    sender: object
    journal: object
    messages: object
    secrets: object
    profiles: object
    sandbox: object

    def add_live_profile(self, *, name="Main office", key=SANDBOX_KEY,
                         numbers=(("8459511000", "Main line"),)):
        """A 'live' profile that in fact points at the sandbox, with a key that it accepts."""
        from console.store.profiles import OwnNumber, Profile, new_profile_id

        profile = Profile(id=new_profile_id(name), name=name, base_url=self.sandbox.url,
                          numbers=[OwnNumber(n, label) for n, label in numbers],
                          default_album=3, is_sandbox=False)
        self.profiles.add(profile)
        self.secrets.set_key(profile.id, key)
        return profile


@pytest.fixture
def console_env(qloop, memory_keyring, sandbox, app_home):
    from console.jobs.sender import Sender
    from console.jobs.session import AccountSession
    from console.store.journal import Journal
    from console.store.paths import app_paths
    from console.store.profiles import ProfileStore
    from console.store.secrets import SecretStore
    from console.ui.messages import MessageBridge

    paths = app_paths()
    secrets = SecretStore.create()
    profiles = ProfileStore(paths.config_dir / "profiles.json")
    session = AccountSession(profiles=profiles, secrets=secrets, sandbox_url=sandbox.url,
                             sandbox_key=SANDBOX_KEY)
    journal = Journal(paths.data_dir / "history.sqlite3")
    sender = Sender(session=session, journal=journal)
    env = ConsoleEnv(session=session, sender=sender, journal=journal, messages=MessageBridge(),
                     secrets=secrets, profiles=profiles, sandbox=sandbox)
    yield env
    drive(session.aclose())
    sender.close()
    journal.close()


def drive(coro, timeout_s: float = 10.0):
    """Run `coro` on the test's qasync loop by spinning Qt events until it is done."""
    import time

    from PySide6.QtCore import QCoreApplication, QEventLoop

    task = asyncio.ensure_future(coro)
    deadline = time.monotonic() + timeout_s
    while not task.done():
        if time.monotonic() > deadline:
            task.cancel()
            raise TimeoutError("the coroutine did not finish in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    return task.result()


class ConfirmRecorder:
    """Answers confirmation boxes in tests and remembers what they said."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.boxes: list[str] = []

    def __call__(self, box) -> bool:
        self.boxes.append(f"{box.text()}\n{box.informativeText()}")
        return self.answer


@pytest.fixture
def confirm_yes():
    return ConfirmRecorder(True)


@pytest.fixture
def confirm_no():
    return ConfirmRecorder(False)


@pytest.fixture
def console_app(qtbot, qloop, memory_keyring, app_home):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    qtbot.addWidget(app.window)
    app.window.show()
    # The sandbox starts after the first paint, in the background.
    qtbot.waitUntil(lambda: app.window.painted and app.sandbox.running, timeout=15000)
    yield app
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)
