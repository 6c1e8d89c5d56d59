"""Wire everything together: the running console, built in order (launch.py runs it on a qasync loop).

This is the only module that knows every layer: it builds the stores, the
embedded sandbox, the account session, the tabs and the window, and passes
each piece what it needs. What each piece does lives with the piece: the tabs'
making in app_tabs.py, the menus' dialogs in app_dialogs.py, what start-up says
and does around the first paint in startup_work.py, the live-upload question in
ui/upload_confirm.py, "Send again" in ui/resend_action.py, the Sandbox's states
in ui/sandbox_notices.py.

Start-up is ordered for the first paint: only what the window's frame needs
is imported and built before it shows (no tab, no httpx, no keyring, no
sandbox). Each tab is built on first visit (the current one right after the
first paint), the upload queue with the Recordings tab, and the sandbox is
imported and started after the first paint, only while the Sandbox profile is
active.
"""
from __future__ import annotations

import asyncio
import secrets as pysecrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from console.app_dialogs import AppDialogs
from console.app_tabs import AppTabs, TabsOnDemand
from console.deferred_secrets import DeferredSecretStore
from console.embedded_sandbox import EmbeddedSandbox
from console.jobs.sender import Sender
from console.jobs.session import AccountSession
from console.logging_setup import register_secret
from console.office_wiring import OfficeLink, open_office
from console.startup_work import (
    FirstPaintWork,
    report_damaged_history,
    report_recovered,
    report_resumable,
)
from console.store.broadcasts import BroadcastStore, SqliteBroadcastStore
from console.store.catalogue import Catalogue, CatalogueError
from console.store.journal import Journal, JournalError
from console.store.journal_writer import JournalWriter
from console.store.paths import AppPaths
from console.store.profiles import Profile, ProfileStore
from console.ui.application import app_icon
from console.ui.crash_dialog import CrashHandler
from console.ui.library.source import LibrarySource
from console.ui.main_window import MainWindow
from console.ui.messages import MessageBridge
from console.ui.resend_action import ResendAction
from console.ui.sandbox_notices import SandboxNotices
from console.ui.single_instance import InstanceServer, instance_name
from console.ui.upload_confirm import confirm_live_upload
from console.ui.widgets import Confirm, default_confirm

if TYPE_CHECKING:
    from console.jobs.broadcast_runner import BroadcastRunner
    from console.jobs.upload_queue import UploadQueue
    from console.store.interface import HistoryStore
    from console.store.pg.catalogue import PgCatalogue
    from console.store.pg.journal import PgJournal
    from console.ui.file_open import FileOpenFilter
    from console.ui.history_tab import HistoryTab
    from console.ui.recordings_tab import RecordingsTab

__all__ = ["ConsoleApp", "open_catalogue"]


def open_catalogue(path: Path) -> Catalogue:
    """The Library catalogue; a file that cannot be used stops start-up as History does."""
    try:
        return Catalogue(path)
    except CatalogueError as err:
        raise JournalError(str(err)) from err


