"""The calling rules: what the law allows where, with its source, and the office's stricter settings.

The office may open later, close earlier, block days or public holidays, or
send fewer messages to one person, for every customer or for one state's.
A setting looser than the law's entry is refused, under its field, with what
the law allows and where that comes from; the law's value stays. Settings are
kept office-wide (the broadcast store) and apply to the next row of any
broadcast, also one under way.
"""
from __future__ import annotations

from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidgetItem,
    QTimeEdit,
    QWidget,
)

from console.domain.calling_rules import DAY_NAMES, FEDERAL, Cap, Rule, RuleBook
from console.domain.office_rules import ALL, OfficeRules, OfficeSetting, apply_setting, check_setting
from console.store.broadcasts import BroadcastStore, BroadcastStoreError
from console.ui.broadcast.parts import (
    button_row,
    dialog_frame,
    push_button,
    read_only_table,
    row_box,
    stack,
    wrapped_label,
)
from console.ui.widgets import FieldErrorLabel, ResultLabel, add_row

__all__ = ["CallingRulesDialog"]

_COLUMNS = ("Where", "Hours (their time)", "Limit per person", "The office's own", "Source",
            "Checked")


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def _pytime(value: QTime) -> time:
    return time(value.hour(), value.minute())


class CallingRulesDialog(QDialog):
    def __init__(self, *, store: BroadcastStore, book: RuleBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.book = book
        dialog_frame(self, "Calling rules", size=(980, 620))
        self.keys = [ALL] + sorted(k for k in book.rules if k != FEDERAL)
        intro = wrapped_label(
            "A broadcast reaches each customer only when the law where they are allows it: the "
            "federal rule everywhere, and the stricter rule of their state. The office may make "
            "any rule stricter, never looser. This is not legal advice: have the office's counsel "
            "confirm the entries that apply to it.")
        # No word wrap: the full source of the chosen entry is shown below.
        self.table = read_only_table(_COLUMNS, "Calling rules by place", fit=(0, 2, 5),
                                     stretch=(1, 3, 4))
        self.table.setRowCount(len(self.keys))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.opens_edit = QTimeEdit()
        self.opens_edit.setDisplayFormat("HH:mm")
        self.opens_error = FieldErrorLabel("Opens")
        self.closes_edit = QTimeEdit()
        self.closes_edit.setDisplayFormat("HH:mm")
        self.closes_error = FieldErrorLabel("Closes")
        self.day_checks = [QCheckBox(day[:3]) for day in DAY_NAMES]
        days = QHBoxLayout()
        for day, check in zip(DAY_NAMES, self.day_checks, strict=True):
            check.setAccessibleName(f"No messages on {day}s")
            days.addWidget(check)
        days.addStretch(1)
        days_box = row_box(days)
        self.holidays_check = QCheckBox("No messages on public holidays")
        self.holidays_check.setAccessibleName("No messages on public holidays")
        self.cap_spin = QSpinBox()
        self.cap_spin.setRange(0, 50)
        self.cap_spin.setSpecialValueText("the law's limit only")
        self.cap_hours_spin = QSpinBox()
        self.cap_hours_spin.setRange(1, 24 * 7)
        self.cap_hours_spin.setSuffix(" h")
        self.cap_hours_spin.setAccessibleName("In how many hours")
        self.cap_error = FieldErrorLabel("Messages per person")
        cap = QHBoxLayout()
        cap.addWidget(self.cap_spin)
        in_label = QLabel("in")
        in_label.setBuddy(self.cap_hours_spin)
        cap.addWidget(in_label)
        cap.addWidget(self.cap_hours_spin)
        cap.addStretch(1)
        cap_box = row_box(cap)
        self.editing_label = wrapped_label()
        self.source_label = wrapped_label("", "Source of the chosen rule")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.source_label)
        form.addRow(self.editing_label)
        add_row(form, "O&pen from:", self.opens_edit, "The office opens at", self.opens_error)
        add_row(form, "Close a&t:", self.closes_edit, "The office closes at", self.closes_error)
        no_days = QLabel("No messages on:")
        no_days.setBuddy(self.day_checks[0])
        form.addRow(no_days, days_box)
        form.addRow("", self.holidays_check)
        add_row(form, "At &most, per person:", self.cap_spin, "Messages per person at most",
                self.cap_error)
        form.addRow("", cap_box)
        self.apply_button = push_button("&Apply the office's setting", "Apply the office's setting",
                                        clicked=self.on_apply_clicked)
        self.reset_button = push_button("Use the &law's rule only", "Remove the office's setting",
                                        clicked=self.on_reset_clicked)
        self.result_label = ResultLabel("Calling rules result")
        buttons = button_row((self.apply_button, self.reset_button))
        stack(self, [intro, (self.table, 1), form, buttons, self.result_label], close=self)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.refresh()
        self.table.selectRow(0)

    # -- reading ---------------------------------------------------------------------
    def office(self) -> OfficeRules:
        return OfficeRules.from_json(self.store.office_rules())

    def law(self, key: str) -> Rule:
        return self.book.federal if key == ALL else self.book.law_for(key)

    def refresh(self) -> None:
        office = self.office()
        for row, key in enumerate(self.keys):
            law = self.law(key)
            setting = office.for_key(key)
            own = apply_setting(law, setting) if not setting.empty else None
            where = "Every customer (federal rule)" if key == ALL else law.name
            office_words = "—" if own is None else (
                f"{own.describe_hours()}; {own.describe_caps()}")
            for column, text in enumerate((where, law.describe_hours(), law.describe_caps(),
                                           office_words, law.source.split("; 47 U.S.C.")[0],
                                           law.checked.isoformat() if law.checked else "")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)

    def selected_key(self) -> str:
        rows = self.table.selectionModel().selectedRows()
        return self.keys[rows[0].row()] if rows else ALL

    def select(self, key: str) -> None:
        self.table.selectRow(self.keys.index(key))

    def _show_selected(self) -> None:
        key = self.selected_key()
        law = self.law(key)
        setting = self.office().for_key(key)
        open_days = [h for h in law.days if h is not None]
        earliest = min((h.opens for h in open_days), default=time(8))
        latest = max((h.closes for h in open_days), default=time(21))
        self.source_label.setText(f"Source: {law.source}. Last checked "
                                  f"{law.checked.isoformat() if law.checked else 'never'}.")
        self.editing_label.setText(
            f"The office's own setting for {'every customer' if key == ALL else law.name}: "
            f"the law allows {law.describe_hours()}, {law.describe_caps()}.")
        self.opens_edit.setTime(_qtime(setting.opens or earliest))
        self.closes_edit.setTime(_qtime(setting.closes or latest))
        for day, check in enumerate(self.day_checks):
            check.setChecked(day in setting.blocked_days or law.days[day] is None)
            check.setEnabled(law.days[day] is not None)  # the law's own closed days stay closed
        self.holidays_check.setChecked(setting.holidays_closed or law.holidays_closed)
        self.holidays_check.setEnabled(not law.holidays_closed)
        cap = setting.cap or (law.caps[0] if law.caps else None)
        self.cap_spin.setValue(setting.cap.messages if setting.cap else 0)
        self.cap_hours_spin.setValue(cap.hours if cap else 24)
        for error in (self.opens_error, self.closes_error, self.cap_error):
            error.show_error(None)

    # -- changing ---------------------------------------------------------------------
    def setting_from_fields(self, key: str) -> OfficeSetting:
        law = self.law(key)
        opens = _pytime(self.opens_edit.time())
        closes = _pytime(self.closes_edit.time())
        open_days = [h for h in law.days if h is not None]
        earliest = min((h.opens for h in open_days), default=None)
        latest = max((h.closes for h in open_days), default=None)
        blocked = frozenset(d for d, check in enumerate(self.day_checks)
                            if check.isChecked() and law.days[d] is not None)
        cap = (Cap(self.cap_spin.value(), self.cap_hours_spin.value()) if self.cap_spin.value()
               else None)
        return OfficeSetting(opens=None if opens == earliest else opens,
                             closes=None if closes == latest else closes, blocked_days=blocked,
                             holidays_closed=self.holidays_check.isChecked() and not law.holidays_closed,
                             cap=cap)

    def apply(self, key: str, setting: OfficeSetting) -> list[str]:
        """Keep `setting` for `key` with every looser part refused; the refusals, in words."""
        kept, refusals = check_setting(self.law(key), setting)
        errors = {"Opens": self.opens_error, "Closes": self.closes_error,
                  "Messages per person": self.cap_error}
        for error in errors.values():
            error.show_error(None)
        for refusal in refusals:
            errors[refusal.field].show_error(refusal.text)
        try:
            self.store.save_office_rules(self.office().with_setting(key, kept).to_json())
        except BroadcastStoreError as err:
            self.result_label.show_result("error", str(err))
            return [r.text for r in refusals]
        self.refresh()
        self.select(key)
        for refusal in refusals:  # the fields now show the law's value: keep the reason shown
            errors[refusal.field].show_error(refusal.text)
        where = "every customer" if key == ALL else self.law(key).name
        if refusals:
            self.result_label.show_result("warning", f"Saved for {where}, except what the law does "
                                                     "not allow (see the red notes above).")
        else:
            self.result_label.show_result("ok", f"Saved for {where}. It applies to the next "
                                                "message of every broadcast.")
        return [r.text for r in refusals]

    def on_apply_clicked(self) -> None:
        key = self.selected_key()
        self.apply(key, self.setting_from_fields(key))

    def on_reset_clicked(self) -> None:
        key = self.selected_key()
        self.apply(key, OfficeSetting())
