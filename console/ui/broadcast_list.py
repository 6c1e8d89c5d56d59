"""Step 1 of a broadcast: the list of customers, and what its columns are.

A CSV or Excel file (read off the UI thread, within the bounds of
console/domain/broadcast/bounded.py) or cells pasted from a spreadsheet. The
columns are shown by their titles when the first row holds titles; the user
says which column holds the numbers and, when the list has them, the state,
time-zone and name columns (the calling rules follow the customer's state:
a column says it better than the area code of a ported number).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from console.domain.broadcast.recipients import ColumnMapping, guess_mapping
from console.domain.broadcast.table import DELIMITER_NAMES, Table, TableError, field_key, read_list_file, read_pasted
from console.domain.wording import plural
from console.ui.broadcast.parts import push_button, stack, wrapped_label
from console.ui.widgets import FieldErrorLabel, ResultLabel, add_row

__all__ = ["ListPicker", "column_label"]

_NONE = -1


def column_label(index: int, title: str, sample: str, has_header: bool) -> str:
    """ "Phone (column 2)" with titles; "Column 2: 212-555-1000" without."""
    if has_header and title:
        return f"{title} (column {index + 1})"
    return f"Column {index + 1}: {sample}" if sample else f"Column {index + 1}"


def _read_file(path: Path) -> Table:
    from console.ui.broadcast_check import collector_paused

    with open(path, "rb") as handle, collector_paused():
        return read_list_file(handle)


class ListPicker(QGroupBox):
    """The list and its column choices. `changed` fires when either changes."""

    changed = Signal()
    loading_finished = Signal(bool)  # True: a list was loaded; False: refused or unreadable

    def __init__(self, *, choose_open_path: Callable[[], Path | None],
                 parent: QWidget | None = None) -> None:
        super().__init__("1. Recipients", parent)
        self._choose_open = choose_open_path
        self.table: Table | None = None
        self.mapping: ColumnMapping | None = None
        self.source = ""
        self._filling = False
        self._task: asyncio.Task[None] | None = None

        self.open_button = push_button("&Open CSV or Excel file…",
                                       "Open a CSV or Excel file of recipients",
                                       clicked=self.on_open_clicked)
        self.paste_button = push_button("Paste &cells", "Paste cells copied from a spreadsheet",
                                        clicked=self.on_paste_clicked,
                                        tip="Copy the cells in the spreadsheet (with or without "
                                            "the titles row), then press this.")
        self.source_label = wrapped_label("No recipients yet: open a CSV or Excel file, or paste "
                                          "cells copied from a spreadsheet.", "Recipients source")
        self.source_error = ResultLabel("Recipients problem")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.source_label, 1)

        self.header_check = QCheckBox("The first row holds column titles")
        self.header_check.setAccessibleName("The first row holds column titles")
        self.header_check.toggled.connect(self._on_header_toggled)
        self.number_combo = QComboBox()
        self.state_combo = QComboBox()
        self.zone_combo = QComboBox()
        self.name_combo = QComboBox()
        self.columns_table = QTableWidget(0, 3)
        self.columns_table.setHorizontalHeaderLabels(["Column", "First row of customers",
                                                      "Merge field name"])
        self.columns_table.setToolTip("Double-click a merge field name to change it. Use the names "
                                      "in the message, in braces: {first_name}.")
        header = self.columns_table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.columns_table.verticalHeader().hide()
        self.columns_table.setMaximumHeight(150)
        self.columns_table.itemChanged.connect(self._on_column_renamed)
        self.mapping_error = FieldErrorLabel("Column names")
        form = QFormLayout()
        form.addRow("", self.header_check)
        add_row(form, "&Number column:", self.number_combo, "Number column", None,
                "The column that holds the phone numbers.")
        add_row(form, "State column:", self.state_combo, "State column", None,
                "The column with each customer's state (FL or Florida). Without one, the area "
                "code tells, but a number keeps its area code when its owner moves.")
        add_row(form, "Time-&zone column:", self.zone_combo, "Time-zone column", None,
                "The column with each customer's time zone (Central, America/Chicago), if any.")
        add_row(form, "Name column:", self.name_combo, "Name column", None,
                "The column with the customer's name, shown in the check and the report.")
        add_row(form, "Column n&ames:", self.columns_table, "Column names", self.mapping_error)
        for combo in (self.number_combo, self.state_combo, self.zone_combo, self.name_combo):
            combo.currentIndexChanged.connect(lambda *_: self._on_mapping_changed())

        stack(self, [buttons, self.source_error, form])

    # -- loading ---------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._task is not None and not self._task.done()

    def on_open_clicked(self) -> None:
        path = self._choose_open()
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> asyncio.Task[None]:
        """Read `path` off the UI thread; the buttons are disabled meanwhile."""
        self._task = asyncio.ensure_future(self._load_file(Path(path)))
        return self._task

    async def _load_file(self, path: Path) -> None:
        self.open_button.setEnabled(False)
        self.paste_button.setEnabled(False)
        self.source_label.setText(f"Reading {path.name}…")
        try:
            table = await asyncio.to_thread(_read_file, path)
        except OSError as err:
            self._refuse(f"{path.name} could not be read: {err.strerror or err}. Check that the "
                         "file exists and is not open in another program.")
            return
        except TableError as err:
            self._refuse(f"{path.name}: {err}")
            return
        except MemoryError:  # a bound missed: say so, never a bare MemoryError
            self._refuse(f"{path.name} is too large to read on this computer. Split it into "
                         "smaller files.")
            return
        finally:
            self.open_button.setEnabled(True)
            self.paste_button.setEnabled(True)
        how = (f"{DELIMITER_NAMES.get(table.delimiter, table.delimiter)}-separated, {table.encoding}"
               if table.delimiter else table.encoding)
        self.set_table(table, f"{path.name} ({how})" + "".join(" " + n for n in table.notes))
        self.loading_finished.emit(True)

    def _refuse(self, text: str) -> None:
        self.source_error.show_result("error", text)
        self._show_source()
        self.loading_finished.emit(False)

    def on_paste_clicked(self) -> None:
        self.load_pasted_text(QApplication.clipboard().text())

    def load_pasted_text(self, text: str) -> None:
        try:
            table = read_pasted(text)
        except TableError as err:
            self.source_error.show_result("error", str(err))
            return
        self.set_table(table, "pasted cells")

    def set_table(self, table: Table, source: str) -> None:
        self.source_error.hide()
        self.table = table
        self.source = source
        self._use_mapping(guess_mapping(table))

    def _use_mapping(self, mapping: ColumnMapping) -> None:
        """Show `mapping` in the fields (their own signals held), then say it changed."""
        self._filling = True
        try:
            self.header_check.setChecked(mapping.has_header)
            self._fill_columns(mapping)
        finally:
            self._filling = False
        self.mapping = mapping
        self._show_source()
        self.changed.emit()

    def _show_source(self) -> None:
        if self.table is None:
            self.source_label.setText("No recipients yet: open a CSV or Excel file, or paste "
                                      "cells copied from a spreadsheet.")
            return
        count = len(self.table.rows) - (1 if self.header_check.isChecked() else 0)
        self.source_label.setText(f"{plural(count, 'row')} from {self.source}.")

    # -- columns -------------------------------------------------------------------
    def _fill_columns(self, mapping: ColumnMapping) -> None:
        table = self.table
        assert table is not None
        titles = table.rows[0] if mapping.has_header and table.rows else []
        data = table.rows[1:] if mapping.has_header else table.rows
        first = data[0] if data else []
        labels = [column_label(c, titles[c] if c < len(titles) else "",
                               first[c] if c < len(first) else "", mapping.has_header)
                  for c in range(len(mapping.names))]
        self.number_combo.clear()
        for label in labels:
            self.number_combo.addItem(label)
        self.number_combo.setCurrentIndex(mapping.number_column)
        for combo, chosen, none in ((self.state_combo, mapping.state_column,
                                     "None: the area code tells"),
                                    (self.zone_combo, mapping.zone_column,
                                     "None: from the state or the area code"),
                                    (self.name_combo, mapping.name_column, "None")):
            combo.clear()
            combo.addItem(none, _NONE)
            for index, label in enumerate(labels):
                combo.addItem(label, index)
            combo.setCurrentIndex(combo.findData(_NONE if chosen is None else chosen))
        self.columns_table.setRowCount(len(mapping.names))
        for c, name in enumerate(mapping.names):
            for column, text in enumerate((labels[c].split(":")[0] if not mapping.has_header
                                           else labels[c], first[c] if c < len(first) else "")):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.columns_table.setItem(c, column, item)
            self.columns_table.setItem(c, 2, QTableWidgetItem(name))

    def _role(self, combo: QComboBox) -> int | None:
        data = combo.currentData()
        return None if data is None or data == _NONE else int(data)

    def _on_header_toggled(self, checked: bool) -> None:
        if self._filling or self.table is None:
            return
        guessed = guess_mapping(Table(rows=self.table.rows))
        names = list(guessed.names)
        width = self.table.width
        if not checked:
            names = ["number" if c == self.number_combo.currentIndex() else f"column_{c + 1}"
                     for c in range(width)]
        elif not guessed.has_header:
            first = self.table.rows[0] + [""] * (width - len(self.table.rows[0]))
            names = [field_key(t) or f"column_{c + 1}" for c, t in enumerate(first)]
        mapping = ColumnMapping(number_column=max(0, self.number_combo.currentIndex()),
                                names=tuple(names), has_header=checked,
                                state_column=guessed.state_column if checked else None,
                                zone_column=guessed.zone_column if checked else None,
                                name_column=guessed.name_column if checked else None)
        self._use_mapping(mapping)

    def _on_column_renamed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == 2:
            self._on_mapping_changed()

    def _on_mapping_changed(self) -> None:
        if self._filling or self.table is None:
            return
        items = (self.columns_table.item(c, 2) for c in range(self.columns_table.rowCount()))
        names = tuple(item.text().strip() if item is not None else "" for item in items)
        self.mapping = ColumnMapping(number_column=max(0, self.number_combo.currentIndex()),
                                     names=names, has_header=self.header_check.isChecked(),
                                     state_column=self._role(self.state_combo),
                                     zone_column=self._role(self.zone_combo),
                                     name_column=self._role(self.name_combo))
        self.changed.emit()
