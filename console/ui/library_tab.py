"""Library: every recording this console put in the active account's library.

A view over the catalogue (console/store/catalogue.py) for the active profile:
search, album filter, sortable columns, and what to do with a recording (copy
its id, use it in a call or a branch design, listen to its source file, export
the list). It says plainly that recordings added in the Voitex portal are not
listed: the API cannot list a library, so only what this console did is known.
"""
from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qasync import asyncSlot

from console.domain.wording import plural
from console.store.catalogue import CatalogueEntry, CatalogueError, compare_with_listing
from console.ui import playback
from console.ui.csv_export import ask_csv_path, exported_text, save_failed_text
from console.ui.layout import push_button
from console.ui.library.model import LibraryModel, LibraryQuery
from console.ui.library.source import LibrarySource
from console.ui.playback import FilePlayer
from console.ui.widgets import ResultLabel

if TYPE_CHECKING:
    from console.jobs.session import AccountSession
    from console.ui.messages import MessageBridge

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
# The buttons under the table: (words, accessible name, tool tip).
_ACTIONS = (
    ("&Copy id", "Copy recording id", "Copy the selected recording's id (Ctrl+C)"),
    ("Use in a c&all", "Use in a call", "Open Calls with this recording chosen"),
    ("Use in a branch &design", "Use in a branch design",
     "Add this recording to the branch designer's play list"),
    ("&Play", "Play", "Listen to the file that was uploaded"),
    ("&Export CSV…", "Export the library as CSV", "Save the listed recordings as a CSV file"),
    ("Compare with the sa&ndbox", "Compare with the sandbox",
     "Check this list against what the practice server holds"),
)
SandboxListing = Callable[[], Awaitable[Sequence[Mapping[str, Any]]]]


