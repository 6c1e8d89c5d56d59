"""Small Qt helpers the broadcast widgets and dialogs share: a button, a row of radio
buttons, a row of widgets in a margin-free holder, a read-only table, a dialog's frame."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLayout,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from console.ui.layout import push_button, wrapped_label  # one definition each, shared by every tab

__all__ = ["wrapped_label", "push_button", "radio_row", "row_box", "button_row", "read_only_table",
           "dialog_frame", "stack", "ColumnsModel"]


def radio_row(owner: QWidget, choices: Sequence[tuple[str, str]], *,
              stretch: bool = True) -> tuple[QButtonGroup, list[QRadioButton], QHBoxLayout]:
    """Radio buttons (text, accessible name) side by side in one group; the first is checked."""
    group = QButtonGroup(owner)
    buttons: list[QRadioButton] = []
    row = QHBoxLayout()
    for text, accessible in choices:
        radio = QRadioButton(text)
        radio.setAccessibleName(accessible)
        group.addButton(radio)
        row.addWidget(radio)
        buttons.append(radio)
    buttons[0].setChecked(True)
    if stretch:
        row.addStretch(1)
    return group, buttons, row


def row_box(layout: QLayout) -> QWidget:
    """`layout` in a widget of its own with no margins (a form row of several fields)."""
    box = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    box.setLayout(layout)
    return box


def button_row(buttons: Iterable[QWidget], *, stretch_before: bool = False,
               stretch_after: bool = True) -> QHBoxLayout:
    row = QHBoxLayout()
    if stretch_before:
        row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    if stretch_after:
        row.addStretch(1)
    return row


def read_only_table(headers: Sequence[str], accessible: str, *, fit: Iterable[int] = (),
                    stretch: Iterable[int] = (), select_rows: bool = True) -> QTableWidget:
    """A table the user reads and selects in, never edits; `fit` columns take their
    contents' width, `stretch` columns share the rest."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(accessible)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if select_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    for column in fit:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table


def dialog_frame(dialog: QDialog, title: str, *, accessible: str | None = None,
                 size: tuple[int, int]) -> None:
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(accessible or title)
    dialog.resize(*size)


def stack(owner: QWidget, parts: Iterable[QWidget | QLayout | tuple[QWidget, int]], *,
          close: QDialog | None = None, margins: int | None = None) -> QVBoxLayout:
    """`owner`'s layout: the parts top to bottom (a (widget, stretch) pair grows), then a
    Close button that rejects the dialog `close`."""
    column = QVBoxLayout(owner)
    if margins is not None:
        column.setContentsMargins(margins, margins, margins, margins)
    for part in parts:
        if isinstance(part, tuple):
            column.addWidget(part[0], part[1])
        elif isinstance(part, QLayout):
            column.addLayout(part)
        else:
            column.addWidget(part)
    if close is not None:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(close.reject)
        column.addWidget(box)
    return column


class ColumnsModel(QAbstractTableModel):
    """A table model of fixed columns over a list of rows: subclasses say how many rows
    are shown (`shown_count`) and what each cell holds (`data`)."""

    columns: tuple[str, ...] = ()

    def shown_count(self) -> int:
        raise NotImplementedError

    def shown_row(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        """The row `index` points at, or None when it points at none."""
        if not index.isValid() or not 0 <= index.row() < self.shown_count():
            return None
        return index.row()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.shown_count()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return self.columns[section]
        return None
