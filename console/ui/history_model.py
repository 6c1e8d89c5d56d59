"""Table model over the send journal, paged on demand.

Only the pages the view has scrolled to are in memory (200 rows each), so a
journal of 100,000 entries opens as fast as one of 200. Pages are fetched by
key (entries older than the last loaded id), which costs the same at any depth.

`refresh()` is called after every request; it merges what changed since the
last look (new entries, finished ones) into the loaded rows instead of
resetting, so the user's selection and scroll position survive.

A search that matches tens of thousands of entries would take tens of
milliseconds just to count them; the window counts up to COUNT_CAP at once
and the exact number on a background thread (`total_changed` then fires), so
no search or scroll stalls the window.
"""
from __future__ import annotations

import bisect
import threading
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from console.domain.phone import format_phone
from console.store.interface import HistoryStore
from console.store.journal import JournalEntry

PAGE_SIZE = 200
# Searches count at most this many entries on the window's thread.
COUNT_CAP = 2000
_COUNT_POLL_MS = 20
_COUNT_DELAY_MS = 60
# Above this many changed entries since the last look, reloading is cheaper
# than merging one by one.
_MERGE_LIMIT = 500

KIND_LABELS = {"sms": "SMS", "call": "Call", "tts": "TTS", "upload": "Upload"}
OUTCOME_LABELS = {"pending": "Pending", "done": "Done", "failed": "Failed", "unknown": "Unknown"}
# Colour is a hint only: the outcome is always spelled out as well.
_OUTCOME_COLOURS = {
    "done": QColor("#1b6e35"),
    "failed": QColor("#b3261e"),
    "unknown": QColor("#8a4b00"),
    "pending": QColor("#55585c"),
}
_OUTCOME_ICONS = {
    "done": QStyle.StandardPixmap.SP_DialogApplyButton,
    "failed": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "unknown": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "pending": QStyle.StandardPixmap.SP_BrowserReload,
}
_CONTENT_CHARS = 120

ModelIndex = QModelIndex | QPersistentModelIndex

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


@dataclass(frozen=True)
class HistoryFilter:
    kind: str | None = None
    outcome: str | None = None
    profile_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    group_id: str | None = None  # one broadcast run's entries

    def kwargs(self) -> dict:
        return asdict(self)


