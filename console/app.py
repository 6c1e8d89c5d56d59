"""Wire everything together and run the Qt application on a qasync loop.

This is the only module that knows every layer: it builds the stores, the
embedded sandbox, the account session, the tabs and the window, and passes
each piece what it needs.
"""
from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import secrets as pysecrets
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QByteArray, QEvent, QObject, Signal  # noqa: E402  (before qasync)
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtNetwork import QLocalServer, QLocalSocket  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

import qasync  # noqa: E402

from console import __version__  # noqa: E402
from console.api.branch_endpoint import post_branch_request  # noqa: E402
from console.jobs.broadcast_runner import BroadcastRunner, send_broadcast_row  # noqa: E402
from console.jobs.sender import Sender  # noqa: E402
from console.jobs.session import AccountSession, NoKeyError  # noqa: E402
from console.jobs.upload_queue import UploadQueue  # noqa: E402
from console.logging_setup import configure_logging, register_secret  # noqa: E402
from console.resources import app_icon_files, read_resource_text  # noqa: E402
from console.sandbox import SandboxServer  # noqa: E402
from console.store.broadcasts import SqliteBroadcastStore  # noqa: E402
from console.store.journal import Journal, JournalError  # noqa: E402
from console.store.paths import AppPaths, app_paths  # noqa: E402
from console.store.profiles import ProfileStore  # noqa: E402
from console.store.secrets import SecretStore, SecretStoreError  # noqa: E402
from console.ui.branch_tab import BranchTab  # noqa: E402
from console.ui.broadcast_tab import BroadcastTab  # noqa: E402
from console.ui.calls_tab import CallsTab  # noqa: E402
from console.ui.crash_dialog import CrashHandler  # noqa: E402
from console.ui.dialogs import AboutDialog, PreferencesDialog  # noqa: E402
from console.ui.errors import describe_error  # noqa: E402
from console.ui.history_tab import HistoryTab  # noqa: E402
from console.ui.main_window import MainWindow  # noqa: E402
from console.ui.messages import MessageBridge  # noqa: E402
from console.ui.profiles_dialog import ProfilesDialog  # noqa: E402
from console.ui.recordings_tab import RecordingsTab  # noqa: E402
from console.ui.sms_tab import SmsTab  # noqa: E402
from console.ui.tts_tab import TtsTab  # noqa: E402
from console.ui.widgets import default_confirm, live_confirmation  # noqa: E402

log = logging.getLogger(__name__)


def instance_name(paths: AppPaths) -> str:
    """One running console per user and configuration folder."""
    import hashlib

    digest = hashlib.sha1(str(paths.config_dir).encode()).hexdigest()[:12]
    return f"voitex-console-{digest}"


def forward_to_running_instance(name: str, files: list[Path], timeout_ms: int = 500) -> bool:
    """Hand `files` to a console already running; True if one took them."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    payload = json.dumps({"files": [str(p) for p in files]}).encode() + b"\n"
    socket.write(QByteArray(payload))
    socket.waitForBytesWritten(timeout_ms)
    socket.waitForReadyRead(timeout_ms)  # the running console answers "ok"
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later `voitex-console FILE…` starts and takes their files."""

    files_received = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A console that crashed leaves its socket file behind.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._on_new_connection)

    def _on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        try:
            files = [Path(p) for p in json.loads(line.decode())["files"]]
        except (ValueError, KeyError, TypeError):
            files = []
        socket.write(QByteArray(b"ok\n"))
        socket.flush()
        socket.disconnectFromServer()
        self.files_received.emit(files)

    def close(self) -> None:
        self.server.close()


class FileOpenFilter(QObject):
    """macOS Finder's "Open With" sends files as QFileOpenEvent, not arguments."""

    files_opened = Signal(list)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen:
            self.files_opened.emit([Path(event.file())])
            return True
        return False


