"""History's table view: one row an entry, fixed row heights, columns sized for their words."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from console.ui.history_model import HistoryModel


def history_table(parent: QWidget, model: HistoryModel) -> QTableView:
    """The entries' table: one row each, fixed heights, columns wide enough for their words."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName("History entries")
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    # Fixed row heights: measuring rows would read every loaded entry.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(
        table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(model.COL_CONTENT, QHeaderView.ResizeMode.Stretch)
    metrics = table.fontMetrics()
    widths = {
        model.COL_TIME: metrics.horizontalAdvance("2024-12-31 23:59:59") + 16,
        model.COL_KIND: metrics.horizontalAdvance("Upload") + 20,
        model.COL_PROFILE: metrics.horizontalAdvance("Main office NY") + 16,
        model.COL_TO: metrics.horizontalAdvance("album 10 / sort 250") + 16,
        model.COL_OUTCOME: metrics.horizontalAdvance("Unknown") + 40,
        model.COL_RESULT: metrics.horizontalAdvance("REF7Q2K9ZP1M3XA sent ok") + 16,
    }
    for column, width in widths.items():
        header.resizeSection(column, width)
    return table