class ConsoleApp:
    """Everything the running console is made of, built in dependency order."""

    def __init__(self, qapp: QApplication, *, paths: AppPaths, show_dialogs: bool = True) -> None:
        self.qapp = qapp
        self.paths = paths
        self.owner: QObject = QObject()  # the Qt parent of what the console owns
        loop = asyncio.get_event_loop()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._shut_down = False
        self._upload_queue: UploadQueue | None = None
        self._after_paint: asyncio.Future[None] | None = None
        self.messages = MessageBridge(self.owner)
        self.window: MainWindow  # made last, below
        self.crash = CrashHandler(parent_provider=lambda: getattr(self, "window", None),
                                  show=show_dialogs)

        # Listen first, so a second start during the start-up below hands
        # its files over instead of opening a second console on the same files.
        self.instance_server = InstanceServer(instance_name(paths), self.owner)
        self.secrets = DeferredSecretStore()
        # -- the office database (console/office_wiring.py), else this desk's own file.
        self.office: OfficeLink | None = open_office(paths, self.secrets, messages=self.messages,
                                                     parent=self.owner)
        self.journal: Journal | PgJournal
        self.catalogue: Catalogue | PgCatalogue
        if self.office is None:
            journal = Journal(paths.journal_file)
            recovered = journal.mark_crashed_pending_unknown()
            # In the same file as History, opened after it (so after its repairs);
            # it reads History through a handle of its own, from its own thread.
            self.catalogue = open_catalogue(journal.path)
            self.journal = journal
        else:
            self.journal = self.office.stores.journal
            recovered = 0  # counted by the link once the database answers, before any send
            self.catalogue = self.office.stores.catalogue
            self.office.on_back = self._on_journal_changed
        self.history: HistoryStore = self.journal
        self._catalogue_history = self.history.reopen()

        self.sandbox_key = pysecrets.token_urlsafe(24)
        register_secret(self.sandbox_key)
        # Only the address now; the server is imported and started after the
        # first paint, and only while the Sandbox profile is active.
        self.sandbox_notices = SandboxNotices(self.messages, window=lambda: getattr(self, "window", None),
                                              sandbox=lambda: getattr(self, "sandbox", None))
        self.sandbox = EmbeddedSandbox(data_dir=paths.data_dir / "sandbox",
                                       auth_key=self.sandbox_key,
                                       on_state_changed=self.sandbox_notices.on_state_changed)

        self.profiles = ProfileStore(paths.config_dir / "profiles.json",
                                     notices=self.messages.notices)
        self.session = AccountSession(profiles=self.profiles,
                                      secrets=self.secrets.as_secret_store(),
                                      sandbox_url=self.sandbox.url,
                                      sandbox_key=self.sandbox_key, parent=self.owner)
        self.session.connection_problem.connect(self.messages.warning)  # the start-up check of a live profile

        def journal_changed_elsewhere() -> None:  # the writer thread's news, re-posted to the UI
            loop.call_soon_threadsafe(self._on_journal_changed)

        self.journal_writer = JournalWriter(self.history, on_changed=journal_changed_elsewhere)
        self.sender = Sender(session=self.session, writer=self.journal_writer,
                             on_journal_changed=self._on_journal_changed)
        self.resend = ResendAction(session=self.session, sender=self.sender,
                                   messages=self.messages)
        self.library = LibrarySource(self.catalogue, profile_id=lambda: self.session.profile.id,
                                     parent=self.owner)
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
            local = SqliteBroadcastStore(paths.journal_file)
            local.recover()
            self.broadcasts = local
        else:
            self.broadcasts = self.office.broadcasts
            self.office.wire(journal_changed=self._on_journal_changed,
                             catalogue_changed=self.library.notify_changed,
                             profiles=self.profiles, session=self.session)
        self._broadcast_runner: BroadcastRunner | None = None

        self.dialogs = AppDialogs(self)
        window = MainWindow(session=self.session, messages=self.messages,
                            tabs=AppTabs(self).specs(), config_dir=paths.config_dir,
                            sandbox_status=self.sandbox.status_text,
                            uploads_running=self._uploads_running,
                            broadcasts_running=self._broadcasts_running)
        self.window = window
        window.setWindowIcon(app_icon())
        self.tabs = TabsOnDemand(window)
        if self.office is not None:  # other desks' broadcasts, progress and lists show here
            from console.ui.office_banner import OfficeBanner
            from console.ui.office_views import OfficeViews

            self._office_views = OfficeViews(window, self.office.news, parent=window)
            self.office_banner = OfficeBanner(self.office.settings.where)
            window.add_notice_strip(self.office_banner)
            self.office.reachability_changed.connect(self.office_banner.set_reachable)
        window.close_requested.connect(self.request_close)
        window.manage_profiles_requested.connect(self.dialogs.show_profiles)
        window.add_account_requested.connect(lambda: self.dialogs.show_profiles(new=True))
        window.about_requested.connect(self.dialogs.show_about)
        window.preferences_requested.connect(self.dialogs.show_preferences)
        window.office_database_requested.connect(self.dialogs.show_office_database)
        window.first_painted.connect(self._on_first_painted)
        self.session.profile_changed.connect(self._on_profile_changed)

        self.instance_server.files_received.connect(self.queue_files)
        # Only macOS opens files with an event (Finder's "Open With"); elsewhere
        # they come as arguments. A filter on the application sees every event
        # of every widget, each handed to Python: on the first paint alone that
        # made Python types and enums for some 140 event classes (about 25 ms).
        self.file_open_filter: FileOpenFilter | None = None
        if sys.platform == "darwin":
            from console.ui.file_open import FileOpenFilter

            self.file_open_filter = FileOpenFilter(self.owner)
            self.file_open_filter.files_opened.connect(self.queue_files)
            qapp.installEventFilter(self.file_open_filter)

        report_recovered(self.messages, recovered)
        report_damaged_history(self.messages, self.journal)
        if self.office is None:
            report_resumable(self.messages, self.broadcasts.resumable_runs())
        self._first_paint_work = FirstPaintWork(
            secrets=self.secrets, messages=self.messages, office=self.office,
            session=self.session, sandbox=self.sandbox, window=window,
            journal=self.journal if isinstance(self.journal, Journal) else None,
            upload_queue=lambda: self.upload_queue,
            upload_queue_built=lambda: self._upload_queue is not None)

    # -- what the tabs and dialogs are given ----------------------------------
    def confirm_live_upload(self, count: int, confirm: Confirm = default_confirm, *,
                            replacing: Sequence[str] = ()) -> bool:
        """On a live account, uploading replaces what is at each album and sort;
        `replacing` says what the Library knows is there."""
        return confirm_live_upload(self.window, self.session.profile, count, confirm,
                                   replacing=replacing)

    def recordings_tab(self) -> RecordingsTab:
        """The Recordings tab, built now if it was not yet."""
        from console.ui.recordings_tab import RecordingsTab

        return cast(RecordingsTab, self.window.tab("recordings"))

    def history_tab(self) -> HistoryTab | None:
        """The History tab if it was built; an unbuilt one reads the journal when built."""
        return cast("HistoryTab | None", self.window.built_tab("history"))

    @property
    def upload_queue(self) -> UploadQueue:
        """The upload queue, created on first use (with httpx and the Recordings tab)."""
        if self._upload_queue is None:
            from console.jobs.upload_queue import UploadQueue

            self._upload_queue = UploadQueue(
                client_factory=self.session.client, journal=self.history,
                journal_writer=self.journal_writer,
                store=self.office.stores.uploads if self.office is not None else None,
                state_path=self.paths.data_dir / "upload-queue.json",
                profile=lambda: (self.session.profile.id, self.session.profile.name),
                parent=self.owner)
            self._upload_queue.journal_changed.connect(self._on_journal_changed)
        return self._upload_queue

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
                current_profile_id=lambda: self.session.profile.id, parent=self.owner)
        return self._broadcast_runner

    def _uploads_running(self) -> bool:
        return self._upload_queue is not None and self._upload_queue.has_active_uploads()

    def _broadcasts_running(self) -> bool:
        return self._broadcast_runner is not None and self._broadcast_runner.sending()

    # -- reacting --------------------------------------------------------------
    def _on_first_painted(self) -> None:
        if self.session.profile.is_sandbox:
            self.sandbox.start_soon()
        self._after_paint = asyncio.ensure_future(self.after_first_paint())

    async def after_first_paint(self) -> None:
        """What start-up does once the window is on screen (startup_work.py)."""
        await self._first_paint_work.run()

    def _on_profile_changed(self, profile: Profile) -> None:
        if profile.is_sandbox and self.window.painted:
            self.sandbox.start_soon()
        if self._upload_queue is not None:
            self._upload_queue.account_changed()
        if self.window.built_tab("recordings") is not None:
            self.recordings_tab().refresh_default_album()

    def _on_journal_changed(self) -> None:
        # A confirmed upload or TTS reaches the Library from its History entry.
        self.catalogue.sync_from_history(self._catalogue_history)
        history = self.history_tab()
        if history is not None:
            history.refresh()

    def queue_files(self, files: list[Path]) -> None:
        window = self.window
        if files:
            self.recordings_tab().add_paths(list(files))
            window.show_tab("recordings")
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def request_close(self) -> None:
        """The console stops: `closed` is set (the window was closed, or the probe is done)."""
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
