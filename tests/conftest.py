"""Fixtures shared by the whole suite.

The Qt platform is forced to offscreen before anything imports PySide6, and
PySide6 is imported before qasync so qasync binds to it (see
docs/testing.md).
"""
from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402

from tests.helpers import SANDBOX_KEY  # noqa: E402

# Unexpected WARNING/ERROR log records fail the test (see tests/logfail.py).
pytest_plugins = ["tests.logfail", "pytester"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict.

    priority -1: defining a subclass registers it, and a positive priority would
    make it the default everywhere.
    """

    priority = -1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.passwords[(service, username)]
        except KeyError:
            from keyring.errors import PasswordDeleteError

            raise PasswordDeleteError("not found") from None


class FailingKeyring(keyring.backend.KeyringBackend):
    """A keyring that is present but fails on use, as a locked one does."""

    priority = -1

    def get_password(self, service, username):
        from keyring.errors import KeyringLocked

        raise KeyringLocked("The keyring is locked")

    def set_password(self, service, username, password):
        from keyring.errors import PasswordSetError

        raise PasswordSetError("The keyring is locked")

    def delete_password(self, service, username):
        from keyring.errors import PasswordDeleteError

        raise PasswordDeleteError("The keyring is locked")


def _install_keyring(backend):
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    return previous


@pytest.fixture
def memory_keyring():
    backend = MemoryKeyring()
    previous = _install_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def failing_keyring():
    backend = FailingKeyring()
    previous = _install_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    """The state of a machine with no desktop session: the `fail` backend."""
    from keyring.backends import fail

    previous = _install_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def app_home(tmp_path, monkeypatch):
    """Every test gets its own config, data and log folders.

    Autouse so that no test ever writes into the real user's folders.
    """
    home = tmp_path / "voitex-home"
    home.mkdir()
    monkeypatch.setenv("VOITEX_CONSOLE_HOME", str(home))
    return home


@pytest.fixture
def sandbox(tmp_path):
    from console.sandbox import SandboxServer

    server = SandboxServer(data_dir=tmp_path / "sandbox-data", auth_key=SANDBOX_KEY)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _session_qloop(qapp):
    """One qasync loop for the whole session.

    Creating and dropping a loop per test let a dead loop's timer object be
    freed while Qt was still dispatching its timers (a segfault in
    QTimerInfoList::activateTimers); one long-lived loop avoids that.
    """
    import qasync

    loop = qasync.QEventLoop(qapp)
    yield loop
    loop.close()


@pytest.fixture
def qloop(_session_qloop):
    """The qasync loop, current and running for the whole test.

    qtbot's waits spin nested Qt event loops, which also run this loop's
    callbacks, so `@asyncSlot` handlers and httpx make progress while a test
    waits. Never call loop.stop() here: it quits the QApplication and every
    later wait returns at once.
    """
    loop = _session_qloop
    asyncio.set_event_loop(loop)
    # No public asyncio API marks a loop as running without running it: the
    # test body is plain synchronous code that pytest calls, so it cannot run
    # inside loop.run_forever()/run_until_complete(). `_set_running_loop` is
    # the hook asyncio exports (it is in `asyncio.__all__`) for loops that run
    # on another framework's event loop; qasync's own `already_running=True`
    # calls the same function, but then keeps the loop marked running for the
    # whole session, and the pure async tests' `asyncio.run()` would refuse to
    # start. So the loop is marked running here for one test at a time.
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop

            deadline = QDeadlineTimer(5000)
            while any(not t.done() for t in pending) and not deadline.hasExpired():
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of this test session (tests/pg_server.py); skipped where the
    server programs are missing, unless VOITEX_TEST_POSTGRES=required (CI), then failed."""
    from tests.pg_server import ServerUnavailable, postgres_required, start_server

    try:
        server = start_server()
    except ServerUnavailable as err:
        if postgres_required():
            pytest.fail(f"VOITEX_TEST_POSTGRES=required, but {err}")
        pytest.skip(str(err))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server):
    """A fresh, empty database for this test, owned by the desk's login role;
    its name. Dropped afterwards (with any connection still open to it)."""
    name = pg_server.new_database()
    try:
        yield name
    finally:
        pg_server.drop_database(name)


# Shared by the tab, jobs and app tests.
from tests.branch.fake_endpoint import fake_endpoint  # noqa: E402,F401
from tests.console_env import confirm_no, confirm_yes, console_app, console_env  # noqa: E402,F401
