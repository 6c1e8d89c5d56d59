"""Table models behind the designer's and composer's lists.

`RowsModel` keeps rows of text cells, reorders them by drag and drop (and by
`move_row` for the buttons), and shows the validation findings of each cell as
a tinted background and a tooltip. `PlayModel` adds the kind column of a play
item; the other tables (keys, variables, branch steps) are plain `RowsModel`s.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication

from console.branch.findings import SEVERITY_RANK, Finding
from console.branch.schema import FilePlay, PlayItem, TtsPlay
from console.ui.palette import finding_cell_colours, muted_text_colour

FINDINGS_ROLE = Qt.ItemDataRole.UserRole + 1
_MIME = "application/x-voitex-console-rows"
Index = QModelIndex | QPersistentModelIndex


def cell_colours(severity: str) -> tuple[QColor, QColor] | None:
    """(background, text) of a cell with a finding of `severity`, for the
    application's palette (light or dark)."""
    pair = finding_cell_colours(QGuiApplication.palette()).get(severity)
    return (QColor(pair[0]), QColor(pair[1])) if pair else None


def not_used_colour() -> QColor:
    # Quieter than the other cells, yet readable: the palette's own disabled
    # colour is too faint on some palettes.
    return QColor(muted_text_colour(QGuiApplication.palette(), on_base=True))


@dataclass(frozen=True)
class Column:
    key: str  # the field name in a finding's path ("album", "key", "name", ...)
    title: str
    placeholder: str = ""  # what an empty cell means, shown in its tooltip


