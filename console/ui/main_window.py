"""The main window: banner, tabs, menus and status bar."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.jobs.session import AccountSession
from console.ui.banner import ProfileBanner
from console.ui.messages import MessageBridge
from console.ui.notices import StartupNoticesDialog, show_startup_notices
from console.ui.saved_state import SavedDrafts, read_window_settings
from console.ui.tab_interface import DraftTab, TabSpec, check_capabilities
from console.ui.widgets import Confirm, default_confirm

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

# The window's first size, when nothing was saved: roomy on a common screen,
# and never more than the screen has room for (a 1024x700 laptop).
PREFERRED_SIZE = QSize(1100, 760)
# resize() sets the inside of the window; the title bar and frame come on top.
SCREEN_MARGIN = QSize(40, 72)
MESSAGE_LOG_LIMIT = 500
FIRST_PAINT_FALLBACK_MS = 1500
LEVEL_WORDS = {"info": "Info", "warning": "Warning", "error": "Error"}


def initial_geometry(available: QRect, preferred: QSize = PREFERRED_SIZE,
                     margin: QSize = SCREEN_MARGIN) -> QRect:
    """Where the first window goes: `preferred`, shrunk to fit `available`, centred."""
    width = max(1, min(preferred.width(), available.width() - margin.width()))
    height = max(1, min(preferred.height(), available.height() - margin.height()))
    left = available.x() + max(0, (available.width() - width) // 2)
    top = available.y() + max(0, (available.height() - height - margin.height()) // 2)
    return QRect(left, top, width, height)


def primary_available_geometry() -> QRect:
    screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 700)


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" at a word boundary
    and shows the whole of it as a tooltip (the status bar's messages)."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def full_text(self) -> str:
        return self._full_text

    def set_full_text(self, text: str) -> None:
        self._full_text = text
        self.setAccessibleDescription(text)
        self._elide()

    def is_elided(self) -> bool:
        return self.text() != self._full_text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._full_text:
            self.clicked.emit()

    def _elide(self) -> None:
        shown = elide_words(self._full_text, self.width(), self.fontMetrics().horizontalAdvance)
        super().setText(shown)
        self.setToolTip(self._full_text + "\n\n(Click to see all messages.)"
                        if shown != self._full_text else "")


def elide_words(text: str, width: int, measure: Callable[[str], int]) -> str:
    """`text` if it fits in `width`, else as many whole words as fit, then "…"."""
    if measure(text) <= width:
        return text
    words = text.split(" ")
    shown = "…"
    for count in range(1, len(words) + 1):
        candidate = " ".join(words[:count]).rstrip(" ,;:.") + "…"
        if measure(candidate) > width:
            break
        shown = candidate
    if shown == "…":
        # Not even one word fits: cut the first word so something shows.
        first = words[0]
        while first and measure(first + "…") > width:
            first = first[:-1]
        shown = first + "…"
    return shown


class _FirstPaintWatcher(QObject):
    """Tells the window when its native window was first exposed (painted)."""

    def __init__(self, callback: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._done and event.type() == QEvent.Type.Expose
                and getattr(watched, "isExposed", lambda: True)()):
            self._done = True
            # Qt paints the widgets while it handles the expose event: run the
            # callback after that, from the event loop.
            QTimer.singleShot(0, self, self._callback)
            # Done: the window's later events need not each visit Python.
            watched.removeEventFilter(self)
        return False


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
        self.message_log: list[tuple[float, str, str]] = []
        self._message_log_view: QPlainTextEdit | None = None
        self.config_dir = Path(config_dir)
        self._sandbox_status = sandbox_status
        self._confirm_close = confirm_close or default_confirm
        self._closing_allowed = False
        self._switching: set[asyncio.Future] = set()
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
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tab_widget, 1)
        self.setCentralWidget(central)
        self.tab_widget.currentChanged.connect(self._update_title)

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
        self._first_paint_watcher = _FirstPaintWatcher(self._on_first_paint, self)
        self._first_paint_fallback = QTimer(self)
        self._first_paint_fallback.setSingleShot(True)
        self._first_paint_fallback.timeout.connect(self._on_first_paint)
        self.startup_notices: StartupNoticesDialog | None = None
        self.restore_state()
        self.keep_on_screen()

    def add_notice_strip(self, strip: QWidget) -> None:
        """A strip under the account banner (the office database's, say)."""
        layout = self.centralWidget().layout()
        layout.insertWidget(layout.indexOf(self.banner) + 1, strip)

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
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        # Messages get their own label rather than showMessage(): the permanent
        # widgets on the right would cut a long one mid-word with no way to read
        # the rest. This one shortens at a word, with the whole text as tooltip
        # and in the message log.
        self.message_label = ElidedLabel()
        self.message_label.setAccessibleName("Latest message")
        bar.addWidget(self.message_label, 1)
        self.message_label.clicked.connect(self.show_message_log)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.message_label.set_full_text(""))
        self.message_log_button = QToolButton()
        self.message_log_button.setText("Messages…")
        self.message_log_button.setAccessibleName("Show all messages")
        self.message_log_button.setToolTip("Every message shown in the status bar since start")
        self.message_log_button.setAutoRaise(True)
        self.message_log_button.clicked.connect(self.show_message_log)
        self.profile_status = QLabel()
        self.profile_status.setAccessibleName("Active profile")
        self.in_flight_status = QLabel()
        self.in_flight_status.setAccessibleName("Requests in flight")
        self.sandbox_status = QLabel()
        self.sandbox_status.setAccessibleName("Sandbox state")
        for widget in (self.profile_status, self.in_flight_status, self.sandbox_status,
                       self.message_log_button):
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
        self.office_database_action = file_menu.addAction("Office &database…")
        self.office_database_action.triggered.connect(self.office_database_requested)
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
        self.guide_action = help_menu.addAction("&User guide")
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        self.guide_action.triggered.connect(self.show_user_guide)
        reference = help_menu.addAction("Voitex &API reference")
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
        self._update_title()

    def set_document_name(self, name: str) -> None:
        """The open branch design's name: in the title while the Branch tab is shown."""
        self._document_name = name
        self._update_title()

    def _update_title(self, *_args) -> None:
        profile = self.session.profile
        title = f"Voitex Console — {profile.name}" + ("" if profile.is_sandbox else " (LIVE)")
        if self._document_name and self.current_tab_key() == "branch":
            title = f"{self._document_name} — {title}"
        self.setWindowTitle(title)

    def _on_in_flight_changed(self, count: int) -> None:
        if count == 0:
            self.in_flight_status.setText("No requests running")
        elif count == 1:
            self.in_flight_status.setText("1 request running")
        else:
            self.in_flight_status.setText(f"{count} requests running")

    def _on_message_posted(self, level: str, text: str) -> None:
        self.message_log.append((time.time(), level, text))
        del self.message_log[:-MESSAGE_LOG_LIMIT]
        self.message_label.set_full_text(text)
        self._message_timer.start(15000 if level != "info" else 8000)
        if self._message_log_view is not None:
            self._message_log_view.setPlainText(self.message_log_text())

    def status_message(self) -> str:
        """The whole of the message the status bar shows (shortened or not)."""
        return self.message_label.full_text()

    def message_log_text(self) -> str:
        lines = []
        for stamp, level, text in self.message_log:
            when = time.strftime("%H:%M:%S", time.localtime(stamp))
            lines.append(f"{when}  {LEVEL_WORDS.get(level, level)}: {text}")
        return "\n".join(lines) if lines else "No messages yet."

    def show_message_log(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle("Messages")
        view = QPlainTextEdit()
        view.setReadOnly(True)
        view.setAccessibleName("All messages")
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        view.setPlainText(self.message_log_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        layout.addWidget(buttons)
        dialog.resize(640, 360)
        dialog.finished.connect(lambda _result: setattr(self, "_message_log_view", None))
        dialog.open()
        self._message_log_dialog = dialog
        self._message_log_view = view
        return dialog

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
    def _settings(self) -> QSettings:
        return QSettings(str(self.config_dir / "window.ini"), QSettings.Format.IniFormat)

    def _drafts_path(self) -> Path:
        return self.config_dir / "drafts.json"

    def restore_state(self) -> None:
        saved = read_window_settings(self.config_dir / "window.ini", self.messages.notices)
        if saved.geometry is None or not self.restoreGeometry(saved.geometry):
            self.fit_to_screen()
        if saved.window_state is not None:
            self.restoreState(saved.window_state)
        if saved.last_tab in self.specs:
            self.show_tab(saved.last_tab)
        # Applied as each tab is built (tab()); kept for tabs never opened.
        self._drafts_file = SavedDrafts(self._drafts_path(), self.messages.notices)
        self._saved_drafts = self._drafts_file.load()

    def save_state(self) -> None:
        settings = self._settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("windowState", self.saveState())
        settings.setValue("lastTab", self.current_tab_key())
        settings.sync()
        self._drafts_file.save(self.drafts())

    def show_startup_notices(self) -> StartupNoticesDialog | None:
        """Once, when start-up is over: every damaged file and start-up message."""
        self.startup_notices = show_startup_notices(self, self.messages) or self.startup_notices
        return self.startup_notices

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_allowed:
            uploading = self._uploads_running()
            sending = self.session.in_flight > 0
            broadcasting = self._broadcasts_running()
            if uploading or sending or broadcasting:
                box = QMessageBox(self)
                box.setIcon(QMessageBox.Icon.Question)
                if broadcasting:
                    box.setWindowTitle("A broadcast is running")
                    box.setText("A broadcast is still sending. Quit anyway?")
                    box.setInformativeText(
                        "It stops once the message on its way is answered. Next time you "
                        "start the console it offers to resume, with only the customers "
                        "still waiting.")
                elif sending:
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
