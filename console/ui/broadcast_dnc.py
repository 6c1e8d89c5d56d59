"""The do-not-contact list of the active profile: add, remove, import and export."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.broadcast.do_not_contact import DncEntry, dnc_csv, parse_dnc_csv
from console.domain.broadcast.table import TableError
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.domain.wording import plural
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, DncRecord
from console.ui.widgets import FieldErrorLabel, ResultLabel, add_row, format_phone_as_typed

PathChooser = Callable[[], "Path | None"]


class DoNotContactDialog(QDialog):
    def __init__(self, *, store: BroadcastStore, profile_id: str, profile_name: str,
                 choose_import_path: PathChooser, choose_export_path: PathChooser,
                 today: Callable[[], date] = date.today, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.profile_id = profile_id
        self._choose_import = choose_import_path
        self._choose_export = choose_export_path
        self._today = today
        self.setWindowTitle(f"Do-not-contact list — {profile_name}")
        self.setAccessibleName("Do-not-contact list")
        self.resize(640, 480)

        intro = QLabel("Numbers on this list are skipped by every broadcast of this profile, "
                       "and the SMS and Calls tabs warn before sending to them.")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Number", "Reason", "Added"])
        self.table.setAccessibleName("Numbers not to contact")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()

        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("(845) 123-4567")
        format_phone_as_typed(self.number_edit)
        self.number_error = FieldErrorLabel("Number to add")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Asked not to be contacted")
        form = QFormLayout()
        add_row(form, "&Number:", self.number_edit, "Number to add", self.number_error)
        add_row(form, "&Reason:", self.reason_edit, "Reason")
        self.add_button = QPushButton("&Add to the list")
        self.add_button.setAccessibleName("Add to the list")
        self.add_button.clicked.connect(self.on_add_clicked)
        self.remove_button = QPushButton("Re&move selected")
        self.remove_button.setAccessibleName("Remove selected numbers")
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.import_button = QPushButton("&Import CSV…")
        self.import_button.setAccessibleName("Import numbers from a CSV file")
        self.import_button.clicked.connect(self.on_import_clicked)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setAccessibleName("Export the list as a CSV file")
        self.export_button.clicked.connect(self.on_export_clicked)
        self.result_label = ResultLabel("Do-not-contact result")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.import_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        records = self.store.do_not_contact(self.profile_id)
        self.table.setRowCount(len(records))
        for i, record in enumerate(records):
            for column, text in enumerate((format_phone(record.number), record.reason, record.added)):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(256, record.number)
                self.table.setItem(i, column, item)

    def on_add_clicked(self) -> None:
        try:
            number = normalize_phone(self.number_edit.text(), field="Number")
        except InvalidPhoneError as err:
            self.number_error.show_error(str(err))
            self.number_edit.setFocus()
            return
        self.number_error.show_error(None)
        reason = self.reason_edit.text().strip() or "Asked not to be contacted"
        try:
            self.store.add_do_not_contact(self.profile_id, [
                DncRecord(number, reason, self._today().isoformat())])
        except BroadcastStoreError as err:
            self.result_label.show_result("error", str(err))
            return
        self.number_edit.clear()
        self.reason_edit.clear()
        self.refresh()
        self.result_label.show_result("ok", f"{format_phone(number)} added to the list.")

    def on_remove_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        numbers = [self.table.item(r, 0).data(256) for r in rows]
        if not numbers:
            self.result_label.show_result("warning", "Select the numbers to remove first.")
            return
        self.store.remove_do_not_contact(self.profile_id, numbers)
        self.refresh()
        self.result_label.show_result("ok",
                                      f"{plural(len(numbers), 'number')} removed from the list.")

    def import_file(self, path: Path) -> None:
        try:
            result = parse_dnc_csv(Path(path).read_bytes(), today=self._today())
            added = self.store.add_do_not_contact(self.profile_id, [
                DncRecord(e.number, e.reason, e.added) for e in result.entries])
        except (OSError, TableError, BroadcastStoreError) as err:
            self.result_label.show_result("error", f"{Path(path).name} could not be imported: {err}")
            return
        self.refresh()
        text = f"{plural(added, 'new number')} added from {Path(path).name}."
        if result.problems:
            rows = plural(len(result.problems), "row was not a number", "rows were not numbers")
            text += f" {rows}: " + " ".join(result.problems[:3])
        self.result_label.show_result("warning" if result.problems else "ok", text)

    def export_file(self, path: Path) -> None:
        records = self.store.do_not_contact(self.profile_id)
        try:
            Path(path).write_bytes(dnc_csv(DncEntry(r.number, r.reason, r.added) for r in records))
        except OSError as err:
            self.result_label.show_result("error", f"The list could not be saved to {path}: "
                                                   f"{err.strerror or err}. Choose another folder.")
            return
        self.result_label.show_result("ok", f"{plural(len(records), 'number')} saved to {path}.")

    def on_import_clicked(self) -> None:
        path = self._choose_import()
        if path:
            self.import_file(path)

    def on_export_clicked(self) -> None:
        path = self._choose_export()
        if path:
            self.export_file(path)


def do_not_contact_question(store: BroadcastStore | None, profile, number: str, *,
                            action: str, declined: str):
    """The question the one-off SMS and Calls tabs ask before contacting a
    number on the profile's do-not-contact list, or None when it is not on it."""
    from console.ui.send_flow import Confirmation

    if store is None or not number:
        return None
    try:
        reason = store.do_not_contact_map(profile.id).get(number)
    except BroadcastStoreError:
        return None  # the list cannot be read: the send itself is not at stake
    if reason is None:
        return None
    return Confirmation(
        title="On the do-not-contact list",
        text=f"{format_phone(number)} is on the do-not-contact list of '{profile.name}' "
             f"({reason or 'no reason given'}).",
        informative=f"{action} anyway?", action=action, declined=declined)
