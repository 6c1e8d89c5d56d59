"""The office's do-not-contact list: add, remove, import numbers or customers' replies, export.

One list for the whole office: every broadcast skips its numbers, and the
one-off SMS and Calls tabs and History's Send again refuse them
(`do_not_contact_refusal`). Each entry shows when it arrived and how.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QTableWidgetItem, QWidget

from console.domain.broadcast.do_not_contact import DncEntry, day_words, dnc_csv, dnc_words, parse_dnc_csv
from console.domain.broadcast.table import TableError
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.domain.wording import plural
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, DncRecord
from console.ui.broadcast.parts import (
    button_row,
    dialog_frame,
    push_button,
    read_only_table,
    stack,
    wrapped_label,
)
from console.ui.widgets import FieldErrorLabel, ResultLabel, add_row, format_phone_as_typed

PathChooser = Callable[[], "Path | None"]

__all__ = ["DoNotContactDialog", "do_not_contact_refusal"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DoNotContactDialog(QDialog):
    def __init__(self, *, store: BroadcastStore, choose_import_path: PathChooser,
                 choose_export_path: PathChooser, now: Callable[[], datetime] = _utc_now,
                 office_zone: str = "America/New_York", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._choose_import = choose_import_path
        self._choose_export = choose_export_path
        self._now = now
        self.office_zone = office_zone
        dialog_frame(self, "Do-not-contact list — the whole office",
                     accessible="Do-not-contact list", size=(820, 520))

        intro = wrapped_label("Numbers on this list are skipped by every broadcast, and the SMS, "
                              "Calls and History tabs refuse to send to them, whatever profile is "
                              "active. Import the customers' replies to add those who answered STOP.")
        # No word wrap: a number on two lines is misread.
        self.table = read_only_table(["Number", "Reason", "Added", "How it arrived"],
                                     "Numbers not to contact", fit=(0, 2), stretch=(1, 3))

        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("(845) 123-4567")
        format_phone_as_typed(self.number_edit)
        self.number_error = FieldErrorLabel("Number to add")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Asked not to be contacted")
        form = QFormLayout()
        add_row(form, "&Number:", self.number_edit, "Number to add", self.number_error)
        add_row(form, "&Reason:", self.reason_edit, "Reason")
        self.add_button = push_button("&Add to the list", "Add to the list", clicked=self.on_add_clicked)
        self.remove_button = push_button("Re&move selected", "Remove selected numbers",
                                         clicked=self.on_remove_clicked)
        self.import_button = push_button("&Import numbers (CSV)…", "Import numbers from a CSV file",
                                         clicked=self.on_import_clicked)
        self.replies_button = push_button(
            "Import re&plies…", "Import the customers' replies", clicked=self.on_replies_clicked,
            tip="Paste or open replies (number, text, time): STOP and the other opt-out words "
                "are added; replies in plain words are shown for you to confirm.")
        self.export_button = push_button("&Export CSV…", "Export the list as a CSV file",
                                         clicked=self.on_export_clicked)
        self.result_label = ResultLabel("Do-not-contact result")
        buttons = button_row((self.add_button, self.remove_button, self.import_button,
                              self.replies_button, self.export_button))
        stack(self, [intro, (self.table, 1), form, buttons, self.result_label], close=self)
        self.refresh()

    def refresh(self) -> None:
        records = self.store.do_not_contact()
        self.table.setRowCount(len(records))
        for i, record in enumerate(records):
            cells = (format_phone(record.number), record.reason, day_words(record.added),
                     record.source or "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if column != 2 else record.added)
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, record.number)
                self.table.setItem(i, column, item)
        self.table.resizeColumnToContents(0)

    def _stamp(self) -> str:
        return self._now().astimezone(UTC).isoformat(timespec="seconds")

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
            added = self.store.add_do_not_contact([DncRecord(number, reason, self._stamp(),
                                                             "typed in")])
        except BroadcastStoreError as err:
            self.result_label.show_result("error", str(err))
            return
        self.number_edit.clear()
        self.reason_edit.clear()
        self.refresh()
        if added:
            self.result_label.show_result("ok", f"{format_phone(number)} added to the list.")
        else:
            self.result_label.show_result("ok", f"{format_phone(number)} was already on the list; "
                                                "its entry keeps when and how it arrived.")

    def on_remove_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        items = [self.table.item(r, 0) for r in rows]
        numbers = [str(item.data(Qt.ItemDataRole.UserRole)) for item in items if item is not None]
        if not numbers:
            self.result_label.show_result("warning", "Select the numbers to remove first.")
            return
        self.store.remove_do_not_contact(numbers)
        self.refresh()
        self.result_label.show_result("ok",
                                      f"{plural(len(numbers), 'number')} removed from the list.")

    def import_file(self, path: Path) -> None:
        path = Path(path)
        try:
            result = parse_dnc_csv(path.read_bytes(), today=self._now().date())
            added = self.store.add_do_not_contact([
                DncRecord(e.number, e.reason, e.added, f"imported from {path.name}")
                for e in result.entries])
        except (OSError, TableError, BroadcastStoreError) as err:
            self.result_label.show_result("error", f"{path.name} could not be imported: {err}")
            return
        self.refresh()
        text = f"{plural(added, 'new number')} added from {path.name}."
        if result.problems:
            rows = plural(len(result.problems), "row was not a number", "rows were not numbers")
            text += f" {rows}: " + " ".join(result.problems[:3])
        self.result_label.show_result("warning" if result.problems else "ok", text)

    def export_file(self, path: Path) -> None:
        records = self.store.do_not_contact()
        try:
            Path(path).write_bytes(dnc_csv(DncEntry(r.number, r.reason, r.added, r.source)
                                           for r in records))
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

    def on_replies_clicked(self) -> None:
        from console.ui.broadcast_replies import ReplyImportDialog

        dialog = ReplyImportDialog(store=self.store, choose_open_path=self._choose_import,
                                   now=self._now, office_zone=self.office_zone, parent=self)
        dialog.finished.connect(lambda *_: self.refresh())
        dialog.open()
        self.replies_dialog = dialog


def do_not_contact_refusal(store: BroadcastStore | None, number: str, *, field: str) -> str | None:
    """The sentence that stops a one-off send or a resend to a number on the office's list,
    or None when it is not on it (or the list cannot be read: the send is not at stake)."""
    if store is None or not number:
        return None
    try:
        entry = store.do_not_contact_entry(number)
    except BroadcastStoreError:
        return None
    if entry is None:
        return None
    return (f"{field}: {format_phone(number)} is on the office's do-not-contact list "
            f"({dnc_words(entry.reason, entry.added)}), so nothing is sent. If the customer "
            "asked to hear from the office again, remove the number in Broadcast ▸ "
            "Do-not-contact list first.")
