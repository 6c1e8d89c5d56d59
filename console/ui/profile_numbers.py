"""The Profiles dialog's own-numbers editor: a Number/Label table with Add and
Remove, read back as `OwnNumber`s (or the first row that is not a phone number)."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableWidget, QTableWidgetItem

from console.domain.phone import InvalidPhoneError, normalize_phone
from console.store.profiles import OwnNumber
from console.ui.widgets import FieldErrorLabel


class NumbersEditor:
    """The widgets of the numbers field; the dialog lays them out in its form."""

    def __init__(self) -> None:
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Number", "Label"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)
        self.error = FieldErrorLabel("Numbers")
        self.add_button = QPushButton("Add num&ber")
        self.add_button.setAccessibleName("Add number")
        self.add_button.clicked.connect(lambda: self.add_row("", ""))
        self.remove_button = QPushButton("Remove number")
        self.remove_button.setAccessibleName("Remove selected number")
        self.remove_button.clicked.connect(self.remove_selected)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.add_button)
        self.buttons.addWidget(self.remove_button)
        self.buttons.addStretch(1)

    def show(self, rows: list[tuple[str, str]]) -> None:
        self.table.setRowCount(0)
        for number, label in rows:
            self.add_row(number, label)

    def add_row(self, number: str, label: str) -> None:
        """A row; an empty one is put in edit, ready to type the number."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        number_item = QTableWidgetItem(number)
        self.table.setItem(row, 0, number_item)
        self.table.setItem(row, 1, QTableWidgetItem(label))
        if not number:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(number_item)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)

    def read(self) -> tuple[list[OwnNumber], str | None]:
        """The numbers typed (empty rows skipped), or the problem of the first bad row."""
        numbers: list[OwnNumber] = []
        for row in range(self.table.rowCount()):
            number_item = self.table.item(row, 0)
            label_item = self.table.item(row, 1)
            text = number_item.text().strip() if number_item else ""
            label = label_item.text().strip() if label_item else ""
            if not text and not label:
                continue
            try:
                numbers.append(OwnNumber(normalize_phone(text, field="Number"), label))
            except InvalidPhoneError as err:
                return numbers, f"Row {row + 1}: {err}"
        return numbers, None
