"""Wire everything together and run the Qt application on a qasync loop.

This is the only module that knows every layer: it builds the stores, the
embedded sandbox, the account session, the tabs and the window, and passes
each piece what it needs.

Start-up is ordered for the first paint: only what the window's frame needs
is imported and built before it shows (no tab, no httpx, no sandbox). Each
tab is built on first visit (the current one right after the first paint),
the upload queue with the Recordings tab, and the sandbox is imported and
started after the first paint, only while the Sandbox profile is active.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets as pysecrets
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QObject  # noqa: E402  (before qasync)
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

import qasync  # noqa: E402

from console import __version__  # noqa: E402
from console.api.errors import ApiError  # noqa: E402
from console.domain.wording import plural  # noqa: E402
from console.embedded_sandbox import EmbeddedSandbox  # noqa: E402
from console.jobs import resend as resend_rules  # noqa: E402
from console.jobs.sender import HistoryUnavailableError, Sender  # noqa: E402
from console.jobs.session import AccountSession, NoKeyError  # noqa: E402
from console.logging_setup import configure_logging, register_secret  # noqa: E402
from console.office_wiring import open_office  # noqa: E402
from console.resources import app_icon_files  # noqa: E402
from console.store.broadcasts import BroadcastStore, SqliteBroadcastStore  # noqa: E402
from console.store.catalogue import Catalogue, CatalogueError, CatalogueStore  # noqa: E402
from console.store.interface import HistoryStore  # noqa: E402
from console.store.journal import Journal, JournalError  # noqa: E402
from console.store.journal_writer import JournalWriter  # noqa: E402
from console.store.paths import AppPaths, app_paths  # noqa: E402
from console.store.profiles import ProfileStore  # noqa: E402
from console.ui.crash_dialog import CrashHandler  # noqa: E402
from console.ui.library.source import LibrarySource  # noqa: E402
from console.ui.main_window import TAB_ORDER, MainWindow  # noqa: E402
from console.ui.messages import Level, MessageBridge  # noqa: E402
from console.ui.single_instance import (  # noqa: E402
    InstanceServer,
    forward_to_running_instance,
    instance_name,
)
from console.ui.tab_interface import TabSpec  # noqa: E402
from console.ui.widgets import default_confirm, live_confirmation  # noqa: E402

if TYPE_CHECKING:
    from console.jobs.broadcast_runner import BroadcastRunner
    from console.jobs.upload_queue import UploadQueue
    from console.store.secrets import SecretStore
    from console.ui.file_open import FileOpenFilter
    from console.ui.history_tab import HistoryTab
    from console.ui.recordings_tab import RecordingsTab

# Set to 1, the console prints "startup-probe: ..." lines (wall-clock time and
# resident memory at the first paint and when the first tab is ready) and
# quits: what bench/startup.py measures.
STARTUP_PROBE_ENV = "VOITEX_CONSOLE_STARTUP_PROBE"

log = logging.getLogger(__name__)


class DeferredSecretStore:
    """The SecretStore, created off the UI thread once the window is up.

    keyring's import and its look at the backends cost about 90 ms and 17 MiB,
    and a locked keyring may block: too much to pay before the first paint.
    Whatever uses the store first creates it (a worker thread at start-up, see
    ConsoleApp.after_first_paint); every attribute is the real store's.
    """

    def __init__(self) -> None:
        self._store: SecretStore | None = None
        self._lock = threading.Lock()

    @property
    def created(self) -> bool:
        return self._store is not None

    def get(self) -> SecretStore:
        with self._lock:
            if self._store is None:
                from console.store.secrets import SecretStore

                self._store = SecretStore.create()
            return self._store

    # The calls that go to a worker thread (asyncio.to_thread(secrets.get_key, ...))
    # are methods here, so that the store is created on that thread too: through
    # __getattr__, looking the method up would create it on the UI thread.
    def get_key(self, profile_id: str) -> str | None:
        return self.get().get_key(profile_id)

    def set_key(self, profile_id: str, key: str) -> None:
        self.get().set_key(profile_id, key)

    def delete_key(self, profile_id: str) -> None:
        self.get().delete_key(profile_id)

    def __getattr__(self, name: str):
        return getattr(self.get(), name)


class TabsOnDemand(Mapping[str, QWidget]):
    """`console.tabs["sms"]`: the tab, built on the spot if it was not yet."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._window.specs:
            raise KeyError(key)
        return self._window.tab(key)

    def __iter__(self) -> Iterator[str]:
        return iter(TAB_ORDER)

    def __len__(self) -> int:
        return len(TAB_ORDER)