class HistoryModel(QAbstractTableModel):
    COL_TIME, COL_KIND, COL_PROFILE, COL_TO, COL_CONTENT, COL_OUTCOME, COL_RESULT = range(7)
    HEADERS = ("Time", "Kind", "Profile", "To / Where", "Content", "Outcome", "Id / Messages")

    EntryRole = Qt.ItemDataRole.UserRole + 1
    OutcomeRole = Qt.ItemDataRole.UserRole + 2

    total_changed = Signal()  # the exact count of a large search arrived

    def __init__(self, journal: HistoryStore, parent=None) -> None:
        super().__init__(parent)
        self._journal = journal
        self._total_exact = True
        self._count: tuple[HistoryFilter, Future] | None = None
        self._count_timer = QTimer(self)
        self._count_timer.setInterval(_COUNT_POLL_MS)
        self._count_timer.timeout.connect(self._on_count_timer)
        # The exact count starts once the new rows are painted, so the count's
        # thread does not compete with the first paint for the CPU.
        self._count_start = QTimer(self)
        self._count_start.setSingleShot(True)
        self._count_start.setInterval(_COUNT_DELAY_MS)
        self._count_start.timeout.connect(self._count_in_background)
        self._filter = HistoryFilter()
        # Plain tuples (JournalEntry's fields): the garbage collector stops
        # tracking them, so 100,000 loaded rows never make it pause.
        self._rows: list[tuple] = []
        # Negated ids, ascending, so bisect finds where an entry belongs in the
        # newest-first list.
        self._keys: list[int] = []
        self._display: dict[int, tuple[str, ...]] = {}
        self._more = False
        self._total = 0
        self._seen_change = 0
        self._icons: dict[str, QIcon] = {}
        self._brushes = {outcome: QBrush(colour) for outcome, colour in _OUTCOME_COLOURS.items()}
        self._load_first_page()

    # Public API

    @property
    def filter(self) -> HistoryFilter:
        return self._filter

    def set_filter(self, new_filter: HistoryFilter) -> None:
        if new_filter == self._filter:
            return
        self._filter = new_filter
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._load_first_page()
        self.endResetModel()

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
        """Bring the loaded rows up to date with the journal."""
        mark, changed = self._journal.changed_since(self._seen_change)
        if not changed:
            return
        if len(changed) > _MERGE_LIMIT:
            self.reload()
            return
        matching = {e.id: e for e in self._journal.query(**self._filter.kwargs(), ids=changed,
                                                         limit=len(changed))}
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
        self._count_total()
        self._seen_change = mark

    # Qt model interface

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.COL_TIME:
            return "When the request was made, in this computer's time zone."
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
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
            return self._brushes[outcome] if column == self.COL_OUTCOME else None
        if role == _DECORATION:
            return self._icon(outcome) if column == self.COL_OUTCOME else None
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
        return not parent.isValid() and self._more

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        before_id = -self._keys[-1] if self._keys else None
        page = self._journal.query(**self._filter.kwargs(), before_id=before_id,
                                   limit=PAGE_SIZE + 1)
        self._more = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(map(tuple, page))
        self._keys.extend(-e.id for e in page)
        self.endInsertRows()

    # Internals

    def _load_first_page(self) -> None:
        # Read the change mark first: a write landing in between is then
        # merged again by the next refresh, never missed.
        self._seen_change = self._journal.last_change()
        page = self._journal.query(**self._filter.kwargs(), limit=PAGE_SIZE + 1)
        self._more = len(page) > PAGE_SIZE
        self._rows = [tuple(e) for e in page[:PAGE_SIZE]]
        self._keys = [-row[0] for row in self._rows]
        self._display = {}
        self._count_total()

    def _count_total(self) -> None:
        self._count_start.stop()
        kwargs = self._filter.kwargs()
        used = [name for name, value in kwargs.items() if value is not None]
        if len(used) <= 1 and "text" not in used:
            # One index or none: a few milliseconds even at 100,000 entries.
            self._total, self._total_exact = self._journal.count(**kwargs), True
            return
        # Searches and combined filters read one row per match to count:
        # count the first COUNT_CAP now, the rest off the window's thread.
        self._total = self._journal.count(**kwargs, at_most=COUNT_CAP)
        self._total_exact = self._total < COUNT_CAP
        if not self._total_exact:
            self._count_start.start()

    def _count_in_background(self) -> None:
        wanted = self._filter
        if self._count is not None and self._count[0] == wanted:
            return
        future: Future = Future()
        journal = self._journal

        def count() -> None:
            try:
                # Its own connection: the window's reads never queue behind it.
                handle = journal.reopen()
                try:
                    future.set_result(handle.count(**wanted.kwargs()))
                finally:
                    handle.close()
            except BaseException as err:  # reported by the timer on the window's thread
                future.set_exception(err)

        self._count = (wanted, future)
        threading.Thread(target=count, name="history-count", daemon=True).start()
        self._count_timer.start()

    def _on_count_timer(self) -> None:
        if self._count is None:
            self._count_timer.stop()
            return
        wanted, future = self._count
        if not future.done():
            return
        self._count_timer.stop()
        self._count = None
        if wanted != self._filter:
            if not self._total_exact:
                self._count_start.start()
            return
        if future.exception() is None:
            self._total, self._total_exact = future.result(), True
            self.total_changed.emit()

    def _display_row(self, raw: tuple) -> tuple[str, ...]:
        cached = self._display.get(raw[0])
        if cached is None:
            cached = self._display[raw[0]] = _display_texts(JournalEntry._make(raw))
        return cached

    def _icon(self, outcome: str) -> QIcon:
        icon = self._icons.get(outcome)
        if icon is None:
            icon = self._icons[outcome] = QApplication.style().standardIcon(_OUTCOME_ICONS[outcome])
        return icon


def local_time(entry: JournalEntry) -> str:
    return entry.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_recipient(recipient: str) -> str:
    # Only bare digit strings are numbers; "album 1 / sort 5" stays as written.
    return format_phone(recipient) if recipient.isdigit() else recipient


def _display_texts(entry: JournalEntry) -> tuple[str, ...]:
    content = " ".join(entry.content.split())
    if len(content) > _CONTENT_CHARS:
        content = content[: _CONTENT_CHARS - 1] + "…"
    result = "; ".join(filter(None, [entry.result_id, *entry.messages]))
    return (
        local_time(entry),
        KIND_LABELS.get(entry.kind, entry.kind),
        entry.profile_name,
        format_recipient(entry.recipient),
        content,
        OUTCOME_LABELS.get(entry.outcome, entry.outcome),
        result,
    )
