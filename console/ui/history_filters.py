"""History's filters: kind, outcome, profile, dates and the search, in two rows.

The controls, and the `HistoryFilter` they stand for (`dates` for the part
the calendar adds); the tab applies the filter when they change.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from console.store.profiles import Profile
from console.ui.history_cells import KIND_LABELS, OUTCOME_LABELS


def _day(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class HistoryFilterBar:
    """The filter row (`filter_row`) and the search row (`search_row`), made as
    children of `parent` in the order the keyboard visits them."""

    def __init__(self, parent: QWidget) -> None:
        self.kind_combo = QComboBox(parent)
        self.kind_combo.addItem("All", None)
        for kind, kind_label in KIND_LABELS.items():
            self.kind_combo.addItem(kind_label, kind)
        self.kind_combo.setAccessibleName("Kind filter")

        self.outcome_combo = QComboBox(parent)
        self.outcome_combo.addItem("All", None)
        for outcome in ("done", "failed", "unknown", "pending"):
            self.outcome_combo.addItem(OUTCOME_LABELS[outcome], outcome)
        self.outcome_combo.setAccessibleName("Outcome filter")

        self.profile_combo = QComboBox(parent)
        self.profile_combo.addItem("All", None)
        self.profile_combo.setAccessibleName("Profile filter")
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        today = QDate.currentDate()
        self.from_date = QDateEdit(today.addDays(-30), parent)
        self.to_date = QDateEdit(today, parent)
        edit: QDateEdit
        for edit, name in ((self.from_date, "From date"), (self.to_date, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.to_date.setMinimumDate(self.from_date.date())
        self.any_date_check = QCheckBox("Any date", parent)
        self.any_date_check.setChecked(True)
        self.any_date_check.setAccessibleName("Any date")
        self.any_date_check.setToolTip("Untick to show only entries between the two dates.")

        row = QHBoxLayout()
        control: QWidget
        for text, control in (("&Kind:", self.kind_combo), ("&Outcome:", self.outcome_combo),
                              ("Profi&le:", self.profile_combo), ("Fro&m:", self.from_date),
                              ("&To:", self.to_date)):
            label = QLabel(text, parent)
            label.setBuddy(control)
            row.addWidget(label)
            row.addWidget(control)
            if control is self.to_date:
                row.addWidget(self.any_date_check)
            row.addSpacing(8)
        row.addStretch(1)
        self.filter_row = row

        self.search_edit = QLineEdit(parent)
        self.search_edit.setPlaceholderText("Number, album or words in the message")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search history")
        search_label = QLabel("&Search:", parent)
        search_label.setBuddy(self.search_edit)

        self.refresh_button = QPushButton("&Refresh", parent)
        self.refresh_button.setAccessibleName("Refresh history")
        self.export_button = QPushButton("&Export CSV…", parent)
        self.export_button.setAccessibleName("Export history as CSV")
        self.export_button.setToolTip("Save the entries that match the filters as a CSV file.")

        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.refresh_button)
        search_row.addWidget(self.export_button)
        self.search_row = search_row

    def dates(self) -> tuple[datetime | None, datetime | None]:
        """From the first day's local midnight to the one after the last day, or
        (None, None) for any date: the user thinks in their own calendar days."""
        if self.any_date_check.isChecked():
            return None, None
        start = _day(self.from_date.date())
        end = _day(self.to_date.date()) + timedelta(days=1)
        return (datetime.combine(start, time()).astimezone(),
                datetime.combine(end, time()).astimezone())

    def show_any_date(self, any_date: bool) -> None:
        self.from_date.setEnabled(not any_date)
        self.to_date.setEnabled(not any_date)

    def reload_profiles(self, profiles: list[Profile]) -> bool:
        """Offer `profiles`, keeping the one chosen if it is still there; True when the
        choice changed (it was removed), so the filter must be applied again."""
        combo = self.profile_combo
        current = combo.currentData()
        wanted = [(p.name, p.id) for p in profiles]
        present = [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())]
        if wanted == present:
            return False
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("All", None)
            for name, profile_id in wanted:
                combo.addItem(name, profile_id)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(False)
        return bool(combo.currentData() != current)
