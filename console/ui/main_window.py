"""The main window: banner, tabs, menus and status bar."""
from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QLabel, QMainWindow,
                               QMessageBox, QScrollArea, QTabWidget, QTextBrowser, QVBoxLayout,
                               QWidget)

from console.jobs.session import AccountSession
from console.store.files import atomic_write
from console.ui.banner import ProfileBanner
from console.ui.messages import MessageBridge
from console.ui.widgets import Confirm, default_confirm

log = logging.getLogger(__name__)

TAB_ORDER = ("recordings", "tts", "sms", "calls", "broadcast", "branch", "history")
# No Alt+letter on the tabs: the tabs' own fields need those letters. Alt+1…7
# switch tabs instead (see _build_tab_shortcuts).
TAB_TITLES = {
    "recordings": "Recordings",
    "tts": "Text to speech",
    "sms": "SMS",
    "calls": "Calls",
    "broadcast": "Broadcast",
    "branch": "Branch designer",
    "history": "History",
}


class MainWindow(QMainWindow):
    close_requested = Signal()
    manage_profiles_requested = Signal()
    add_account_requested = Signal()
    preferences_requested = Signal()
    about_requested = Signal()

    def __init__(self, *, session: AccountSession, messages: MessageBridge,
                 tabs: dict[str, QWidget], config_dir: Path,
                 sandbox_status: Callable[[], str],
                 confirm_close: Confirm | None = None,
                 api_reference: Callable[[], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.messages = messages
        self.tabs = tabs
        self.config_dir = Path(config_dir)
        self._sandbox_status = sandbox_status
        self._confirm_close = confirm_close or default_confirm
        self._api_reference = api_reference
        self._closing_allowed = False
        self._switching: set[asyncio.Future] = set()
        self.setWindowTitle("Voitex Console")

        self.banner = ProfileBanner()
        self.tab_widget = QTabWidget()
        self.tab_widget.setAccessibleName("Sections")
        self.tab_widget.setDocumentMode(True)
        for key in TAB_ORDER:
            # A scroll area lets the window shrink below a tab's minimum size
            # (a 1024-pixel-wide laptop screen) instead of growing off screen.
            scroll = QScrollArea()
            scroll.setWidget(tabs[key])
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.tab_widget.addTab(scroll, TAB_TITLES[key])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tab_widget, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self._build_tab_shortcuts()
        session.profile_changed.connect(self._on_profile_changed)
        session.in_flight_changed.connect(self._on_in_flight_changed)
        messages.posted.connect(self._on_message_posted)
        self._on_profile_changed(session.profile)
        self._on_in_flight_changed(session.in_flight)

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(2000)
        self._status_timer.timeout.connect(self._refresh_sandbox_status)
        self._status_timer.start()
        self._refresh_sandbox_status()
        self.restore_state()

    # -- building ------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.profile_status = QLabel()
        self.profile_status.setAccessibleName("Active profile")
        self.in_flight_status = QLabel()
        self.in_flight_status.setAccessibleName("Requests in flight")
        self.sandbox_status = QLabel()
        self.sandbox_status.setAccessibleName("Sandbox state")
        for widget in (self.profile_status, self.in_flight_status, self.sandbox_status):
            bar.addPermanentWidget(widget)

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
        file_menu.addSeparator()
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)

        self.profile_menu = menu.addMenu("&Profile")
        self.profile_group = QActionGroup(self)
        self.profile_group.setExclusive(True)
        self.profile_menu.aboutToShow.connect(self._fill_profile_menu)
        self._fill_profile_menu()

        help_menu = menu.addMenu("&Help")
        reference = help_menu.addAction("Voitex &API reference")
        reference.setShortcut(QKeySequence.StandardKey.HelpContents)
        reference.triggered.connect(self.show_api_reference)
        about = help_menu.addAction("&About Voitex Console")
        about.triggered.connect(self.about_requested)

    def _fill_profile_menu(self) -> None:
        self.profile_menu.clear()
        for action in self.profile_group.actions():
            self.profile_group.removeAction(action)
            action.deleteLater()
        active = self.session.profile.id
        for index, profile in enumerate(self.session.all_profiles()):
            label = profile.name + ("  (practice)" if profile.is_sandbox else "  (live)")
            action = QAction(label, self.profile_group)
            action.setCheckable(True)
            action.setChecked(profile.id == active)
            action.setData(profile.id)
            if index < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(
                lambda _checked=False, pid=profile.id: self.switch_profile(pid))
            self.profile_menu.addAction(action)
        self.profile_menu.addSeparator()
        add = self.profile_menu.addAction("&Add live account…")
        add.triggered.connect(self.add_account_requested)
        manage = self.profile_menu.addAction("&Manage profiles…")
        manage.triggered.connect(self.manage_profiles_requested)

    # -- reacting ------------------------------------------------------------
    def switch_profile(self, profile_id: str) -> asyncio.Future:
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

    def _on_profile_changed(self, profile) -> None:
        self.banner.show_profile(profile, has_key=self.session.has_key(profile))
        self._fill_profile_menu()
        kind = "practice" if profile.is_sandbox else "LIVE account"
        self.profile_status.setText(f"Profile: {profile.name} ({kind})")
        # The embedded server's address only matters while working on it.
        self.sandbox_status.setVisible(profile.is_sandbox)
        self.setWindowTitle(f"Voitex Console — {profile.name}"
                            + ("" if profile.is_sandbox else " (LIVE)"))

    def _on_in_flight_changed(self, count: int) -> None:
        if count == 0:
            self.in_flight_status.setText("No requests running")
        elif count == 1:
            self.in_flight_status.setText("1 request running")
        else:
            self.in_flight_status.setText(f"{count} requests running")

    def _on_message_posted(self, level: str, text: str) -> None:
        self.statusBar().showMessage(text, 15000 if level != "info" else 8000)

    def _refresh_sandbox_status(self) -> None:
        self.sandbox_status.setText(self._sandbox_status())

    def show_tab(self, key: str) -> None:
        self.tab_widget.setCurrentIndex(TAB_ORDER.index(key))

    def current_tab_key(self) -> str:
        return TAB_ORDER[self.tab_widget.currentIndex()]

    def show_api_reference(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Voitex API reference")
        browser = QTextBrowser()
        browser.setAccessibleName("Voitex API reference")
        browser.setPlainText(self._api_reference() if self._api_reference else "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        dialog.resize(760, 600)
        dialog.open()
        self._reference_dialog = dialog

    # -- state: window geometry, last tab, drafts ------------------------------
    def _settings(self) -> QSettings:
        return QSettings(str(self.config_dir / "window.ini"), QSettings.Format.IniFormat)

    def _drafts_path(self) -> Path:
        return self.config_dir / "drafts.json"

    def restore_state(self) -> None:
        settings = self._settings()
        geometry = settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 760)
        state = settings.value("windowState")
        if state is not None:
            self.restoreState(state)
        last = settings.value("lastTab")
        if last in self.tabs:
            self.show_tab(last)
        try:
            drafts = json.loads(self._drafts_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            drafts = {}
        for key, tab in self.tabs.items():
            if key in drafts and hasattr(tab, "restore_draft"):
                tab.restore_draft(drafts[key])

    def save_state(self) -> None:
        settings = self._settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("windowState", self.saveState())
        settings.setValue("lastTab", self.current_tab_key())
        settings.sync()
        drafts = {key: tab.draft() for key, tab in self.tabs.items() if hasattr(tab, "draft")}
        try:
            with atomic_write(self._drafts_path(), "w", encoding="utf-8") as handle:
                json.dump(drafts, handle, indent=1)
        except OSError as err:  # a full disk must not stop the window from closing
            log.warning("the drafts could not be saved: %s", err)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_allowed:
            recordings = self.tabs.get("recordings")
            uploading = recordings is not None and recordings.has_active_uploads()
            sending = self.session.in_flight > 0
            if uploading or sending:
                box = QMessageBox(self)
                box.setIcon(QMessageBox.Icon.Question)
                if sending:
                    box.setWindowTitle("A request is on its way")
                    box.setText("A message, call or recording is being sent. Quit anyway?")
                    box.setInformativeText("If you quit now, its outcome is unknown: check "
                                           "History before sending it again.")
                else:
                    box.setWindowTitle("Uploads are running")
                    box.setText("Uploads are still running. Quit anyway?")
                    box.setInformativeText("The unfinished files stay in the queue and you "
                                           "can upload them next time.")
                quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.AcceptRole)
                quit_button.setAccessibleName("Quit")
                box.addButton(QMessageBox.StandardButton.Cancel)
                box.setDefaultButton(QMessageBox.StandardButton.Cancel)
                if not self._confirm_close(box):
                    event.ignore()
                    return
        self.save_state()
        self._status_timer.stop()
        event.accept()
        self.close_requested.emit()