class LibraryTab(QWidget):
    def __init__(self, *, library: LibrarySource, session: AccountSession,
                 messages: MessageBridge | None = None,
                 use_in_call: Callable[[CatalogueEntry], None] | None = None,
                 use_in_design: Callable[[CatalogueEntry], None] | None = None,
                 sandbox_listing: SandboxListing | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.session = session
        self.messages = messages
        self._use_in_call = use_in_call
        self._use_in_design = use_in_design
        self._sandbox_listing = sandbox_listing
        self._last_export_dir = Path.home()
        self.player = FilePlayer(self)
        self.player.changed.connect(self._update_buttons)
        self.player.failed.connect(
            lambda text: self._tell("warning", f"The file cannot be played: {text}"))
        self.setAccessibleName("Library")

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName("What the library lists")

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Name, recording id, file name or spoken text")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search the library")
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search_edit)
        self.album_combo = QComboBox()
        self.album_combo.setAccessibleName("Album filter")
        album_label = QLabel("Al&bum:")
        album_label.setBuddy(self.album_combo)
        self.replaced_check = QCheckBox("Show &replaced recordings")
        self.replaced_check.setAccessibleName("Show replaced recordings")
        self.replaced_check.setToolTip("Also list recordings that a later upload or text to "
                                       "speech replaced at the same album and sort number.")
        filters = QHBoxLayout()
        filters.addWidget(search_label)
        filters.addWidget(self.search_edit, 2)
        filters.addSpacing(12)
        filters.addWidget(album_label)
        filters.addWidget(self.album_combo)
        filters.addSpacing(12)
        filters.addWidget(self.replaced_check)
        filters.addStretch(1)

        self.model = LibraryModel(library.catalogue, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Recordings in the library")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((190, 55, 55, 100, 200, 70, 60, 110, 100)):
            self.table.setColumnWidth(column, width)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("Library is empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("How many recordings are listed")

        (self.copy_button, self.call_button, self.design_button, self.play_button,
         self.export_button, self.compare_button) = (push_button(*words) for words in _ACTIONS)
        self.play_button.setVisible(playback.AVAILABLE)
        actions = QHBoxLayout()
        for button in (self.copy_button, self.call_button, self.design_button, self.play_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        actions.addSpacing(12)
        actions.addWidget(self.compare_button)
        actions.addWidget(self.export_button)
        self.notice = ResultLabel("Library notice")

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(actions)
        layout.addWidget(self.notice)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.album_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.replaced_check.toggled.connect(lambda _on: self.apply_filter())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.on_call_clicked())
        self.model.modelReset.connect(self._update_buttons)
        self.model.loaded.connect(self._on_loaded)
        self._reselect: str | None = None  # the user's place, kept across a new query
        self._wanted: str | None = None  # select_recording's, read on until found
        self.model.layoutChanged.connect(self._update_buttons)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.call_button.clicked.connect(self.on_call_clicked)
        self.design_button.clicked.connect(self.on_design_clicked)
        self.play_button.clicked.connect(self.on_play_clicked)
        self.export_button.clicked.connect(self.on_export_clicked)
        self.compare_button.clicked.connect(self.on_compare_clicked)
        copy = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self.table)
        copy.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy.activated.connect(self.on_copy_clicked)
        library.changed.connect(self.refresh)
        session.profile_changed.connect(lambda _profile: self.refresh())
        self.refresh()

    # -- content --------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the catalogue again (it changed, or the profile did)."""
        profile = self.session.profile
        self.intro.setText(
            f"Every recording this console uploaded or created by text to speech for "
            f"<b>{html.escape(profile.name)}</b>, newest replacing older ones at the same album "
            "and sort number. Recordings added in the Voitex portal, or by a console that does "
            "not share this desk's History, are not listed here.")
        self.compare_button.setVisible(profile.is_sandbox and self._sandbox_listing is not None)
        self.apply_filter()

    def _fill_albums(self, albums: list[int]) -> None:
        current = self.album_combo.currentData()
        self.album_combo.blockSignals(True)
        self.album_combo.clear()
        self.album_combo.addItem("All albums", None)
        for album in albums:
            self.album_combo.addItem(f"Album {album}", album)
        index = self.album_combo.findData(current)
        self.album_combo.setCurrentIndex(index if index >= 0 else 0)
        self.album_combo.blockSignals(False)

    def current_query(self) -> LibraryQuery:
        return LibraryQuery(profile_id=self.session.profile.id,
                            text=self.search_edit.text().strip(),
                            album=self.album_combo.currentData(),
                            include_replaced=self.replaced_check.isChecked(),
                            order_by=self.model.query.order_by,
                            descending=self.model.query.descending)

    def apply_filter(self) -> None:
        """Ask the catalogue for the rows the filters match (shown when they come)."""
        self._search_timer.stop()
        selected = self.selected_entry()
        if selected is not None:
            self._reselect = selected.recording_id
        self.model.set_query(self.current_query())

    def _on_loaded(self) -> None:
        if self.model.error:
            self.notice.show_result("error", self.model.error)
        self._fill_albums(self.model.albums)
        if self._wanted is not None:
            self.select_recording(self._wanted)
        elif self._reselect is not None:
            self._select_loaded(self._reselect)
            self._reselect = None
        count = self.model.matching_count()
        total = self.model.total_count()
        filtered = bool(self.search_edit.text().strip() or self.album_combo.currentData())
        if total == 0:
            self.empty_label.setText(
                "Nothing here yet. A recording appears here as soon as an upload (Recordings) "
                "or a text to speech is confirmed, with its album, sort number and id.")
        elif count == 0:
            self.empty_label.setText("No recording matches the search or the album chosen.")
        self.empty_label.setVisible(count == 0)
        self.count_label.setText(f"{count:,} of {plural(total, 'recording')}" if filtered
                                 else plural(count, "recording"))
        self._update_buttons()

    def selected_entry(self) -> CatalogueEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def _select_loaded(self, recording_id: str) -> bool:
        for row in range(self.model.rowCount()):
            entry = self.model.entry(row)
            if entry is not None and entry.recording_id == recording_id:
                self.table.selectRow(row)
                return True
        return False

    def select_recording(self, recording_id: str) -> bool:
        """Select it if it is among the rows read (True); else read on and select it then."""
        self._wanted = None
        if self._select_loaded(recording_id):
            return True
        if self.model.canFetchMore() or self.model.busy:
            self._wanted = recording_id
            self.model.fetchMore()
        return False

    def _update_buttons(self, *_args: object) -> None:
        entry = self.selected_entry()
        self.copy_button.setEnabled(entry is not None)
        self.call_button.setEnabled(entry is not None and self._use_in_call is not None)
        # A play item names an album and a sort number: Voitex chose the sort of a
        # TTS made without one, and the console does not know it.
        unsorted = entry is not None and entry.sort is None
        self.design_button.setEnabled(entry is not None and not unsorted
                                      and self._use_in_design is not None)
        self.design_button.setToolTip(
            "This text to speech has no sort number the console knows, so a branch cannot "
            "name it." if unsorted
            else "Add this recording to the branch designer's play list")
        if playback.AVAILABLE:
            playing = self.player.playing is not None
            self.play_button.setText("Stop pla&ying" if playing else "&Play")
            self.play_button.setEnabled(playing or _playable(entry) is not None)
        self.export_button.setEnabled(self.model.rowCount() > 0)

    # -- actions ----------------------------------------------------------------------
    def _tell(self, kind: str, text: str) -> None:
        self.notice.show_result(kind, text)
        if self.messages is not None:
            level = {"ok": "info", "warning": "warning", "error": "error"}.get(kind, "info")
            getattr(self.messages, level)(text)

    def on_copy_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        QGuiApplication.clipboard().setText(entry.recording_id)
        self._tell("ok", f"Copied the id {entry.recording_id} of '{entry.display_name}'.")

    def on_call_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None and self._use_in_call is not None:
            self._use_in_call(entry)

    def on_design_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None and entry.sort is not None and self._use_in_design is not None:
            self._use_in_design(entry)

    def on_play_clicked(self) -> None:
        if self.player.playing is not None:
            self.player.stop()
            return
        path = _playable(self.selected_entry())
        if path is not None:
            self.player.play(path)

    def export_to(self, path: Path | str) -> int | None:
        """Write the listed recordings to `path` (blocking); how many, or None on failure."""
        path = Path(path)
        query = self.current_query()
        try:
            count = self.library.catalogue.export_csv(path, query.profile_id, **query.kwargs())
        except (OSError, CatalogueError) as err:
            self._export_failed(path, err)
            return None
        return self._exported(path, count)

    @asyncSlot()
    async def on_export_clicked(self) -> None:
        path = ask_csv_path(self, title="Export the library", folder=self._last_export_dir,
                            stem="voitex-library")
        if path is None:
            return
        self._last_export_dir = path.parent
        query = self.current_query()
        self.export_button.setEnabled(False)
        try:
            count = await asyncio.to_thread(self.library.catalogue.export_csv, path,
                                            query.profile_id, **query.kwargs())
        except (OSError, CatalogueError) as err:
            self._export_failed(path, err)
            return
        finally:
            self.export_button.setEnabled(self.model.rowCount() > 0)
        self._exported(path, count)

    def _exported(self, path: Path, count: int) -> int:
        self._tell("ok", exported_text(plural(count, "recording"), path))
        return count

    def _export_failed(self, path: Path, err: Exception) -> None:
        self._tell("error", save_failed_text(path, err))

    @asyncSlot()
    async def on_compare_clicked(self) -> None:
        await self.compare_with_sandbox()

    async def compare_with_sandbox(self) -> str | None:
        if self._sandbox_listing is None or not self.session.profile.is_sandbox:
            return None
        self.compare_button.setEnabled(False)
        self.notice.show_result("busy", "Asking the sandbox what it holds…")
        try:
            listing = await self._sandbox_listing()
        except Exception as err:  # the sandbox down or not started: say so, keep the window
            log.warning("the sandbox's library could not be listed", exc_info=True)
            self._tell("error", f"The sandbox's library could not be read: {err}. "
                                "Try again once the status bar says the Sandbox is running.")
            return None
        finally:
            self.compare_button.setEnabled(True)
        try:
            entries = await asyncio.to_thread(self.library.catalogue.entries, self.session.profile.id)
        except CatalogueError as err:
            self._tell("error", f"The Library could not be read to compare: {err}")
            return None
        comparison = compare_with_listing(entries, listing)
        text = comparison.text()
        self._tell("ok" if comparison.agrees else "warning", text)
        return text


def _playable(entry: CatalogueEntry | None) -> Path | None:
    """The uploaded file of `entry`, while it is still on this computer."""
    if entry is None or entry.kind != "upload" or not entry.file_path:
        return None
    path = Path(entry.file_path)
    return path if path.is_file() else None
