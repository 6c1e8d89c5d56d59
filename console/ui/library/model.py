"""The Library table's model: the catalogue's rows for one profile, one query at a time.

Filtering and ordering are done by the catalogue's SQL; the model keeps the
answer as plain tuples, a page at a time as the view scrolls, and builds each
cell's text when it is shown.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from console.domain.audio import format_duration, format_size
from console.store.catalogue import (
    REPLACED,
    CatalogueEntry,
    CatalogueError,
    CatalogueStore,
    day_text,
    entry_of,
    shorten,
)

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
# Rows read per query; the view asks for more as it scrolls (fetchMore).
PAGE = 500
_REPLACED_COLOUR = QColor("#767676")
_STATE = 16  # the state's place in a catalogue row


@dataclass(frozen=True)
class LibraryColumn:
    key: str  # the catalogue's order_by name
    title: str


COLUMNS = (
    LibraryColumn("name", "Name"),
    LibraryColumn("album", "Album"),
    LibraryColumn("sort", "Sort"),
    LibraryColumn("recording_id", "Recording id"),
    LibraryColumn("source", "Source"),
    LibraryColumn("duration", "Length"),
    LibraryColumn("format", "Format"),
    LibraryColumn("when", "When"),
    LibraryColumn("state", "State"),
)
NAME, ALBUM, SORT, RECORDING_ID, SOURCE, DURATION, FORMAT, WHEN, STATE = range(len(COLUMNS))


@dataclass(frozen=True)
class LibraryQuery:
    profile_id: str = ""
    text: str = ""
    album: int | None = None
    include_replaced: bool = False
    order_by: str = "album"
    descending: bool = False

    def kwargs(self) -> dict:
        return dict(text=self.text or None, album=self.album,
                    include_replaced=self.include_replaced, order_by=self.order_by,
                    descending=self.descending)


class LibraryModel(QAbstractTableModel):
    def __init__(self, catalogue: CatalogueStore, parent=None) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._rows: list[tuple] = []
        self._more = False
        self.query = LibraryQuery()
        self.error: str | None = None

    # -- querying ------------------------------------------------------------
    def set_query(self, query: LibraryQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        rows = self._page(0)
        self.beginResetModel()
        self._rows = rows
        self._more = len(rows) == PAGE
        self.endResetModel()

    def _page(self, offset: int) -> list[tuple]:
        """One page of the query's rows; SQL filters and orders, so a page is cheap."""
        if not self.query.profile_id:
            return []
        try:
            rows = self._catalogue.rows(self.query.profile_id, **self.query.kwargs(),
                                        offset=offset, limit=PAGE)
        except CatalogueError as err:
            self.error = str(err)
            return []
        self.error = None
        return rows

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        rows = self._page(len(self._rows))
        self._more = len(rows) == PAGE
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def fetch_all(self) -> None:
        """Load every matching row (finding one recording among them)."""
        while self.canFetchMore():
            self.fetchMore()

    def matching_count(self) -> int:
        """How many rows the query matches, loaded or not."""
        if not self.query.profile_id:
            return 0
        kwargs = self.query.kwargs()
        kwargs.pop("order_by"), kwargs.pop("descending")
        try:
            return self._catalogue.count(self.query.profile_id, **kwargs)
        except CatalogueError:
            return len(self._rows)

    def entry(self, row: int) -> CatalogueEntry | None:
        return entry_of(self._rows[row]) if 0 <= row < len(self._rows) else None

    def entries(self) -> list[CatalogueEntry]:
        return [entry_of(row) for row in self._rows]

    # -- Qt model interface ----------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Click to sort by {COLUMNS[section].title.lower()}"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = index.column()
        if not 0 <= column < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(entry_of(self._rows[index.row()]), column)
        if role == ENTRY_ROLE:
            return entry_of(self._rows[index.row()])
        if role == Qt.ItemDataRole.ToolTipRole:
            entry = entry_of(self._rows[index.row()])
            if column == SOURCE:
                return entry.tts_text if entry.kind == "tts" else entry.file_path
            if column == STATE and entry.state == REPLACED:
                return "A later recording went to the same album and sort number."
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._rows[index.row()][_STATE] == REPLACED:
                return QBrush(_REPLACED_COLOUR)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (ALBUM, SORT, RECORDING_ID, DURATION):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self.query = replace(self.query, order_by=COLUMNS[column].key,
                             descending=order == Qt.SortOrder.DescendingOrder)
        # As many rows as were shown, in the new order.
        rows: list[tuple] = []
        while True:
            page = self._page(len(rows))
            rows.extend(page)
            if len(page) < PAGE or len(rows) >= len(self._rows):
                break
        self._more = len(rows) % PAGE == 0 and bool(rows)
        # A new order of the same rows is a layout change; persistent indexes
        # (the selection) are dropped rather than pointed at the wrong rows.
        self.changePersistentIndexList(self.persistentIndexList(),
                                       [QModelIndex()] * len(self.persistentIndexList()))
        self._rows = rows
        self.layoutChanged.emit()


def cell_text(entry: CatalogueEntry, column: int) -> str:
    if column == NAME:
        return entry.display_name
    if column == ALBUM:
        return str(entry.album)
    if column == SORT:
        return "" if entry.sort is None else str(entry.sort)
    if column == RECORDING_ID:
        return entry.recording_id
    if column == SOURCE:
        if entry.kind == "tts":
            return f"Text to speech: “{shorten(entry.tts_text or '', 50)}”"
        size = f" ({format_size(entry.file_size)})" if entry.file_size is not None else ""
        return f"{entry.file_name or 'a file'}{size}"
    if column == DURATION:
        return format_duration(entry.duration_s) if entry.duration_s is not None else ""
    if column == FORMAT:
        return (entry.format or "").upper()
    if column == WHEN:
        return f"{day_text(entry.created_at)}, {entry.created.astimezone():%H:%M}"
    if column == STATE:
        return "replaced" if entry.state == REPLACED else "in the library"
    return ""
