"""A titled table with Add / Remove / Move up / Move down and its findings under it."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.branch.findings import Finding
from console.ui.branch.delegates import LiveTextDelegate
from console.ui.branch.findings_view import FindingLine
from console.ui.branch.models import Column, RowsModel
from console.ui.palette import muted_text_colour


class RowsTable(QTableView):
    def __init__(self, model: RowsModel, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.setItemDelegate(LiveTextDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setMinimumHeight(self.verticalHeader().defaultSectionSize() * 4
                              + header.sizeHint().height())

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int, column: int = 0) -> None:
        if 0 <= row < self.model().rowCount():
            index = self.model().index(row, column)
            self.setCurrentIndex(index)
            self.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                         | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index)


class TableSection(QWidget):
    """One list of the form. `add_actions` are (button text, accessible name,
    callback returning the row values to insert)."""

    def __init__(self, title: str, model: RowsModel, field: str, *,
                 add_actions: list[tuple[str, str, Callable[[], list[str]]]],
                 help_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.field = field
        self.table = RowsTable(model, self._plain(title))
        if help_text:
            self.table.setToolTip(help_text)
            self.table.setAccessibleDescription(help_text)
        self.title = QLabel(title)
        self.title.setBuddy(self.table)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.help = QLabel(help_text)
        self.help.setWordWrap(True)
        # Qt's placeholder colour is too faint to read on some palettes.
        self.help.setStyleSheet(f"color: {muted_text_colour(self.palette())};")
        self.findings = FindingLine(title.replace("&", ""))

        buttons = QHBoxLayout()
        self.add_buttons: list[QToolButton] = []
        for text, name, make_row in add_actions:
            button = QToolButton()
            button.setText(text)
            button.setAccessibleName(name)
            button.clicked.connect(lambda _checked=False, m=make_row: self.add_row(m()))
            buttons.addWidget(button)
            self.add_buttons.append(button)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setAccessibleName(f"Remove the selected row from {self._plain(title)}")
        self.remove_button.setToolTip("Remove the selected row (Delete)")
        self.up_button = QToolButton()
        self.up_button.setText("Up")
        self.up_button.setAccessibleName(f"Move the selected row up in {self._plain(title)}")
        self.up_button.setToolTip("Move the selected row up (Alt+Up); you can also drag rows")
        self.down_button = QToolButton()
        self.down_button.setText("Down")
        self.down_button.setAccessibleName(f"Move the selected row down in {self._plain(title)}")
        self.down_button.setToolTip("Move the selected row down (Alt+Down); you can also drag rows")
        for button in (self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(+1))
        for keys, slot in ((QKeySequence.StandardKey.Delete, self.remove_current),
                           ("Alt+Up", lambda: self.move_current(-1)),
                           ("Alt+Down", lambda: self.move_current(+1))):
            shortcut = QShortcut(QKeySequence(keys), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        if help_text:
            layout.addWidget(self.help)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.findings)
        model.edited.connect(self._update_buttons)
        self.table.selectionModel().currentChanged.connect(self._update_buttons)
        self._update_buttons()

    @staticmethod
    def _plain(title: str) -> str:
        return title.replace("&", "")

    def add_row(self, values: list[str]) -> int:
        """Insert after the selected row (or at the end) and select its first empty cell."""
        current = self.table.current_row()
        row = self.model.insert_row(current + 1 if current >= 0 else self.model.rowCount(), values)
        column = next((c for c in range(self.model.columnCount())
                       if not values[c] and self.model.flags(self.model.index(row, c))
                       & Qt.ItemFlag.ItemIsEditable), 0)
        self.table.select_row(row, column)
        self.table.setFocus()
        return row

    def remove_current(self) -> None:
        row = self.table.current_row()
        if row < 0:
            return
        self.model.remove_row(row)
        self.table.select_row(min(row, self.model.rowCount() - 1))

    def move_current(self, delta: int) -> None:
        row = self.table.current_row()
        column = max(self.table.currentIndex().column(), 0)
        if row >= 0 and self.model.move_row(row, row + delta):
            self.table.select_row(row + delta, column)

    def show_findings(self, findings: tuple[Finding, ...]) -> None:
        mine = tuple(f for f in findings if f.is_about(self.field))
        self.model.set_findings(mine, self.field)
        self.findings.set_findings(mine)

    def _update_buttons(self, *_args: object) -> None:
        row = self.table.current_row()
        count = self.model.rowCount()
        self.remove_button.setEnabled(0 <= row < count)
        self.up_button.setEnabled(0 < row < count)
        self.down_button.setEnabled(0 <= row < count - 1)


def rows_section(title: str, field: str, columns: list[Column], *,
                 add_actions: list[tuple[str, str, Callable[[], list[str]]]], help_text: str = "",
                 model_parent: QObject | None = None) -> tuple[RowsModel, TableSection]:
    """A `RowsModel` of `columns` and the `TableSection` that edits it."""
    model = RowsModel(columns, model_parent)
    return model, TableSection(title, model, field, add_actions=add_actions, help_text=help_text)
