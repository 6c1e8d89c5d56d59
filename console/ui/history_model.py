"""Table model over the send journal, paged on demand.

Only the pages the view has scrolled to are in memory (200 rows each), so a
journal of 100,000 entries opens as fast as one of 200. Pages are fetched by
key (entries older than the last loaded id), which costs the same at any depth.

`refresh()` is called after every request; it merges what changed since the
last look (new entries, finished ones) into the loaded rows instead of
resetting, so the user's selection and scroll position survive.

Every read runs on a thread of its own (`StoreReader`): the window never waits
for the journal, whether it is the desk's file or the office database (where
one read is a round trip that may stall). A page, a refresh or a count is
asked for, and the rows change when the answer comes (`loaded` fires after
each answer, `failed` when a read failed, with words for the status line);
until the first page has come, the table is empty and `loading` is True.

A search that matches tens of thousands of entries would take tens of
milliseconds just to count them; the model counts up to COUNT_CAP first and
the exact number after (`total_changed` then fires).
"""
from __future__ import annotations

import bisect
import sqlite3
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from console.store.database import StoreError
from console.store.interface import HistoryStore
from console.store.journal import JournalEntry, JournalError
from console.ui.history_cells import HistoryFilter, display_texts
from console.ui.history_look import OutcomeLook
from console.ui.store_reader import StoreReader

PAGE_SIZE = 200
# Searches count at most this many entries on the window's thread.
COUNT_CAP = 2000
_COUNT_DELAY_MS = 60
# Above this many changed entries since the last look, reloading is cheaper
# than merging one by one.
_MERGE_LIMIT = 500

ModelIndex = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]  # a JournalEntry's fields, as a plain tuple

_TEXT_ROLES = frozenset({int(Qt.ItemDataRole.DisplayRole.value),
                         int(Qt.ItemDataRole.AccessibleTextRole.value)})
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_USER = int(Qt.ItemDataRole.UserRole.value)
_SERVED_ROLES = _TEXT_ROLES | {_TOOLTIP, _FOREGROUND, _DECORATION, _USER + 1, _USER + 2}
_OUTCOME_FIELD = JournalEntry._fields.index("outcome")
_ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemNeverHasChildren)


