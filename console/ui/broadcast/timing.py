"""Step 3 of a broadcast: when and how fast, within the calling rules.

The office's sending hours (each state's law applies on top), what happens to
rows outside their hours, the rate, and the start (now or later). The calling
rules dialog (console/ui/broadcast_rules.py) opens from here; `rules_closed`
says it was closed, `changed` that a field the check depends on changed.
"""
from __future__ import annotations

from datetime import UTC, datetime, time

from PySide6.QtCore import QDateTime, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from console.domain.broadcast.quiet_hours import SKIP as SKIP_MODE
from console.domain.broadcast.quiet_hours import WAIT as WAIT_MODE
from console.domain.broadcast.quiet_hours import Window
from console.domain.calling_rules import RuleBook
from console.store.broadcasts import BroadcastStore
from console.ui.broadcast.parts import push_button, radio_row, row_box, stack, wrapped_label
from console.ui.broadcast.state import sending_window
from console.ui.broadcast_rows import rules_summary
from console.ui.broadcast_rules import CallingRulesDialog
from console.ui.widgets import FieldErrorLabel, add_row

__all__ = ["TimingPanel"]


def _time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class TimingPanel(QGroupBox):
    changed = Signal()
    rules_closed = Signal()

    def __init__(self, *, store: BroadcastStore, book: RuleBook,
                 parent: QWidget | None = None) -> None:
        super().__init__("3. When and how fast", parent)
        self.store = store
        self.rule_book = book
        self.rules_dialog: CallingRulesDialog | None = None
        self.opens_edit = QTimeEdit(QTime(8, 0))
        self.opens_edit.setDisplayFormat("HH:mm")
        self.opens_edit.setAccessibleName("Sending window opens")
        self.closes_edit = QTimeEdit(QTime(21, 0))
        self.closes_edit.setDisplayFormat("HH:mm")
        self.closes_edit.setAccessibleName("Sending window closes")
        self.window_error = FieldErrorLabel("Quiet hours")
        hours = QHBoxLayout()
        self.opens_label = QLabel("Send between")
        self.opens_label.setBuddy(self.opens_edit)
        self.closes_label = QLabel("and")
        self.closes_label.setBuddy(self.closes_edit)
        for widget in (self.opens_label, self.opens_edit, self.closes_label, self.closes_edit,
                       QLabel("in each customer's own time; each state's law applies on top")):
            hours.addWidget(widget)
        hours.addStretch(1)
        self.quiet_combo = QComboBox()
        self.quiet_combo.addItem("wait, and go when the rules allow", WAIT_MODE)
        self.quiet_combo.addItem("are skipped", SKIP_MODE)
        self.per_second_spin = QDoubleSpinBox()
        self.per_second_spin.setRange(0.1, 100)
        self.per_second_spin.setDecimals(1)
        self.per_second_spin.setValue(1.0)
        self.per_second_spin.setAccessibleName("Messages per second")
        self.per_minute_spin = QSpinBox()
        self.per_minute_spin.setRange(1, 6000)
        self.per_minute_spin.setValue(60)
        self.per_minute_spin.setAccessibleName("Messages per minute")
        self.per_minute_label = QLabel("per second, and at most")
        self.per_minute_label.setBuddy(self.per_minute_spin)
        rates = QHBoxLayout()
        for part in (self.per_second_spin, self.per_minute_label, self.per_minute_spin,
                     QLabel("per minute")):
            rates.addWidget(part)
        rates.addStretch(1)
        self.rate_error = FieldErrorLabel("Rate")
        self.start_group, (self.now_radio, self.later_radio), start = radio_row(
            self, [("Now", "Start now"), ("Later, at", "Start later")], stretch=False)
        self.start_edit = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.start_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setAccessibleName("Start time")
        self.start_error = FieldErrorLabel("Start")
        start.addWidget(self.start_edit)
        start.addStretch(1)
        self.rules_button = push_button(
            "Calling rules: &days, hours, limits…", "Calling rules of each state and of the office",
            clicked=self.on_rules_clicked,
            tip="The law's hours, days, holidays and per-person limits for each state, and the "
                "office's own stricter settings.")
        self.rules_label = wrapped_label(rules_summary(book), "Calling rules in force")
        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules_label, 1)
        rules_row.addWidget(self.rules_button)
        stack(self, [self._build_form(row_box(hours), row_box(rules_row), row_box(rates),
                                      row_box(start))])
        for edit in (self.opens_edit, self.closes_edit):
            edit.timeChanged.connect(self.changed)
        self.quiet_combo.currentIndexChanged.connect(self.changed)
        self.start_group.buttonToggled.connect(
            lambda *_: self.start_edit.setEnabled(self.later_radio.isChecked()))
        self.start_edit.setEnabled(False)

    def _build_form(self, hours: QWidget, rules: QWidget, rates: QWidget,
                    start: QWidget) -> QFormLayout:
        form = QFormLayout()
        form.addRow("Sending hours:", hours)
        form.addRow("", self.window_error)
        form.addRow("Calling rules:", rules)
        add_row(form, "Rows outside their hours:", self.quiet_combo, "Rows outside their hours")
        speed_label = QLabel("Send at most:")
        speed_label.setBuddy(self.per_second_spin)
        form.addRow(speed_label, rates)
        form.addRow("", self.rate_error)
        start_label = QLabel("Start:")
        start_label.setBuddy(self.now_radio)
        form.addRow(start_label, start)
        form.addRow("", self.start_error)
        return form

    # -- what is chosen --------------------------------------------------------------
    def sending_hours(self) -> Window | None:
        """The sending hours, or None with the reason shown under them."""
        window, refused = sending_window(_time(self.opens_edit.time()),
                                         _time(self.closes_edit.time()), self.rule_book)
        self.window_error.show_error(refused)
        return window

    def start_time(self) -> datetime | None:
        """When a run starts later, in UTC; None for Now."""
        if not self.later_radio.isChecked():
            return None
        chosen = self.start_edit.dateTime().toPython()  # naive, this computer's time
        if not isinstance(chosen, datetime):
            raise TypeError(f"the start time field holds {chosen!r}, not a date and time")
        return chosen.astimezone(UTC)

    def start_words(self) -> str:
        return self.start_edit.dateTime().toString("yyyy-MM-dd HH:mm")

    def quiet_mode(self) -> str:
        mode = self.quiet_combo.currentData()
        return mode if isinstance(mode, str) else WAIT_MODE

    def errors(self) -> dict[str, tuple[FieldErrorLabel, QWidget]]:
        """Each field's error label and the field, by the names of state.run_settings."""
        return {"window": (self.window_error, self.opens_edit),
                "rate": (self.rate_error, self.per_second_spin),
                "start": (self.start_error, self.start_edit)}

    # -- the calling rules -------------------------------------------------------------
    def on_rules_clicked(self) -> None:
        dialog = CallingRulesDialog(store=self.store, book=self.rule_book, parent=self)
        dialog.finished.connect(lambda *_: self.rules_closed.emit())
        dialog.open()
        self.rules_dialog = dialog
