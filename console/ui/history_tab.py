"""History tab: everything the console has sent, filterable, exportable, and
the way back to a failed or uncertain send."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QDate, QItemSelection, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qasync import asyncSlot

from console.domain.vocabulary import EntryKind
from console.domain.wording import plural
from console.store.broadcast_types import BroadcastStore
from console.store.database import StoreError
from console.store.interface import HistoryStore
from console.store.journal import JournalEntry, JournalError
from console.store.profiles import Profile
from console.ui.csv_export import ask_csv_path
from console.ui.history_cells import HistoryFilter
from console.ui.history_details import _detail_html
from console.ui.history_export import HistoryExport
from console.ui.history_filters import HistoryFilterBar
from console.ui.history_model import HistoryModel
from console.ui.history_resend import answered_yes, can_resend, resend_box, resend_hint, resend_summary
from console.ui.history_table import history_table
from console.ui.messages import MessageBridge

SEARCH_DELAY_MS = 250

class HistoryTab(QWidget):
    def __init__(
        self,
        *,
        journal: HistoryStore,
        profiles_provider: Callable[[], list[Profile]],
        resend: Callable[[JournalEntry], Awaitable[None]] | None,
        confirm: Callable[[QMessageBox], object] | None = None,
        messages: MessageBridge | None = None,
        do_not_contact: BroadcastStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.messages = messages  # the export's outcome goes to the message log too
        # The office's do-not-contact list (the broadcast store): Send again refuses its numbers.
        self._do_not_contact = do_not_contact
        self._journal = journal
        self._profiles_provider = profiles_provider
        self._resend = resend
        self._confirm: Callable[[QMessageBox], object] = confirm or (lambda box: box.exec())
        self._resending = False
        self._shown_entry: JournalEntry | None = None
        self._last_export_dir = Path.home()

        self.model = HistoryModel(journal, self)

        bar = self.filters = HistoryFilterBar(self)
        self.kind_combo, self.outcome_combo, self.profile_combo = (
            bar.kind_combo, bar.outcome_combo, bar.profile_combo)
        self.from_date, self.to_date, self.any_date_check = bar.from_date, bar.to_date, bar.any_date_check
        self.search_edit, self.refresh_button, self.export_button = (
            bar.search_edit, bar.refresh_button, bar.export_button)
        self.table = history_table(self, self.model)
        self._build_detail()

        self.status_label = QLabel(self)
        self.status_label.setObjectName("historyStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setAccessibleName("History status")
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Number of entries shown")
        self.export = HistoryExport(journal, button=self.export_button, messages=messages,
                                    status=lambda text, error: self._set_status(text, error=error))

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self._detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([360, 240])
        splitter.setChildrenCollapsible(False)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(bar.filter_row)
        layout.addLayout(bar.search_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(bottom)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        # Scoped to this tab so other tabs can give Ctrl+F their own meaning.
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)

        self.kind_combo.currentIndexChanged.connect(self._apply_filter)
        self.outcome_combo.currentIndexChanged.connect(self._apply_filter)
        self.profile_combo.currentIndexChanged.connect(self._apply_filter)
        self.any_date_check.toggled.connect(self._on_any_date_toggled)
        self.from_date.dateChanged.connect(self._on_from_date_changed)
        self.to_date.dateChanged.connect(self._apply_filter)
        self.search_edit.textChanged.connect(self._on_search_edited)
        self.search_edit.returnPressed.connect(self._apply_filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.on_export_clicked)
        self.resend_button.clicked.connect(self.on_resend_clicked)
        self.run_button.clicked.connect(self.on_run_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._reselect: int | None = None
        self.model.modelReset.connect(self._on_rows_reset)
        self.model.modelReset.connect(self._show_selected)
        self.model.failed.connect(lambda text: self._set_status(text, error=True))
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.model.total_changed.connect(self._update_count)

        self._reload_profiles()
        self._show_selected()
        self._update_count()

    # Building

    def _build_detail(self) -> None:
        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Selected entry details")
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select an entry to see everything that was sent.")

        self.resend_button = QPushButton("Send &again…", self)
        self.resend_button.setAccessibleName("Send the selected entry again")
        self.resend_button.setEnabled(False)

        # A broadcast run's entries belong together: one click shows only them.
        self._run_filter: str | None = None
        self.run_button = QPushButton("Show this r&un only", self)
        self.run_button.setAccessibleName("Show only the selected entry's broadcast run")
        self.run_button.setToolTip("List only the entries of the broadcast run this entry "
                                   "belongs to; click again to list everything.")
        self.run_button.setVisible(False)

        box = QWidget(self)
        detail_label = QLabel("&Details:", box)
        detail_label.setBuddy(self.detail)
        header = QHBoxLayout()
        header.addWidget(detail_label)
        header.addStretch(1)
        header.addWidget(self.run_button)
        header.addWidget(self.resend_button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.detail, 1)
        self._detail_box = box

    # Public slots

    @Slot()
    def refresh(self) -> None:
        """Show what changed in the journal (new and finished entries)."""
        self._reload_profiles()
        self.model.refresh()
        self._show_selected()
        self._update_count()

    @Slot()
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def current_filter(self) -> HistoryFilter:
        since, until = self.filters.dates()
        text = self.search_edit.text().strip()
        return HistoryFilter(
            kind=self.kind_combo.currentData(),
            outcome=self.outcome_combo.currentData(),
            profile_id=self.profile_combo.currentData(),
            since=since,
            until=until,
            text=text or None,
            group_id=self._run_filter,
        )

    def show_run(self, group_id: str | None) -> None:
        """List only one broadcast run's entries (None: everything again)."""
        selected = self.selected_entry()
        self._run_filter = group_id or None
        # The user's place is kept: selected again once the new rows are in.
        self._reselect = selected.id if selected is not None else None
        self._apply_filter()
        self._update_run_button(self.selected_entry())

    @Slot()
    def _on_rows_reset(self) -> None:
        wanted, self._reselect = self._reselect, None
        row = self.model.row_of(wanted) if wanted is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._update_run_button(self.selected_entry())

    @Slot()
    def on_run_clicked(self) -> None:
        if self._run_filter is not None:
            self.show_run(None)
            return
        entry = self.selected_entry()
        if entry is not None and entry.group_id:
            self.show_run(entry.group_id)

    def _update_run_button(self, entry: JournalEntry | None) -> None:
        if self._run_filter is not None:
            self.run_button.setText("Show all entr&ies")
            self.run_button.setVisible(True)
        else:
            self.run_button.setText("Show this r&un only")
            self.run_button.setVisible(entry is not None and bool(entry.group_id))

    def selected_entry(self) -> JournalEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.entry(rows[0].row())

    def export_to(self, path: Path | str) -> int | None:
        """Write the entries matching the filters to `path` and say so; returns
        how many, or None when the file could not be written (the reason is
        shown). Blocks; the Export button runs the same work off the UI thread."""
        self._apply_filter()
        return self.export.write(Path(path), self.model.filter)

    async def export_in_background(self, path: Path | str) -> int | None:
        self._apply_filter()
        return await self.export.write_in_background(Path(path), self.model.filter)

    # Event handlers

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    @asyncSlot()
    async def on_export_clicked(self) -> None:
        path = ask_csv_path(self, title="Export history", folder=self._last_export_dir,
                            stem="voitex-history")
        if path is None:
            return
        self._last_export_dir = path.parent
        await self.export_in_background(path)

    @asyncSlot()
    async def on_resend_clicked(self) -> None:
        entry, resend = self.selected_entry(), self._resend
        if entry is None or resend is None or not can_resend(entry) or self._resending:
            return
        if entry.kind in (EntryKind.SMS, EntryKind.CALL):
            from console.ui.send_guard import do_not_contact_refusal

            refusal = do_not_contact_refusal(self._do_not_contact, entry.recipient, field="Send again")
            if refusal:
                self._set_status(refusal, error=True)
                if self.messages is not None:
                    self.messages.warning(refusal)
                return
        box = self.build_resend_box(entry)
        answer = self._confirm(box)
        box.deleteLater()
        if not answered_yes(answer):
            return
        self._resending = True
        self.resend_button.setEnabled(False)
        self._set_status(f"Sending entry {entry.id} again…")
        try:
            await resend(entry)
        except BaseException:
            self._set_status(f"Sending entry {entry.id} again did not finish.", error=True)
            raise
        finally:
            self._resending = False
            self.refresh()
        try:
            recent = await asyncio.to_thread(self._journal.query, limit=50)
        except (JournalError, StoreError) as err:
            self._set_status(f"Entry {entry.id} was sent again; History could not be read to "
                             f"say how it went ({err}).", error=True)
            return
        self._set_status(resend_summary(entry, recent))

    def build_resend_box(self, entry: JournalEntry) -> QMessageBox:
        profile = next((p for p in self._profiles_provider() if p.id == entry.profile_id), None)
        return resend_box(self, entry, profile)

    @Slot()
    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.current_filter())

    @Slot(str)
    def _on_search_edited(self, text: str) -> None:
        # Wait for a pause in typing: each search reads the whole journal.
        self._search_timer.start()

    @Slot(bool)
    def _on_any_date_toggled(self, any_date: bool) -> None:
        self.filters.show_any_date(any_date)
        self._apply_filter()

    @Slot(QDate)
    def _on_from_date_changed(self, date: QDate) -> None:
        # Moving From past To drags To along instead of showing nothing.
        self.to_date.setMinimumDate(date)
        self._apply_filter()

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._show_selected()

    # Internals

    def _can_resend(self, entry: JournalEntry) -> bool:
        return self._resend is not None and can_resend(entry)

    @Slot()
    def _show_selected(self) -> None:
        entry = self.selected_entry()
        self.resend_button.setEnabled(
            entry is not None and self._can_resend(entry) and not self._resending)
        self._update_run_button(entry)
        if entry == self._shown_entry and entry is not None:
            # Refresh runs after every journal write; re-rendering would drop
            # the user's text selection in the details.
            return
        self._shown_entry = entry
        if entry is None:
            self.detail.clear()
            self.resend_button.setToolTip("")
            return
        self.resend_button.setToolTip(resend_hint(entry, available=self._resend is not None))
        self.detail.setHtml(_detail_html(entry))

    @Slot()
    def _update_count(self) -> None:
        text = self._count_text()
        if self._run_filter is not None:
            text = f"Broadcast run {self._run_filter}: {text}"
        self.count_label.setText(text)

    def _count_text(self) -> str:
        total = self.model.total()
        loaded = self.model.rowCount()
        if total == 0:
            return "No entries match." if self._filtered() else "Nothing has been sent yet."
        if not self.model.total_is_exact():
            return (f"Showing the newest {loaded:,} of more than {total:,} entries "
                    "(still counting); scroll down for more.")
        if loaded < total:
            return f"Showing the newest {loaded:,} of {total:,} entries; scroll down for more."
        return f"{plural(total, 'entry', 'entries')}."

    def _filtered(self) -> bool:
        return any(value is not None for value in self.model.filter.kwargs().values())

    def _reload_profiles(self) -> None:
        if self.filters.reload_profiles(self._profiles_provider()):
            self._apply_filter()

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b3261e;" if error else "")
        self.status_label.setText(text)