class HistoryModel(QAbstractTableModel):
    COL_TIME, COL_KIND, COL_PROFILE, COL_TO, COL_CONTENT, COL_OUTCOME, COL_RESULT = range(7)
    HEADERS = ("Time", "Kind", "Profile", "To / Where", "Content", "Outcome", "Id / Messages")

    EntryRole = Qt.ItemDataRole.UserRole + 1
    OutcomeRole = Qt.ItemDataRole.UserRole + 2

    total_changed = Signal()  # the exact count of a large search arrived
    loaded = Signal()  # an answer of the journal is in (a page, a refresh, a count)
    failed = Signal(str)  # a read failed: what to tell the user

    def __init__(self, journal: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._journal = journal
        self._reader = StoreReader("history", self)
        self._generation = 0  # a newer filter makes older answers stale
        self._loading = False
        self._fetching = False
        self._refreshing = False
        self._refresh_again = False
        self.error: str | None = None
        self._total_exact = True
        self._counter = StoreReader("history-count", self)
        # The exact count starts once the new rows are painted, so the count's
        # thread does not compete with the first paint for the CPU.
        self._count_start = QTimer(self)
        self._count_start.setSingleShot(True)
        self._count_start.setInterval(_COUNT_DELAY_MS)
        self._count_start.timeout.connect(self._count_in_background)
        self._filter = HistoryFilter()
        # Plain tuples (JournalEntry's fields): the garbage collector stops
        # tracking them, so 100,000 loaded rows never make it pause.
        self._rows: list[Row] = []
        # Negated ids, ascending, so bisect finds where an entry belongs in the
        # newest-first list.
        self._keys: list[int] = []
        self._display: dict[int, tuple[str, ...]] = {}
        self._more = False
        self._total = 0
        self._seen_change = 0
        self._look = OutcomeLook()
        self._load_first_page()

    # Public API

    @property
    def filter(self) -> HistoryFilter:
        return self._filter

    @property
    def loading(self) -> bool:
        """The first page of the current filter has not come yet."""
        return self._loading

    @property
    def busy(self) -> bool:
        """Answers are still to come (a page, a refresh, a count)."""
        return self._reader.busy or self._counter.busy or self._count_start.isActive()

    def set_filter(self, new_filter: HistoryFilter) -> None:
        if new_filter == self._filter:
            return
        self._filter = new_filter
        self.reload()

    def reload(self) -> None:
        """Read the first page again (the rows shown stay until it comes)."""
        self._load_first_page()

    def total(self) -> int:
        """How many entries match the filter, loaded or not (while
        `total_is_exact()` is False: at least this many, still counting)."""
        return self._total

    def total_is_exact(self) -> bool:
        return self._total_exact

    def entry(self, row: int) -> JournalEntry:
        return JournalEntry._make(self._rows[row])

    def row_of(self, entry_id: int) -> int | None:
        position = bisect.bisect_left(self._keys, -entry_id)
        if position < len(self._keys) and self._keys[position] == -entry_id:
            return position
        return None

    def refresh(self) -> None:
        """Bring the loaded rows up to date with the journal (when its answer comes)."""
        if self._loading or self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        journal, wanted, seen, generation = self._journal, self._filter, self._seen_change, self._generation

        def read() -> tuple[int, list[int], dict[int, JournalEntry]]:
            mark, changed = journal.changed_since(seen)
            if not changed or len(changed) > _MERGE_LIMIT:
                return mark, changed, {}
            found = journal.query(**wanted.kwargs(), ids=changed, limit=len(changed))
            return mark, changed, {e.id: e for e in found}

        self._reader.read(read, lambda answer: self._refreshed(generation, answer),
                          self._refresh_failed)

    def _refresh_failed(self, err: BaseException) -> None:
        self._refreshing = False
        self._failed(err)

    def _refreshed(self, generation: int, answer: tuple[int, list[int], dict[int, JournalEntry]]) -> None:
        self._refreshing = False
        if generation != self._generation:
            self.refresh()  # a new filter came meanwhile: its own first page is under way
            return
        mark, changed, matching = answer
        self.error = None
        if len(changed) > _MERGE_LIMIT:
            self.reload()
            return
        if changed:
            self._merge(changed, matching)
            self._count_total()
        self._seen_change = mark
        self.loaded.emit()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _merge(self, changed: list[int], matching: dict[int, JournalEntry]) -> None:
        # The oldest loaded id bounds the window: older entries arrive with fetchMore.
        floor = -self._keys[-1] if (self._keys and self._more) else 0
        for entry_id in sorted(changed, reverse=True):
            row = self.row_of(entry_id)
            entry = matching.get(entry_id)
            if row is not None and entry is not None:
                self._rows[row] = tuple(entry)
                self._display.pop(entry_id, None)
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            elif row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                del self._keys[row]
                self._display.pop(entry_id, None)
                self.endRemoveRows()
            elif entry is not None and entry_id > floor:
                row = bisect.bisect_left(self._keys, -entry_id)
                self.beginInsertRows(QModelIndex(), row, row)
                self._rows.insert(row, tuple(entry))
                self._keys.insert(row, -entry_id)
                self.endInsertRows()

    def _failed(self, err: BaseException) -> None:
        if not isinstance(err, JournalError | StoreError | OSError | sqlite3.Error):
            raise err  # a bug: the crash dialog shows it
        self.error = f"History could not be read: {err}"
        self.failed.emit(self.error)

    # Qt model interface

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.COL_TIME:
            return "When the request was made, in this computer's time zone."
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called ~700 times per repaint: roles this model does not serve
        # (fonts, alignment, size hints...) leave before any work.
        if role not in _SERVED_ROLES or not index.isValid():
            return None
        row = index.row()
        if row >= len(self._rows):
            return None
        raw = self._rows[row]
        column = index.column()
        if role in _TEXT_ROLES:
            return self._display_row(raw)[column]
        if role == _TOOLTIP:
            entry = JournalEntry._make(raw)
            if column == self.COL_TIME:
                return f"{self._display_row(raw)[column]} (UTC {entry.created_at[:19]})"
            if column == self.COL_CONTENT:
                return entry.content or None
            if column == self.COL_RESULT:
                return "\n".join(filter(None, [entry.result_id, *entry.messages])) or None
            return None
        outcome = raw[_OUTCOME_FIELD]
        if role == _FOREGROUND:
            return self._look.brush(outcome) if column == self.COL_OUTCOME else None
        if role == _DECORATION:
            return self._look.icon(outcome) if column == self.COL_OUTCOME else None
        if role == self.EntryRole:
            return JournalEntry._make(raw)
        if role == self.OutcomeRole:
            return outcome
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching and not self._loading

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._fetching or self._loading:
            return
        self._fetching = True
        before_id = -self._keys[-1] if self._keys else None
        journal, wanted, generation = self._journal, self._filter, self._generation

        def read() -> list[JournalEntry]:
            return journal.query(**wanted.kwargs(), before_id=before_id, limit=PAGE_SIZE + 1)

        self._reader.read(read, lambda page: self._fetched(generation, page), self._fetch_failed)

    def _fetch_failed(self, err: BaseException) -> None:
        self._fetching = False
        self._failed(err)

    def _fetched(self, generation: int, page: list[JournalEntry]) -> None:
        self._fetching = False
        if generation != self._generation:
            return
        self.error = None
        self._more = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        known = set(self._keys)
        page = [e for e in page if -e.id not in known]  # a refresh may have brought some in
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(map(tuple, page))
            self._keys.extend(-e.id for e in page)
            self.endInsertRows()
        self.loaded.emit()

    # Internals

    def _load_first_page(self) -> None:
        self._generation += 1
        self._loading = True
        self._fetching = False
        journal, wanted, generation = self._journal, self._filter, self._generation

        def read() -> tuple[int, list[JournalEntry]]:
            # The change mark first: a write landing in between is then
            # merged again by the next refresh, never missed.
            mark = journal.last_change()
            return mark, journal.query(**wanted.kwargs(), limit=PAGE_SIZE + 1)

        self._reader.read(read, lambda answer: self._first_page(generation, answer),
                          lambda err: self._first_page_failed(generation, err))

    def _first_page_failed(self, generation: int, err: BaseException) -> None:
        if generation == self._generation:
            self._loading = False
            self._failed(err)

    def _first_page(self, generation: int, answer: tuple[int, list[JournalEntry]]) -> None:
        if generation != self._generation:
            return
        mark, page = answer
        self.error = None
        self.beginResetModel()
        self._seen_change = mark
        self._more = len(page) > PAGE_SIZE
        self._rows = [tuple(e) for e in page[:PAGE_SIZE]]
        self._keys = [-row[0] for row in self._rows]
        self._display = {}
        self._loading = False
        self.endResetModel()
        self._count_total()
        self.loaded.emit()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _count_total(self) -> None:
        self._count_start.stop()
        wanted, journal, generation = self._filter, self._journal, self._generation
        kwargs = wanted.kwargs()
        used = [name for name, value in kwargs.items() if value is not None]
        # One index or none: a few milliseconds even at 100,000 entries. Searches and
        # combined filters read one row per match: the first COUNT_CAP, then the rest.
        capped = not (len(used) <= 1 and "text" not in used)

        def read() -> int:
            return journal.count(**kwargs, at_most=COUNT_CAP) if capped else journal.count(**kwargs)

        self._reader.read(read, lambda total: self._counted(generation, capped, total),
                          self._failed)

    def _counted(self, generation: int, capped: bool, total: int) -> None:
        if generation != self._generation:
            return
        self._total = total
        self._total_exact = not capped or total < COUNT_CAP
        if not self._total_exact:
            self._count_start.start()
        self.total_changed.emit()
        self.loaded.emit()

    def _count_in_background(self) -> None:
        wanted, journal, generation = self._filter, self._journal, self._generation

        def count() -> int:
            # Its own connection and thread: the window's reads never queue behind it.
            handle = journal.reopen()
            try:
                return handle.count(**wanted.kwargs())
            finally:
                handle.close()

        self._counter.read(count, lambda total: self._counted_exactly(generation, total),
                           lambda err: None)  # the first count stays, "at least"

    def _counted_exactly(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self._total, self._total_exact = total, True
            self.total_changed.emit()

    def _display_row(self, raw: Row) -> tuple[str, ...]:
        cached = self._display.get(raw[0])
        if cached is None:
            cached = self._display[raw[0]] = display_texts(JournalEntry._make(raw))
        return cached