class RowsModel(QAbstractTableModel):
    """Rows of editable text cells, reorderable, decorated with findings."""

    edited = Signal()  # content changed in any way: typed, added, removed, moved, reset

    def __init__(self, columns: list[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self._column_of = {column.key: i for i, column in enumerate(columns)}
        self._rows: list[list[str]] = []
        self._findings: dict[tuple[int, int], tuple[Finding, ...]] = {}

    # -- content -----------------------------------------------------------
    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(row) for row in self._rows]

    def pairs(self) -> list[tuple[str, str]]:
        """The rows of a two-column table (keys, variables, branch steps)."""
        return [(row[0], row[1]) for row in self._rows]

    def set_rows(self, rows: Iterable[Sequence[str]]) -> None:
        self.beginResetModel()
        self._rows = [list(row) for row in rows]
        self._findings = {}
        self.endResetModel()
        self.edited.emit()

    def insert_row(self, row: int, values: Sequence[str]) -> int:
        row = max(0, min(row, len(self._rows)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, list(values))
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        self.edited.emit()

    def move_row(self, source: int, destination: int) -> bool:
        """Move row `source` so it ends up at index `destination`."""
        count = len(self._rows)
        if not (0 <= source < count and 0 <= destination < count) or source == destination:
            return False
        # beginMoveRows counts the destination before the move happens.
        target = destination + 1 if destination > source else destination
        if not self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), target):
            return False
        self._rows.insert(destination, self._rows.pop(source))
        self.endMoveRows()
        self.edited.emit()
        return True

    # -- findings ----------------------------------------------------------
    def set_findings(self, findings: list[Finding] | tuple[Finding, ...], field: str) -> None:
        """Show the findings whose path is (field, row, column) on their cells."""
        cells: dict[tuple[int, int], list[Finding]] = {}
        for finding in findings:
            path = finding.path
            if len(path) >= 2 and path[0] == field and isinstance(path[1], int):
                column = self._column_of.get(str(path[2])) if len(path) >= 3 else None
                columns = [column] if column is not None else range(len(self.columns))
                for col in columns:
                    cells.setdefault((path[1], col), []).append(finding)
        new = {cell: tuple(items) for cell, items in cells.items()}
        if new == self._findings:
            return
        changed = set(new) | set(self._findings)
        self._findings = new
        if changed and self._rows:
            top = max(0, min(r for r, _ in changed))
            bottom = min(len(self._rows) - 1, max(r for r, _ in changed))
            if top <= bottom:
                self.dataChanged.emit(self.index(top, 0),
                                      self.index(bottom, len(self.columns) - 1),
                                      [Qt.ItemDataRole.ToolTipRole,
                                       Qt.ItemDataRole.BackgroundRole, FINDINGS_ROLE])

    def cell_findings(self, row: int, column: int) -> tuple[Finding, ...]:
        return self._findings.get((row, column), ())

    # -- Qt model interface ------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title if 0 <= section < len(self.columns) else None
        return str(section + 1)

    def display_text(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def cell_applies(self, row: int, column: int) -> bool:
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(row, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._rows[row][column]
        if role == FINDINGS_ROLE:
            return list(self.cell_findings(row, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            found = self.cell_findings(row, column)
            if found:
                return "\n".join(f.message for f in found)
            if not self.cell_applies(row, column):
                return "Not used by this kind of item."
            value = self._rows[row][column]
            # Long text is cut short in its cell; the tooltip shows all of it.
            return value if len(value) > 30 else (self.columns[column].placeholder or None)
        if role == Qt.ItemDataRole.BackgroundRole:
            found = self.cell_findings(row, column)
            if found:
                colours = cell_colours(self._worst(found))
                return QBrush(colours[0]) if colours is not None else None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            found = self.cell_findings(row, column)
            if found:
                colours = cell_colours(self._worst(found))
                return QBrush(colours[1]) if colours is not None else None
            if not self.cell_applies(row, column):
                return QBrush(not_used_colour())
            return None
        return None

    @staticmethod
    def _worst(found: Iterable[Finding]) -> str:
        return min(found, key=lambda f: SEVERITY_RANK[f.severity]).severity

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._rows) or not self.cell_applies(row, column):
            return False
        text = "" if value is None else str(value)
        if self._rows[row][column] == text:
            return True
        self._rows[row][column] = text
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                             Qt.ItemDataRole.EditRole])
        self.edited.emit()
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled)
        if self.cell_applies(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    # -- drag and drop: rows move within the table -------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        mime = QMimeData()
        mime.setData(_MIME, QByteArray(",".join(map(str, rows)).encode("ascii")))
        return mime

    def canDropMimeData(self, data: QMimeData | None, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        return data is not None and data.hasFormat(_MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData | None, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        if data is None or not self.canDropMimeData(data, action, row, column, parent):
            return False
        raw = bytes(data.data(_MIME).data()).decode("ascii")
        sources = [int(part) for part in raw.split(",") if part.isdigit()]
        sources = [r for r in sources if 0 <= r < len(self._rows)]
        if not sources:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._rows)
        # Move each dragged row to just before `row`, keeping their order.
        persistent = [QPersistentModelIndex(self.index(r, 0)) for r in sources]
        insert_at = row
        for handle in persistent:
            source = handle.row()
            destination = insert_at if insert_at <= source else insert_at - 1
            destination = max(0, min(destination, len(self._rows) - 1))
            self.move_row(source, destination)
            insert_at = self.index(destination, 0).row() + 1
        # False: the rows were moved here; the view must not also delete the sources.
        return False


PLAY_KINDS = {"file": "Library file", "tts": "Text to speech"}


class PlayModel(RowsModel):
    """Play items: kind, album, sort, text. A row keeps both kinds' values, so
    switching an item's kind back and forth loses nothing that was typed."""

    KIND, ALBUM, SORT, TEXT = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([
            Column("type", "Kind", "Library file or text to speech"),
            Column("album", "Album", "The album number of the recording, like 10"),
            Column("sort", "Sort", "The sort number of the recording in its album, like 25"),
            Column("text", "Text to speak", "The words to be spoken"),
        ], parent)

    def cell_applies(self, row: int, column: int) -> bool:
        kind = self._rows[row][self.KIND]
        if column in (self.ALBUM, self.SORT):
            return kind == "file"
        if column == self.TEXT:
            return kind == "tts"
        return True

    def display_text(self, row: int, column: int) -> str:
        if column == self.KIND:
            return PLAY_KINDS.get(self._rows[row][column], self._rows[row][column])
        if not self.cell_applies(row, column):
            return "\u2014"  # an em dash: this cell is not used by this kind of item
        return self._rows[row][column]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.isValid() and index.column() == self.KIND and role == Qt.ItemDataRole.EditRole:
            if value not in PLAY_KINDS:
                return False
            changed = self._rows[index.row()][self.KIND] != value
            result = super().setData(index, value, role)
            if changed:
                # Which cells are editable changed along with the kind.
                self.dataChanged.emit(self.index(index.row(), 0),
                                      self.index(index.row(), len(self.columns) - 1))
            return result
        return super().setData(index, value, role)

    def items(self) -> tuple[PlayItem, ...]:
        result = []
        for kind, album, sort, text in self._rows:
            result.append(FilePlay(album, sort) if kind == "file" else TtsPlay(text))
        return tuple(result)

    def set_items(self, items: Iterable[PlayItem]) -> None:
        self.set_rows(_row_of(item) for item in items)


def _row_of(item: PlayItem) -> list[str]:
    if isinstance(item, FilePlay):
        return ["file", item.album, item.sort, ""]
    return ["tts", "", "", item.text]
