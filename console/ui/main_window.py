"""The main window: banner, tabs, menus and status bar."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.jobs.session import AccountSession
from console.store.profiles import Profile
from console.ui.banner import ProfileBanner
from console.ui.close_guard import close_question
from console.ui.first_paint import FirstPaintWatcher
from console.ui.messages import MessageBridge
from console.ui.notices import StartupNoticesDialog, show_startup_notices
from console.ui.profile_menu import ProfileMenu
from console.ui.saved_state import (
    SavedDrafts,
    WindowSettings,
    read_window_settings,
    write_window_settings,
)
from console.ui.tab_interface import DraftTab, TabSpec, check_capabilities
from console.ui.widgets import Confirm, default_confirm
from console.ui.window_geometry import initial_geometry, primary_available_geometry
from console.ui.window_status import WindowStatus

if TYPE_CHECKING:  # the help window is loaded when first opened, not before the first paint
    from console.ui.help_window import HelpWindow

log = logging.getLogger(__name__)

TAB_ORDER = ("recordings", "tts", "sms", "calls", "broadcast", "branch", "history",
             "library")
# No Alt+letter on the tabs: the tabs' own fields need those letters. Alt+1…8
# switch tabs instead (see _build_tab_shortcuts).
TAB_TITLES = {
    "recordings": "Recordings",
    "tts": "Text to speech",
    "sms": "SMS",
    "calls": "Calls",
    "broadcast": "Broadcast",
    "branch": "Branch designer",
    "history": "History",
    "library": "Library",
}

FIRST_PAINT_FALLBACK_MS = 1500


class MainWindow(QMainWindow):
    """The window; its tabs are built on first visit from their `TabSpec`.

    Until the window is first painted no tab is built: each page holds a
    placeholder. Right after the first paint the current tab is built
    (`current_tab_ready`), the others when first shown or asked for with
    `tab(key)`.
    """

    close_requested = Signal()
    manage_profiles_requested = Signal()
    add_account_requested = Signal()
    preferences_requested = Signal()
    office_database_requested = Signal()
    about_requested = Signal()
    first_painted = Signal()
    current_tab_ready = Signal(str)
    tab_built = Signal(str)  # the app freezes what the new tab made out of the GC's scans

    def __init__(self, *, session: AccountSession, messages: MessageBridge,
                 tabs: Mapping[str, TabSpec], config_dir: Path,
                 sandbox_status: Callable[[], str],
                 uploads_running: Callable[[], bool] = lambda: False,
                 broadcasts_running: Callable[[], bool] = lambda: False,
                 confirm_close: Confirm | None = None,
                 available_geometry: Callable[[], QRect] = primary_available_geometry,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.messages = messages
        missing = set(TAB_ORDER) - set(tabs)
        if missing:
            raise ValueError(f"no spec for the tabs {sorted(missing)}")
        self.specs: dict[str, TabSpec] = dict(tabs)
        self.tabs: dict[str, QWidget] = {}  # the tabs built so far
        self._pages: dict[str, QScrollArea] = {}
        self._saved_drafts: dict[str, Any] = {}
        self._painted = False
        self._uploads_running = uploads_running
        self._broadcasts_running = broadcasts_running
        self._available_geometry = available_geometry
        self.config_dir = Path(config_dir)
        self._sandbox_status = sandbox_status
        self._confirm_close = confirm_close or default_confirm
        self._closing_allowed = False
        self._switching: set[asyncio.Future[None]] = set()
        self._document_name = ""
        self.setWindowTitle("Voitex Console")

        self.banner = ProfileBanner()
        self.tab_widget = QTabWidget()
        self.tab_widget.setAccessibleName("Sections")
        self.tab_widget.setDocumentMode(True)
        for key in TAB_ORDER:
            # A scroll area lets the window shrink below a tab's minimum size
            # (a 1024-pixel-wide laptop screen) instead of growing off screen.
            scroll = QScrollArea()
            placeholder = QLabel(f"Opening {TAB_TITLES[key]}…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            scroll.setWidget(placeholder)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            self._pages[key] = scroll
            self.tab_widget.addTab(scroll, TAB_TITLES[key])
        self.tab_widget.currentChanged.connect(self._on_current_tab_changed)
        central = QWidget()
        layout = self._central_layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tab_widget, 1)
        self.setCentralWidget(central)
        self.tab_widget.currentChanged.connect(self._update_title)

        self.status = WindowStatus(self.statusBar(), self)
        self.message_label = self.status.message_label
        self.message_log_button = self.status.message_log_button
        self.profile_status = self.status.profile_status
        self.in_flight_status = self.status.in_flight_status
        self.sandbox_status = self.status.sandbox_status
        self._build_menus()
        self._build_tab_shortcuts()
        session.profile_changed.connect(self._on_profile_changed)
        session.in_flight_changed.connect(self._on_in_flight_changed)
        messages.posted.connect(self.status.post)
        self._on_profile_changed(session.profile)
        self._on_in_flight_changed(session.in_flight)

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(2000)
        self._status_timer.timeout.connect(self._refresh_sandbox_status)
        self._status_timer.start()
        self._refresh_sandbox_status()
        self._first_paint_watcher = FirstPaintWatcher(self._on_first_paint, self)
        self._first_paint_fallback = QTimer(self)
        self._first_paint_fallback.setSingleShot(True)
        self._first_paint_fallback.timeout.connect(self._on_first_paint)
        self.startup_notices: StartupNoticesDialog | None = None
        self.restore_state()
        self.keep_on_screen()

    def add_notice_strip(self, strip: QWidget) -> None:
        """A strip under the account banner (the office database's, say)."""
        self._central_layout.insertWidget(self._central_layout.indexOf(self.banner) + 1, strip)

    # -- tabs, built on first visit ------------------------------------------
    def tab(self, key: str) -> QWidget:
        """The tab `key`, built now if it was not yet (files for Recordings, a test)."""
        built = self.tabs.get(key)
        if built is not None:
            return built
        spec = self.specs[key]
        widget = spec.build()
        check_capabilities(key, spec, widget)
        page = self._pages[key]
        page.setWidget(widget)  # the placeholder goes
        self.tabs[key] = widget
        if spec.keeps_draft and key in self._saved_drafts:
            self._drafts_file.restore(key, cast(DraftTab, widget), self._saved_drafts[key])
        self.tab_built.emit(key)
        return widget

    def built_tab(self, key: str) -> QWidget | None:
        """The tab `key` if it has been built, else None (nothing to refresh)."""
        return self.tabs.get(key)

    def drafts(self) -> dict[str, Any]:
        """Every tab's draft: the built tabs' current ones, the others' saved ones."""
        drafts = dict(self._saved_drafts)
        for key, widget in self.tabs.items():
            if self.specs[key].keeps_draft:
                drafts[key] = cast(DraftTab, widget).draft()
        return drafts

    def _on_current_tab_changed(self, index: int) -> None:
        if self._painted and 0 <= index < len(TAB_ORDER):
            self.tab(TAB_ORDER[index])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if not self._painted and handle is not None:
            handle.installEventFilter(self._first_paint_watcher)
        if not self._painted:
            # A platform that never reports the window exposed (started
            # minimised, some remote desktops) must still get its tabs.
            self._first_paint_fallback.start(FIRST_PAINT_FALLBACK_MS)

    def _on_first_paint(self) -> None:
        self._first_paint_fallback.stop()
        if self._painted:
            return
        self._painted = True
        self.first_painted.emit()
        key = self.current_tab_key()
        self.tab(key)
        self.current_tab_ready.emit(key)

    @property
    def painted(self) -> bool:
        return self._painted

    def keep_on_screen(self) -> None:
        """A size saved on a larger screen shrinks to fit this one."""
        available = self._available_geometry()
        limit = initial_geometry(available, preferred=QSize(available.width(),
                                                            available.height()))
        if self.width() > limit.width() or self.height() > limit.height():
            self.resize(self.size().boundedTo(limit.size()))
            self.move(limit.topLeft())

    def fit_to_screen(self) -> None:
        """The first window's size and place: see initial_geometry()."""
        geometry = initial_geometry(self._available_geometry())
        self.resize(geometry.size())
        self.move(geometry.topLeft())

    # -- building ------------------------------------------------------------
    def _build_tab_shortcuts(self) -> None:
        for index, key in enumerate(TAB_ORDER):
            shortcut = QShortcut(QKeySequence(f"Alt+{index + 1}"), self)
            shortcut.activated.connect(lambda k=key: self.show_tab(k))
            self.tab_widget.setTabToolTip(index, f"{TAB_TITLES[key]} (Alt+{index + 1})")

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.preferences_action = file_menu.addAction("&Preferences…")
        self.preferences_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.preferences_action.triggered.connect(self.preferences_requested)
        self.office_database_action = file_menu.addAction("Office &database…")
        self.office_database_action.triggered.connect(self.office_database_requested)
        file_menu.addSeparator()
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)

        self.profile_menu = menu.addMenu("&Profile")
        self._profile_menu = ProfileMenu(
            self.profile_menu, self.session, switch=self.switch_profile,
            add_account=self.add_account_requested.emit, manage=self.manage_profiles_requested.emit)
        self.profile_group = self._profile_menu.group

        help_menu = menu.addMenu("&Help")
        self.guide_action = help_menu.addAction("&User guide")
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        self.guide_action.triggered.connect(self.show_user_guide)
        reference = help_menu.addAction("Voitex &API reference")
        reference.triggered.connect(self.show_api_reference)
        about = help_menu.addAction("&About Voitex Console")
        about.triggered.connect(self.about_requested)

    def _fill_profile_menu(self) -> None:
        self._profile_menu.fill()

    # -- reacting ------------------------------------------------------------
    def switch_profile(self, profile_id: str) -> asyncio.Future[None]:
        """Make `profile_id` the active profile (the Profile menu, Ctrl+1…9)."""
        task = asyncio.ensure_future(self._switch_profile(profile_id))
        self._switching.add(task)
        task.add_done_callback(self._switching.discard)
        return task

    async def _switch_profile(self, profile_id: str) -> None:
        try:
            await self.session.activate(profile_id)
        except Exception as err:  # a failing keyring, a profile deleted meanwhile
            self.messages.error(f"Could not switch profile: {err}")
            self._fill_profile_menu()  # put the check mark back where it belongs
            return
        profile = self.session.profile
        if not self.session.has_key(profile):
            self.messages.warning(
                f"'{profile.name}' has no account key on this computer yet: "
                "add it in Profile ▸ Manage profiles.")
        else:
            self.messages.info(f"Now working on '{profile.name}'.")

    def _on_profile_changed(self, profile: Profile) -> None:
        self.banner.show_profile(profile, has_key=self.session.has_key(profile))
        self._fill_profile_menu()
        kind = "practice" if profile.is_sandbox else "LIVE account"
        self.profile_status.setText(f"Profile: {profile.name} ({kind})")
        # The embedded server's address only matters while working on it.
        self.sandbox_status.setVisible(profile.is_sandbox)
        self._update_title()

    def set_document_name(self, name: str) -> None:
        """The open branch design's name: in the title while the Branch tab is shown."""
        self._document_name = name
        self._update_title()

    def _update_title(self, *_args: object) -> None:
        profile = self.session.profile
        title = f"Voitex Console — {profile.name}" + ("" if profile.is_sandbox else " (LIVE)")
        if self._document_name and self.current_tab_key() == "branch":
            title = f"{self._document_name} — {title}"
        self.setWindowTitle(title)

    def _on_in_flight_changed(self, count: int) -> None:
        self.status.set_in_flight(count)

    @property
    def message_log(self) -> list[tuple[float, str, str]]:
        """Every message shown since start, as (time, level, text)."""
        return self.status.log.entries

    @property
    def _message_log_dialog(self) -> QDialog | None:
        return self.status.log_dialog

    def status_message(self) -> str:
        """The whole of the message the status bar shows (shortened or not)."""
        return self.message_label.full_text()

    def message_log_text(self) -> str:
        return self.status.log.text()

    def show_message_log(self) -> QDialog:
        return self.status.show_message_log()

    def _refresh_sandbox_status(self) -> None:
        self.sandbox_status.setText(self._sandbox_status())

    def refresh_sandbox_status(self) -> None:
        """The sandbox's state changed (starting, running, failed)."""
        self._refresh_sandbox_status()

    def show_tab(self, key: str) -> None:
        self.tab_widget.setCurrentIndex(TAB_ORDER.index(key))

    def current_tab_key(self) -> str:
        return TAB_ORDER[self.tab_widget.currentIndex()]

    def show_user_guide(self) -> HelpWindow:
        """The guide, open at the page about the tab in front."""
        from console.ui.help_window import PAGE_FOR_TAB, START_PAGE, show_help

        return show_help(self, PAGE_FOR_TAB.get(self.current_tab_key(), START_PAGE))

    def show_api_reference(self) -> HelpWindow:
        from console.ui.help_window import REFERENCE_KEY, show_help

        return show_help(self, REFERENCE_KEY)

    # -- state: window geometry, last tab, drafts ------------------------------
    def restore_state(self) -> None:
        saved = read_window_settings(self.config_dir / "window.ini", self.messages.notices)
        if saved.geometry is None or not self.restoreGeometry(saved.geometry):
            self.fit_to_screen()
        if saved.window_state is not None:
            self.restoreState(saved.window_state)
        if saved.last_tab in self.specs:
            self.show_tab(saved.last_tab)
        # Applied as each tab is built (tab()); kept for tabs never opened.
        self._drafts_file = SavedDrafts(self.config_dir / "drafts.json", self.messages.notices)
        self._saved_drafts = self._drafts_file.load()

    def save_state(self) -> None:
        write_window_settings(self.config_dir / "window.ini", WindowSettings(
            geometry=self.saveGeometry(), window_state=self.saveState(),
            last_tab=self.current_tab_key()))
        self._drafts_file.save(self.drafts())

    def show_startup_notices(self) -> StartupNoticesDialog | None:
        """Once, when start-up is over: every damaged file and start-up message."""
        self.startup_notices = show_startup_notices(self, self.messages) or self.startup_notices
        return self.startup_notices

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_allowed:
            box = close_question(self, uploading=self._uploads_running(),
                                 sending=self.session.in_flight > 0,
                                 broadcasting=self._broadcasts_running())
            if box is not None and not self._confirm_close(box):
                event.ignore()
                return
        self.save_state()
        self._status_timer.stop()
        event.accept()
        self.close_requested.emit()
