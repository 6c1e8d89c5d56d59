"""The Library table's model: the catalogue's rows for one profile, one query at a time.

Filtering and ordering are done by the catalogue's SQL; the model keeps the
answer as plain tuples, a page at a time as the view scrolls, and builds each
cell's text when it is shown. Every read runs on a thread of its own
(`StoreReader`): the window never waits for the catalogue. A query's first page
comes with its counts and its albums; `loaded` fires after each answer.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
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
from console.store.database import StoreError
from console.ui.store_reader import StoreReader

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
# Rows read per query; the view asks for more as it scrolls (fetchMore).
PAGE = 500
_REPLACED_COLOUR = QColor("#767676")
_STATE = 16  # the state's place in a catalogue row

ModelIndex = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]  # a catalogue row, as CatalogueStore.rows gives it


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

    def kwargs(self) -> dict[str, Any]:
        return dict(text=self.text or None, album=self.album,
                    include_replaced=self.include_replaced, order_by=self.order_by,
                    descending=self.descending)


class LibraryModel(QAbstractTableModel):
    loaded = Signal()  # an answer of the catalogue is in (a query's first page, a page, an order)

    def __init__(self, catalogue: CatalogueStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._reader = StoreReader("library-table", self)
        self._rows: list[Row] = []
        self._more = False
        self._fetching = False
        self._generation = 0
        self._matching = 0
        self._total = 0
        self.albums: list[int] = []
        self.query = LibraryQuery()
        self.error: str | None = None

    @property
    def busy(self) -> bool:
        return self._reader.busy

    # -- querying ------------------------------------------------------------
    def set_query(self, query: LibraryQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Read the query's first page, its counts and the profile's albums (when they come,
        the rows are replaced and `loaded` fires)."""
        self._generation += 1
        generation, query, catalogue = self._generation, self.query, self._catalogue

        def read() -> tuple[list[Row], int, int, list[int]]:
            if not query.profile_id:
                return [], 0, 0, []
            kwargs = query.kwargs()
            rows = catalogue.rows(query.profile_id, **kwargs, offset=0, limit=PAGE)
            kwargs.pop("order_by"), kwargs.pop("descending")
            matching = catalogue.count(query.profile_id, **kwargs)
            total = catalogue.count(query.profile_id, include_replaced=query.include_replaced)
            return rows, matching, total, catalogue.albums(query.profile_id)

        self._reader.read(read, lambda answer: self._first_page(generation, answer), self._failed)

    def _first_page(self, generation: int, answer: tuple[list[Row], int, int, list[int]]) -> None:
        if generation != self._generation:
            return
        rows, self._matching, self._total, self.albums = answer
        self.error = None
        self.beginResetModel()
        self._rows = rows
        self._more = len(rows) == PAGE
        self._fetching = False
        self.endResetModel()
        self.loaded.emit()

    def _failed(self, err: BaseException) -> None:
        self._fetching = False
        if not isinstance(err, CatalogueError | StoreError):
            raise err
        self.error = str(err)
        self.loaded.emit()

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt's default
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._fetching:
            return
        self._fetching = True
        generation, query, offset = self._generation, self.query, len(self._rows)
        catalogue = self._catalogue
        self._reader.read(
            lambda: catalogue.rows(query.profile_id, **query.kwargs(), offset=offset, limit=PAGE),
            lambda rows: self._fetched(generation, rows), self._failed)

    def _fetched(self, generation: int, rows: list[Row]) -> None:
        self._fetching = False
        if generation != self._generation:
            return
        self._more = len(rows) == PAGE
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def matching_count(self) -> int:
        """How many rows the query matches, loaded or not (as last read)."""
        return self._matching if self.query.profile_id else 0

    def total_count(self) -> int:
        """How many recordings the profile has (replaced ones if the query shows them)."""
        return self._total

    def entry(self, row: int) -> CatalogueEntry | None:
        return entry_of(self._rows[row]) if 0 <= row < len(self._rows) else None

    def entries(self) -> list[CatalogueEntry]:
        return [entry_of(row) for row in self._rows]

    # -- Qt model interface ----------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Click to sort by {COLUMNS[section].title.lower()}"
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
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

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.query = replace(self.query, order_by=COLUMNS[column].key,
                             descending=order == Qt.SortOrder.DescendingOrder)
        self._generation += 1
        generation, query, catalogue = self._generation, self.query, self._catalogue
        shown = max(PAGE, len(self._rows))

        def read() -> list[Row]:
            # As many rows as were shown, in the new order.
            if not query.profile_id:
                return []
            return catalogue.rows(query.profile_id, **query.kwargs(), offset=0, limit=shown)

        self._reader.read(read, lambda rows: self._sorted(generation, rows, shown), self._failed)

    def _sorted(self, generation: int, rows: list[Row], shown: int) -> None:
        if generation != self._generation:
            return
        self.layoutAboutToBeChanged.emit()
        self._more = len(rows) == shown
        self._fetching = False
        # A new order of the same rows is a layout change; persistent indexes
        # (the selection) are dropped rather than pointed at the wrong rows.
        self.changePersistentIndexList(self.persistentIndexList(),
                                       [QModelIndex()] * len(self.persistentIndexList()))
        self._rows = rows
        self.layoutChanged.emit()
        self.loaded.emit()


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
