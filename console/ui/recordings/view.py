"""The queue table: shows a drop hint while it is empty."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QAccessible, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from console.domain.validation import ALBUM_MAX, ALBUM_MIN, SORT_MAX, SORT_MIN
from console.ui.recordings.delegates import NumberDelegate, ProgressDelegate
from console.ui.recordings.model import (
    COL_ALBUM,
    COL_AUDIO,
    COL_FILE,
    COL_NAME,
    COL_SIZE,
    COL_SORT,
    COL_STATUS,
)

DROP_HINT = "Drop wav or mp3 files or folders here, or use Add files…"
DRAG_HINT = "Release to add these files to the queue"


class QueueView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dragging = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setItemDelegateForColumn(COL_ALBUM, NumberDelegate(ALBUM_MIN, ALBUM_MAX, "Album", self))
        self.setItemDelegateForColumn(COL_SORT, NumberDelegate(SORT_MIN, SORT_MAX, "Sort number", self))
        self.setItemDelegateForColumn(COL_STATUS, ProgressDelegate(self))
        self.setAccessibleName("Upload queue")
        self.setAccessibleDescription(DROP_HINT)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        # Narrow enough that Status keeps ~250 px in a 1024 px window.
        widths = {COL_FILE: 180, COL_ALBUM: 55, COL_SORT: 55, COL_NAME: 140,
                  COL_AUDIO: 190, COL_SIZE: 75}
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Stretch)
        if model is not None:
            model.rowsInserted.connect(self.viewport().update)
            model.rowsRemoved.connect(self.viewport().update)

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,
                    bottom_right: QModelIndex | QPersistentModelIndex,
                    roles: Sequence[int] | None = None) -> None:
        # Qt repaints the whole viewport for any change wider than one cell, even
        # rows scrolled out of sight: with uploads or a dropped folder's rows
        # changing below the visible ones, that was a full repaint every tick.
        # Only the visible part of the change is repainted here. With an editor
        # open, or a screen reader listening, Qt's own handling stays (it also
        # refreshes editors and tells assistive technology).
        if (self.state() == QAbstractItemView.State.EditingState or QAccessible.isActive()
                or not top_left.isValid() or not bottom_right.isValid()):
            super().dataChanged(top_left, bottom_right, list(roles or ()))
            return
        first_visible = self.rowAt(0)
        last_visible = self.rowAt(self.viewport().height() - 1)
        if first_visible < 0:
            return  # no row on screen
        if last_visible < 0:
            last_visible = self.model().rowCount() - 1
        top, bottom = max(top_left.row(), first_visible), min(bottom_right.row(), last_visible)
        if top > bottom:
            return  # all of the change is out of sight; it is painted when scrolled to
        y = self.rowViewportPosition(top)
        height = self.rowViewportPosition(bottom) + self.rowHeight(bottom) - y
        left, right = top_left.column(), bottom_right.column()
        x = min(self.columnViewportPosition(c) for c in range(left, right + 1))
        width = max(self.columnViewportPosition(c) + self.columnWidth(c)
                    for c in range(left, right + 1)) - x
        self.viewport().update(QRect(x, y, width, height))

    def set_dragging(self, dragging: bool) -> None:
        self.dragging = dragging
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() > 0 and not self.dragging:
            return
        painter = QPainter(self.viewport())
        rect = self.viewport().rect().adjusted(24, 24, -24, -24)
        if self.dragging:
            pen = painter.pen()
            pen.setColor(self.palette().color(QPalette.ColorRole.Highlight))
            pen.setWidth(2)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRoundedRect(rect, 8, 8)
        if model is None or model.rowCount() == 0 or self.dragging:
            painter.setPen(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.2)
            painter.setFont(font)
            text = DRAG_HINT if self.dragging else DROP_HINT
            if model is not None and model.rowCount() > 0:
                # Over a filled table the hint goes at the bottom, not over the rows.
                rect.setTop(rect.bottom() - painter.fontMetrics().height() * 2)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        painter.end()