class ConsoleApp(QObject):
    """Everything the running console is made of, built in dependency order."""

    def __init__(self, qapp: QApplication, *, paths: AppPaths, show_dialogs: bool = True) -> None:
        super().__init__()
        self.qapp = qapp
        self.paths = paths
        self.closed = asyncio.get_event_loop().create_future()
        self._shut_down = False
        self.messages = MessageBridge(self)
        self.crash = CrashHandler(parent_provider=lambda: getattr(self, "window", None),
                                  show=show_dialogs)

        # Listen first, so a second start during the slow start-up below hands
        # its files over instead of opening a second console on the same files.
        self.instance_server = InstanceServer(instance_name(paths), self)
        self.secrets = SecretStore.create()
        self.journal = Journal(paths.data_dir / "history.sqlite3")
        recovered = self.journal.mark_crashed_pending_unknown()

        self.sandbox_key = pysecrets.token_urlsafe(24)
        register_secret(self.sandbox_key)
        self.sandbox = SandboxServer(data_dir=paths.data_dir / "sandbox", auth_key=self.sandbox_key)
        self.sandbox_error = ""
        try:
            self.sandbox.start()
        except Exception as err:  # the console still works with live accounts
            self.sandbox_error = str(err)
            log.exception("the embedded sandbox did not start")

        self.profiles = ProfileStore(paths.config_dir / "profiles.json")
        self.session = AccountSession(profiles=self.profiles, secrets=self.secrets,
                                      sandbox_url=self.sandbox.url if not self.sandbox_error else "",
                                      sandbox_key=self.sandbox_key, parent=self)
        self.sender = Sender(session=self.session, journal=self.journal,
                             on_journal_changed=self._on_journal_changed)
        self.upload_queue = UploadQueue(
            client_factory=self.session.client, journal=self.journal,
            state_path=paths.data_dir / "upload-queue.json",
            profile=lambda: (self.session.profile.id, self.session.profile.name), parent=self)

        # Broadcasts live in the History file; rows left "sending" become unknown first.
        self.broadcasts = SqliteBroadcastStore(self.journal.path)
        self.broadcasts.recover()
        self.broadcast_runner = BroadcastRunner(
            store=self.broadcasts, send_row=lambda run, row: send_broadcast_row(self.sender, run, row),
            describe=lambda err, action: describe_error(err, profile_name=self.session.profile.name,
                                                        action=action),
            current_profile_id=lambda: self.session.profile.id, parent=self)
        self.tabs: dict[str, QWidget] = {
            "recordings": RecordingsTab(queue=self.upload_queue,
                                        default_album=lambda: self.session.profile.default_album,
                                        messages=self.messages,
                                        confirm_start=self.confirm_live_upload),
            "tts": TtsTab(session=self.session, sender=self.sender, messages=self.messages),
            "sms": SmsTab(session=self.session, sender=self.sender, messages=self.messages,
                          broadcasts=self.broadcasts),
            "calls": CallsTab(session=self.session, sender=self.sender, messages=self.messages,
                              broadcasts=self.broadcasts),
            "broadcast": BroadcastTab(session=self.session, sender=self.sender,
                                      store=self.broadcasts, runner=self.broadcast_runner,
                                      messages=self.messages),
            "branch": BranchTab(post_request=post_branch_request, messages=self.messages,
                                settings_path=paths.config_dir / "branch-tester.json"),
            "history": HistoryTab(journal=self.journal, profiles_provider=self.session.all_profiles,
                                  resend=self.resend),
        }
        self.window = MainWindow(session=self.session, messages=self.messages, tabs=self.tabs,
                                 config_dir=paths.config_dir, sandbox_status=self.sandbox_status,
                                 api_reference=lambda: read_resource_text("reference/voitex-api-docs.txt"))
        self.window.setWindowIcon(app_icon())
        self.window.close_requested.connect(self._on_close_requested)
        self.window.manage_profiles_requested.connect(self.show_profiles)
        self.window.add_account_requested.connect(lambda: self.show_profiles(new=True))
        self.window.about_requested.connect(self.show_about)
        self.window.preferences_requested.connect(self.show_preferences)
        self.upload_queue.journal_changed.connect(self._on_journal_changed)
        self.session.profile_changed.connect(self._on_profile_changed)

        self.instance_server.files_received.connect(self.queue_files)
        self.file_open_filter = FileOpenFilter(self)
        self.file_open_filter.files_opened.connect(self.queue_files)
        qapp.installEventFilter(self.file_open_filter)

        if recovered:
            self.messages.warning(
                f"{recovered} request(s) were still running when the console last closed; "
                "their outcome is unknown. Check History before sending them again.")
        if self.secrets.state != "keyring":
            self.messages.warning(self.secrets.explanation)
        for warning in (self.profiles.load_warning, self.journal.load_warning):
            if warning:
                self.messages.warning(warning)

    # -- wiring helpers ------------------------------------------------------
    def confirm_live_upload(self, count: int, confirm=default_confirm) -> bool:
        """On a live account, uploading replaces what is at each album and sort."""
        profile = self.session.profile
        if profile.is_sandbox:
            return True
        files = "1 file" if count == 1 else f"{count} files"
        box = live_confirmation(
            self.window, title="Upload to the live account?",
            text=f"Upload {files} to the live account '{profile.name}'?",
            informative="A recording already at the same album and sort number is replaced.",
            action="Upload")
        return confirm(box)

    def _on_profile_changed(self, _profile) -> None:
        self.upload_queue.account_changed()
        self.tabs["recordings"].refresh_default_album()

    def _on_journal_changed(self) -> None:
        self.tabs["history"].refresh()

    def sandbox_status(self) -> str:
        if self.sandbox_error:
            return "Sandbox: did not start"
        if self.sandbox.running:
            return f"Sandbox: running at {self.sandbox.url}"
        return "Sandbox: stopped"

    async def resend(self, entry) -> None:
        profile = self.session.profile
        if entry.profile_id != profile.id:
            self.messages.warning(
                f"This entry was sent with '{entry.profile_name}'. Switch to that profile "
                "to send it again.")
            return
        action = {"sms": "the message", "call": "the call", "tts": "the recording"}[entry.kind]
        try:
            await self.sender.resend(entry)
        except NoKeyError as err:
            self.messages.error(str(err))
        except Exception as err:
            self.messages.error(describe_error(err, profile_name=profile.name, action=action))
            if not hasattr(err, "outcome_unknown"):
                raise  # a bug: the crash dialog shows it
        else:
            self.messages.info(f"Sent again: {action} to {entry.recipient}.")

    def queue_files(self, files: list[Path]) -> None:
        if files:
            self.tabs["recordings"].add_paths(list(files))
            self.window.show_tab("recordings")
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def show_profiles(self, new: bool = False) -> None:
        dialog = ProfilesDialog(session=self.session, secrets=self.secrets,
                                messages=self.messages, parent=self.window)
        if new:
            dialog.start_new_profile()
        dialog.open()
        self._profiles_dialog = dialog

    def show_about(self) -> None:
        dialog = AboutDialog(parent=self.window)
        dialog.open()
        self._about_dialog = dialog

    def show_preferences(self) -> None:
        dialog = PreferencesDialog(queue=self.upload_queue, secrets=self.secrets,
                                   parent=self.window)
        dialog.open()
        self._preferences_dialog = dialog

    def _on_close_requested(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    async def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self.instance_server.close()
        self.qapp.removeEventFilter(self.file_open_filter)
        self.upload_queue.shutdown()
        await self.broadcast_runner.shutdown()
        await self.session.aclose()
        await asyncio.to_thread(self.sandbox.stop)
        self.broadcasts.close()
        self.journal.close()

    # -- self-check ------------------------------------------------------------
    async def self_check(self) -> int:
        """Window open, sandbox answering, one SMS through it: 0, else 1."""
        failures = []
        await asyncio.sleep(0.2)
        if not self.window.isVisible():
            failures.append("the main window did not open")
        if self.sandbox_error or not self.sandbox.running:
            failures.append(f"the embedded sandbox did not start {self.sandbox_error}".strip())
        else:
            try:
                profile = self.session.profile
                number = profile.numbers[0].number
                result = await self.sender.send_sms(from_number=number, to="8451234567",
                                                    body="Voitex Console self-check")
                sent = [m for m in self.sandbox.outbox()["sms"]
                        if m["reference_id"] == result.reference_id]
                if len(sent) != 1:
                    failures.append("the sandbox did not receive the SMS exactly once")
            except Exception as err:
                failures.append(f"sending an SMS through the sandbox failed: {err}")
        for failure in failures:
            print(f"self-check: FAILED: {failure}")
        if not failures:
            print(f"self-check: ok (window open, sandbox at {self.sandbox.url}, one SMS sent)")
        return 1 if failures else 0


def show_startup_problem(text: str, *, interactive: bool) -> None:
    log.error("start-up failed: %s", text)
    print(f"Voitex Console could not start: {text}", file=sys.stderr)
    if interactive:
        box = QMessageBox(QMessageBox.Icon.Critical, "Voitex Console could not start", text)
        box.exec()


def app_icon() -> QIcon:
    icon = QIcon()
    try:
        for path in app_icon_files():
            icon.addFile(str(path))
    except FileNotFoundError:
        log.warning("application icon missing")
    return icon


def _make_qapp() -> QApplication:
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setApplicationName("Voitex Console")
    qapp.setOrganizationName("Voitex Console")
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName("com.voitex.Console")
    qapp.setQuitOnLastWindowClosed(False)
    qapp.setWindowIcon(app_icon())
    return qapp


def run(*, files: list[Path], self_check: bool = False) -> int:
    if self_check and not os.environ.get("VOITEX_CONSOLE_HOME"):
        # The self-check must not leave entries in the user's own history.
        os.environ["VOITEX_CONSOLE_HOME"] = tempfile.mkdtemp(prefix="voitex-self-check-")
    paths = app_paths()
    log_file = configure_logging(paths.log_dir)
    qapp = _make_qapp()
    if not self_check and forward_to_running_instance(instance_name(paths), files):
        print("Voitex Console is already running; the files were added to its upload queue.")
        return 0

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def main() -> int:
        try:
            console = ConsoleApp(qapp, paths=paths, show_dialogs=not self_check)
        except JournalError as err:
            show_startup_problem(str(err), interactive=not self_check)
            return 1
        # Everything built so far lives as long as the window: keep it out of
        # the garbage collector's scans, which otherwise stall the UI for ~25 ms.
        gc.freeze()
        console.crash.install(loop)
        log.info("Voitex Console %s started; log file %s", __version__, log_file)
        console.window.show()
        try:
            await console.session.load_active_key()
        except SecretStoreError as err:
            console.messages.warning(
                f"The key for '{console.session.profile.name}' could not be read: {err}")
        if files:
            console.queue_files(files)
        try:
            if self_check:
                return await console.self_check()
            await console.closed
            return 0
        finally:
            console.window.hide()
            await console.shutdown()

    with loop:
        return loop.run_until_complete(main())