def open_catalogue(path: Path) -> Catalogue:
    """The Library catalogue; a file that cannot be used stops start-up as History does."""
    try:
        return Catalogue(path)
    except CatalogueError as err:
        raise JournalError(str(err)) from err


class ConsoleApp(QObject):
    """Everything the running console is made of, built in dependency order."""

    def __init__(self, qapp: QApplication, *, paths: AppPaths, show_dialogs: bool = True) -> None:
        super().__init__()
        self.qapp = qapp
        self.paths = paths
        self.closed = asyncio.get_event_loop().create_future()
        self._shut_down = False
        self._upload_queue: UploadQueue | None = None
        self._after_paint: asyncio.Future | None = None
        self.messages = MessageBridge(self)
        self.crash = CrashHandler(parent_provider=lambda: getattr(self, "window", None),
                                  show=show_dialogs)

        # Listen first, so a second start during the start-up below hands
        # its files over instead of opening a second console on the same files.
        self.instance_server = InstanceServer(instance_name(paths), self)
        self.secrets = DeferredSecretStore()
        # -- the office database (console/office_wiring.py), else this desk's own file.
        self.office = open_office(paths, self.secrets, messages=self.messages, parent=self)
        self.journal: HistoryStore
        self.catalogue: CatalogueStore
        if self.office is None:
            self.journal = Journal(paths.journal_file)
            recovered = self.journal.mark_crashed_pending_unknown()
            # In the same file as History, opened after it (so after its repairs);
            # it reads History through a handle of its own, from its own thread.
            self.catalogue = open_catalogue(self.journal.path)
        else:
            self.journal = self.office.stores.journal
            recovered = 0  # counted by the link once the database answers, before any send
            self.catalogue = self.office.stores.catalogue
            self.office.on_back = self._on_journal_changed
        self._catalogue_history = self.journal.reopen()

        self.sandbox_key = pysecrets.token_urlsafe(24)
        register_secret(self.sandbox_key)
        # Only the address now; the server is imported and started after the
        # first paint, and only while the Sandbox profile is active.
        self.sandbox = EmbeddedSandbox(data_dir=paths.data_dir / "sandbox",
                                       auth_key=self.sandbox_key,
                                       on_state_changed=self._on_sandbox_state_changed)

        self.profiles = ProfileStore(paths.config_dir / "profiles.json",
                                     notices=self.messages.notices)
        self.session = AccountSession(profiles=self.profiles, secrets=self.secrets,
                                      sandbox_url=self.sandbox.url,
                                      sandbox_key=self.sandbox_key, parent=self)
        self.session.connection_problem.connect(self.messages.warning)  # the start-up check of a live profile
        loop = asyncio.get_event_loop()  # the writer thread's news is re-posted to the UI
        self.journal_writer = JournalWriter(
            self.journal, on_changed=lambda: loop.call_soon_threadsafe(self._on_journal_changed))
        self.sender = Sender(session=self.session, writer=self.journal_writer,
                             on_journal_changed=self._on_journal_changed)
        self.library = LibrarySource(self.catalogue, profile_id=lambda: self.session.profile.id,
                                     parent=self)
        self.catalogue.set_on_changed(self.library.notify_changed)
        self.session.profile_changed.connect(lambda _profile: self.library.reload())
        # The first start fills the catalogue from History; later starts catch up
        # on what a crash left unrecorded; after History was repaired, all of it
        # is read again. Off this thread.
        self.catalogue.sync_from_history(self._catalogue_history,
                                         from_start=self.journal.load_warning is not None)

        # Broadcasts live in the History file; rows left "sending" become unknown
        # before anything is sent. The runner (and httpx with it) comes on first use.
        # On an office database they are the office's, seen through a copy in memory
        # (console/store/pg/broadcast_cache.py); what other desks do arrives as news.
        self.broadcasts: BroadcastStore
        if self.office is None:
            self.broadcasts = SqliteBroadcastStore(paths.journal_file)
            self.broadcasts.recover()
        else:
            self.broadcasts = self.office.broadcasts
            self.office.wire(journal_changed=self._on_journal_changed,
                             catalogue_changed=self.library.notify_changed,
                             profiles=self.profiles, session=self.session)
        self._broadcast_runner: BroadcastRunner | None = None

        self.window = MainWindow(session=self.session, messages=self.messages,
                                 tabs=self._tab_specs(), config_dir=paths.config_dir,
                                 sandbox_status=self.sandbox.status_text,
                                 uploads_running=self._uploads_running,
                                 broadcasts_running=self._broadcasts_running)
        self.window.setWindowIcon(app_icon())
        self.tabs = TabsOnDemand(self.window)
        if self.office is not None:  # other desks' broadcasts, progress and lists show here
            from console.ui.office_views import OfficeViews

            self._office_views = OfficeViews(self.window, self.office.news, parent=self.window)
            from console.ui.office_banner import OfficeBanner

            self.office_banner = OfficeBanner(self.office.settings.where)
            self.window.add_notice_strip(self.office_banner)
            self.office.reachability_changed.connect(self.office_banner.set_reachable)
        self.window.close_requested.connect(self._on_close_requested)
        self.window.manage_profiles_requested.connect(self.show_profiles)
        self.window.add_account_requested.connect(lambda: self.show_profiles(new=True))
        self.window.about_requested.connect(self.show_about)
        self.window.preferences_requested.connect(self.show_preferences)
        self.window.office_database_requested.connect(self.show_office_database)
        self.window.first_painted.connect(self._on_first_painted)
        self.session.profile_changed.connect(self._on_profile_changed)

        self.instance_server.files_received.connect(self.queue_files)
        # Only macOS opens files with an event (Finder's "Open With"); elsewhere
        # they come as arguments. A filter on the application sees every event
        # of every widget, each handed to Python: on the first paint alone that
        # made Python types and enums for some 140 event classes (about 25 ms).
        self.file_open_filter: FileOpenFilter | None = None
        if sys.platform == "darwin":
            from console.ui.file_open import FileOpenFilter

            self.file_open_filter = FileOpenFilter(self)
            self.file_open_filter.files_opened.connect(self.queue_files)
            qapp.installEventFilter(self.file_open_filter)

        if recovered:
            self.messages.warning(
                f"{plural(recovered, 'request was', 'requests were')} still running when the "
                "console last closed; the outcome is unknown. Check History before sending again.")
        database = getattr(self.journal, "database", None)  # the SQLite file's, if that is in use
        if database is not None and database.damaged_copy is not None:
            self.messages.notices.damaged_file(
                path=database.path, what="History", problem="SQLite could not read all of it",
                saved=f"{plural(database.rows_saved, 'readable row')}, in a new history file",
                kept_as=database.damaged_copy)
        if self.office is None:
            self._report_resumable(self.broadcasts.resumable_runs())

    def _report_resumable(self, resumable: list) -> None:
        if resumable:
            rows = sum(run.to_send for run in resumable)
            self.messages.warning(
                f"{plural(len(resumable), 'broadcast')} did not finish, with "
                f"{plural(rows, 'row')} still to send: open the Broadcast tab to resume.")

    # -- the tabs, each built on first visit -----------------------------------
    def _tab_specs(self) -> dict[str, TabSpec]:
        return {
            "recordings": TabSpec(build=self._build_recordings),
            "tts": TabSpec(build=self._build_tts, keeps_draft=True),
            "sms": TabSpec(build=self._build_sms, keeps_draft=True),
            "calls": TabSpec(build=self._build_calls, keeps_draft=True),
            "broadcast": TabSpec(build=self._build_broadcast, keeps_draft=True),
            "branch": TabSpec(build=self._build_branch, keeps_draft=True),
            "history": TabSpec(build=self._build_history),
            "library": TabSpec(build=self._build_library),
        }

    def _build_recordings(self) -> QWidget:
        from console.ui.recordings_tab import RecordingsTab

        return RecordingsTab(queue=self.upload_queue,
                             default_album=lambda: self.session.profile.default_album,
                             messages=self.messages, confirm_start=self.confirm_live_upload,
                             library=self.library)

    def _build_tts(self) -> QWidget:
        from console.ui.tts_tab import TtsTab

        return TtsTab(session=self.session, sender=self.sender, messages=self.messages,
                      library=self.library)

    def _build_sms(self) -> QWidget:
        from console.ui.sms_tab import SmsTab

        return SmsTab(session=self.session, sender=self.sender, messages=self.messages,
                      broadcasts=self.broadcasts)

    def _build_calls(self) -> QWidget:
        from console.ui.calls_tab import CallsTab

        return CallsTab(session=self.session, sender=self.sender, messages=self.messages,
                        library=self.library, broadcasts=self.broadcasts)

    def _build_broadcast(self) -> QWidget:
        from console.ui.broadcast_tab import BroadcastTab

        return BroadcastTab(session=self.session, sender=self.sender, store=self.broadcasts,
                            runner=self.broadcast_runner, messages=self.messages,
                            library=self.library, history=self.journal)

    @property
    def broadcast_runner(self) -> BroadcastRunner:
        """The broadcast runner, created on first use (it brings the network stack)."""
        if self._broadcast_runner is None:
            from console.jobs.broadcast_runner import BroadcastRunner, send_broadcast_row
            from console.ui.errors import describe_error

            self._broadcast_runner = BroadcastRunner(
                store=self.broadcasts,
                send_row=lambda run, row: send_broadcast_row(self.sender, run, row),
                describe=lambda err, action: describe_error(
                    err, profile_name=self.session.profile.name, action=action),
                current_profile_id=lambda: self.session.profile.id, parent=self)
        return self._broadcast_runner

    def _build_branch(self) -> QWidget:
        from console.api.branch_endpoint import post_branch_request
        from console.ui.branch_tab import BranchTab

        tab = BranchTab(post_request=post_branch_request, messages=self.messages,
                        library=self.library,
                        settings_path=self.paths.config_dir / "branch-tester.json")
        tab.designer.document_name_changed.connect(self.window.set_document_name)
        return tab

    def _build_history(self) -> QWidget:
        from console.ui.history_tab import HistoryTab

        return HistoryTab(journal=self.journal, profiles_provider=self.session.all_profiles,
                          resend=self.resend, messages=self.messages)

    def _build_library(self) -> QWidget:
        from console.ui.library_tab import LibraryTab

        return LibraryTab(library=self.library, session=self.session, messages=self.messages,
                          use_in_call=self.use_in_call, use_in_design=self.use_in_design,
                          sandbox_listing=self.sandbox_listing)

    def use_in_call(self, entry) -> None:
        """The Library's "Use in a call": Calls, with that recording chosen."""
        calls = self.window.tab("calls")
        calls.use_recording(entry)
        self.window.show_tab("calls")

    def use_in_design(self, entry) -> None:
        """The Library's "Use in a branch design": a play item in the designer."""
        branch = self.window.tab("branch")
        branch.add_library_recording(entry)
        self.window.show_tab("branch")

    async def sandbox_listing(self) -> list[dict]:
        """What the embedded sandbox's library holds (the Sandbox profile's key)."""
        server = await self.sandbox.wait_running()
        return await asyncio.to_thread(server.library)

    def recordings_tab(self) -> RecordingsTab:
        """The Recordings tab, built now if it was not yet."""
        return cast("RecordingsTab", self.window.tab("recordings"))

    def history_tab(self) -> HistoryTab | None:
        """The History tab if it was built; an unbuilt one reads the journal when built."""
        return cast("HistoryTab | None", self.window.built_tab("history"))

    @property
    def upload_queue(self) -> UploadQueue:
        """The upload queue, created on first use (with httpx and the Recordings tab)."""
        if self._upload_queue is None:
            from console.jobs.upload_queue import UploadQueue

            self._upload_queue = UploadQueue(
                client_factory=self.session.client, journal=self.journal,
                journal_writer=self.journal_writer,
                store=self.office.stores.uploads if self.office is not None else None,
                state_path=self.paths.data_dir / "upload-queue.json",
                profile=lambda: (self.session.profile.id, self.session.profile.name),
                parent=self)
            self._upload_queue.journal_changed.connect(self._on_journal_changed)
        return self._upload_queue

    def _uploads_running(self) -> bool:
        return self._upload_queue is not None and self._upload_queue.has_active_uploads()

    def _broadcasts_running(self) -> bool:
        return self._broadcast_runner is not None and self._broadcast_runner.sending()

    # -- wiring helpers ------------------------------------------------------
    def confirm_live_upload(self, count: int, confirm=default_confirm, *,
                            replacing: Sequence[str] = ()) -> bool:
        """On a live account, uploading replaces what is at each album and sort;
        `replacing` says what the Library knows is there."""
        profile = self.session.profile
        if profile.is_sandbox:
            return True
        informative = "A recording already at the same album and sort number is replaced."
        if replacing:
            shown = "\n".join(f"• {text}" for text in replacing[:5])
            more = (f"\n…and {len(replacing) - 5} more." if len(replacing) > 5 else "")
            informative = f"{informative}\n\n{shown}{more}"
        box = live_confirmation(
            self.window, title="Upload to the live account?",
            text=f"Upload {plural(count, 'file')} to the live account '{profile.name}'?",
            informative=informative, action="Upload")
        return confirm(box)

    def _on_first_painted(self) -> None:
        if self.session.profile.is_sandbox:
            self.sandbox.start_soon()
        self._after_paint = asyncio.ensure_future(self.after_first_paint())

    async def after_first_paint(self) -> None:
        """What start-up does once the window is on screen."""
        secrets = await asyncio.to_thread(self.secrets.get)
        if secrets.state != "keyring":
            self.messages.warning(secrets.explanation)
        if self.office is not None:
            self.office.start()
            # The office's rows whose sender stopped answering become "unknown" (never
            # another desk's live ones), then what is left to resume is said once.
            resumable = await self.office.recover_broadcasts()
            if resumable is not None:
                self._report_resumable(resumable)
        if self.session.profile.is_sandbox:  # its state file is read as it starts
            await asyncio.shield(self.sandbox.start_soon())
        await self._report_upload_queue()
        self.window.show_startup_notices()
        # The HTTP client's imports, off the loop's thread, before the first send needs them.
        self.session.warm_up()

    async def _report_upload_queue(self) -> None:
        """Uploads left from last time join the start-up notice, whichever tab
        opens first: an upload that may already be in the library must not wait
        for a visit to Recordings to be mentioned."""
        if self._upload_queue is None and not await asyncio.to_thread(self._queue_has_rows):
            return
        from console.jobs.uploads.status import Status

        queue = self.upload_queue
        if queue.load_warning:
            self.messages.warning(f"Upload queue: {queue.load_warning}")
        if queue.load_notice:
            self.messages.post(Level.WARNING if queue.counts().get(Status.UNSURE) else Level.INFO,
                               f"Upload queue: {queue.load_notice}")

    def _queue_has_rows(self) -> bool:
        if self.office is not None:
            return self.office.stores.uploads.has_rows()
        try:
            with self.journal.database.lock:
                found = self.journal.database.connection.execute(
                    "SELECT EXISTS (SELECT 1 FROM upload_rows)").fetchone()
        except sqlite3.Error:
            return True  # let the queue itself open and say what is wrong
        return bool(found and found[0])

    def _on_profile_changed(self, profile) -> None:
        if profile.is_sandbox and self.window.painted:
            self.sandbox.start_soon()
        if self._upload_queue is not None:
            self._upload_queue.account_changed()
        recordings = self.window.built_tab("recordings")
        if recordings is not None:
            cast("RecordingsTab", recordings).refresh_default_album()

    def _on_journal_changed(self) -> None:
        # A confirmed upload or TTS reaches the Library from its History entry.
        self.catalogue.sync_from_history(self._catalogue_history)
        history = self.history_tab()
        if history is not None:
            history.refresh()

    def _on_sandbox_state_changed(self, state: str) -> None:
        window = getattr(self, "window", None)
        if window is not None:
            window.refresh_sandbox_status()
        server = getattr(getattr(self, "sandbox", None), "server", None)
        if state == "running" and server is not None and server.damage is not None:
            self.messages.notices.add(server.damage)
        if state == "failed":
            sandbox = getattr(self, "sandbox", None)  # None: it failed while being made
            error = sandbox.error if sandbox is not None else "no local port could be opened"
            self.messages.error(
                f"The practice server (Sandbox) did not start: {error}. "
                "Live accounts still work; restart Voitex Console to try the Sandbox again.")

    async def resend(self, entry) -> None:
        profile = self.session.profile
        verdict = resend_rules.resend_verdict(entry, active_profile_id=profile.id)
        if not verdict.allowed:
            self.messages.warning(verdict.reason)
            return
        action = resend_rules.action_label(entry.kind)
        try:
            await self.sender.resend(entry)
        except (NoKeyError, HistoryUnavailableError) as err:
            self.messages.error(str(err))
        except Exception as err:
            from console.ui.errors import describe_error

            self.messages.error(describe_error(err, profile_name=profile.name, action=action))
            if not isinstance(err, ApiError):
                raise  # a bug: the crash dialog shows it
        else:
            self.messages.info(resend_rules.sent_again_text(entry))

    def queue_files(self, files: list[Path]) -> None:
        if files:
            self.recordings_tab().add_paths(list(files))
            self.window.show_tab("recordings")
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def show_profiles(self, new: bool = False) -> None:
        from console.ui.profiles_dialog import ProfilesDialog

        dialog = ProfilesDialog(session=self.session, secrets=self.secrets,
                                messages=self.messages, parent=self.window)
        if new:
            dialog.start_new_profile()
        dialog.open()
        self._profiles_dialog = dialog

    def show_about(self) -> None:
        from console.ui.dialogs import AboutDialog

        dialog = AboutDialog(parent=self.window)
        dialog.open()
        self._about_dialog = dialog

    def show_preferences(self) -> None:
        from console.ui.dialogs import PreferencesDialog

        dialog = PreferencesDialog(queue=self.upload_queue, secrets=self.secrets,
                                   parent=self.window)
        dialog.open()
        self._preferences_dialog = dialog

    def show_office_database(self) -> None:
        from console.ui.office_database import OfficeDatabaseDialog

        dialog = OfficeDatabaseDialog(
            config_dir=self.paths.config_dir, secrets=self.secrets,
            sqlite_path=self.paths.journal_file, messages=self.messages, parent=self.window,
            in_use=self.office.settings if self.office is not None else None)
        dialog.open()
        self._office_dialog = dialog

    def _on_close_requested(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    async def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        if self._after_paint is not None:
            await asyncio.gather(self._after_paint, return_exceptions=True)
        self.instance_server.close()
        if self.file_open_filter is not None:
            self.qapp.removeEventFilter(self.file_open_filter)
        if self._upload_queue is not None:
            self._upload_queue.shutdown()
        if self._broadcast_runner is not None:
            await self._broadcast_runner.shutdown()
        await self.session.aclose()
        await self.sandbox.stop()
        self.broadcasts.close()
        await asyncio.to_thread(self.journal_writer.close)  # unwritten outcomes are kept
        await asyncio.to_thread(self.catalogue.close)  # lets its last writes land
        self._catalogue_history.close()
        self.journal.close()
        if self.office is not None:
            await self.office.aclose()


def resident_memory_kib() -> int:
    """This process's resident set size now (Linux), else its peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def startup_probe_line(event: str) -> str:
    return f"startup-probe: {event} wall={time.time():.6f} rss_kib={resident_memory_kib()}"


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


def run(*, files: list[Path], self_check: bool = False, start_upload: bool = False) -> int:
    if self_check and not os.environ.get("VOITEX_CONSOLE_HOME"):
        # The self-check must not leave entries in the user's own history.
        import tempfile

        os.environ["VOITEX_CONSOLE_HOME"] = tempfile.mkdtemp(prefix="voitex-self-check-")
    paths = app_paths()
    log_file = configure_logging(paths.log_dir)
    qapp = _make_qapp()
    if not self_check and forward_to_running_instance(instance_name(paths), files):
        print("Voitex Console is already running; the files were added to its upload queue.")
        return 0

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    probe = os.environ.get(STARTUP_PROBE_ENV) == "1"

    async def main() -> int:
        try:
            console = ConsoleApp(qapp, paths=paths, show_dialogs=not self_check)
        except JournalError as err:
            show_startup_problem(str(err), interactive=not self_check)
            return 1
        console.crash.install(loop)
        log.info("Voitex Console %s started; log file %s", __version__, log_file)

        def on_first_painted() -> None:
            if probe:
                print(startup_probe_line("first-paint"), flush=True)

        def on_current_tab_ready(_key: str) -> None:
            # What lives as long as the window is built by now: keep it out of
            # the garbage collector's scans, which otherwise stall the UI.
            gc.freeze()
            if probe:
                print(startup_probe_line("tab-ready"), flush=True)
                console._on_close_requested()

        def on_tab_built(_key: str) -> None:
            # A tab built on a later visit lives as long as the window too: out of
            # the collector's scans with it (a full collection over a built
            # History or Recordings tab stalled scrolling for 15-20 ms).
            if console.window.painted:
                gc.freeze()

        console.window.first_painted.connect(on_first_painted)
        console.window.current_tab_ready.connect(on_current_tab_ready)
        console.window.tab_built.connect(on_tab_built)
        console.window.show()
        try:
            await console.session.load_active_key()
            console.session.check_soon()  # the way to a live account, tried in the background
        except Exception as err:
            from console.store.secrets import SecretStoreError

            if not isinstance(err, SecretStoreError):
                raise
            console.messages.warning(
                f"The key for '{console.session.profile.name}' could not be read: {err}")
        if files:
            console.queue_files(files)
        if start_upload:
            # Unattended: only where nothing reaches a customer (no live confirmation to skip).
            if console.session.profile.is_sandbox:
                console.upload_queue.start_when_read()
            else:
                console.messages.warning("--upload works only with the Sandbox profile; "
                                         "press Upload to send to a live account.")
        try:
            if self_check:
                from console.self_check import run_self_check

                return await run_self_check(console)
            await console.closed
            return 0
        finally:
            console.window.hide()
            await console.shutdown()

    with loop:
        return loop.run_until_complete(main())
