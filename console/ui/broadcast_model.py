"""The per-row status table of a broadcast run."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from console.domain.broadcast.report import STATE_WORDS
from console.domain.phone import format_phone
from console.store.broadcasts import RowInfo
from console.ui.broadcast.parts import ColumnsModel

_COLUMNS = ("Row", "Number", "Message", "Status", "Details")
_COLOURS = {"sent": "#0d5323", "failed": "#8a1c12", "unknown": "#7a4b00", "sending": "#1d3d6e"}


class BroadcastRowsModel(ColumnsModel):
    columns = _COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowInfo] = []
        self._index: dict[int, int] = {}
        self.run_id: int | None = None

    def set_rows(self, run_id: int | None, rows: list[RowInfo]) -> None:
        self.beginResetModel()
        self.run_id = run_id
        self._rows = list(rows)
        self._index = {r.position: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def update_row(self, row: RowInfo) -> None:
        if row.run_id != self.run_id or row.position not in self._index:
            return
        i = self._index[row.position]
        self._rows[i] = row
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(_COLUMNS) - 1))

    def row_at(self, i: int) -> RowInfo:
        return self._rows[i]

    def rows(self) -> list[RowInfo]:
        return list(self._rows)

    def shown_count(self) -> int:
        return len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        at = self.shown_row(index)
        if at is None:
            return None
        row = self._rows[at]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return str(row.source_row)
            if column == 1:
                return format_phone(row.number)
            if column == 2:
                return row.text if role == Qt.ItemDataRole.ToolTipRole else row.text.replace("\n", " ")
            if column == 3:
                return STATE_WORDS.get(row.state, row.state)
            if column == 4:
                parts = [p for p in (f"Reference {row.result_id}" if row.result_id else "",
                                     row.message) if p]
                return " · ".join(parts)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and row.state in _COLOURS:
            return QBrush(QColor(_COLOURS[row.state]))
        return None
