"""Broadcast: one SMS or notification call to a list of customers.

Steps, top to bottom: recipients (console/ui/broadcast_list.py), the message
(with merge fields) or the call, when and how fast (the office's sending hours
on top of each state's calling rules), the check of every row with its
decision and reason (console/ui/broadcast_preflight.py, worked out off the UI
thread by console/ui/broadcast_check.py), then the runs with their per-row
status (console/ui/broadcast_runs.py).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path

from PySide6.QtCore import QDateTime, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from qasync import asyncSlot

from console.domain import validation
from console.domain.area_codes import area_codes
from console.domain.broadcast.overlap import RECENT, Overlap, find_overlap
from console.domain.broadcast.preflight import (
    KIND_WORDS,
    LEFT_OUT,
    SKIP,
    WAIT,
    Preflight,
    PreflightInput,
    RowDecision,
)
from console.domain.broadcast.quiet_hours import SKIP as SKIP_MODE
from console.domain.broadcast.quiet_hours import WAIT as WAIT_MODE
from console.domain.broadcast.quiet_hours import Window, zone_names_for_number
from console.domain.broadcast.rate import RateError, check_rates
from console.domain.broadcast.recipients import MappingError
from console.domain.broadcast.template import TemplateError, check_template
from console.domain.calling_rules import Hours, RuleBook, rule_book
from console.domain.office_rules import OfficeRules, window_refusal
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.domain.public_holidays import holiday_name
from console.domain.wording import plural, shorten_at_word
from console.jobs.broadcast_runner import BroadcastRunner
from console.jobs.session import AccountSession
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, RunSpec
from console.store.interface import HistoryStore
from console.store.journal import JournalError
from console.ui.broadcast_check import PreflightRunner
from console.ui.broadcast_dnc import DoNotContactDialog
from console.ui.broadcast_guard import INCLUDE, LEAVE_OUT, Choose, default_choose, overlap_question
from console.ui.broadcast_list import ListPicker
from console.ui.broadcast_preflight import PreflightPanel
from console.ui.broadcast_rows import office_zone_name, rules_summary, run_rows
from console.ui.broadcast_rules import CallingRulesDialog
from console.ui.broadcast_runs import RunsPanel
from console.ui.library.picker import LibraryFollower, RecordingPicker
from console.ui.messages import MessageBridge
from console.ui.send_flow import CALL, SMS, Form, SendFlow
from console.ui.widgets import (
    Confirm,
    FieldErrorLabel,
    ResultLabel,
    add_row,
    default_confirm,
    fill_numbers,
    format_phone_as_typed,
    key_is_missing,
    live_confirmation,
)

PathChooser = Callable[[], "Path | None"]
TextAsker = Callable[[str, str], "str | None"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BroadcastTab(QWidget):
    run_started = Signal(int)  # run id
    checked = Signal()  # the check of every row is up to date

    def __init__(self, *, session: AccountSession, sender, store: BroadcastStore,
                 runner: BroadcastRunner, messages: MessageBridge,
                 confirm: Confirm = default_confirm,
                 clock: Callable[[], datetime] = _utc_now,
                 choose_open_path: PathChooser | None = None,
                 choose_save_path: PathChooser | None = None,
                 ask_text: TextAsker | None = None,
                 choose: Choose = default_choose,
                 history: HistoryStore | None = None,
                 office_zone: str | None = None,
                 rules: RuleBook | None = None,
                 library=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # History answers "who got this same message lately" before a start, and
        # counts each number's messages for the per-person caps.
        self.history = history
        if history is not None:
            runner.use_history(history)
        self.choose = choose
        self.library = library  # a LibrarySource: the library file id is picked by name
        self.session = session
        self.sender = sender
        self.store = store
        self.runner = runner
        self.messages = messages
        self.confirm = confirm
        self._clock = clock
        self.office_zone = office_zone or office_zone_name()
        self.rule_book = rules or rule_book()
        self._choose_open = choose_open_path or self._open_dialog
        self._choose_save = choose_save_path or self._save_dialog
        self._ask_text = ask_text or self._text_dialog
        self._template_error = ""
        self._tested: tuple[str, str] | None = None  # (kind, message) a test went out with
        self._starting = False  # a Start is being handled: a second click does nothing
        self._own_run_id: int | None = None  # the run this tab last started
        self.checker = PreflightRunner(store=store, history=history, parent=self)
        self.checker.finished.connect(self._on_checked)
        self.checker.failed.connect(self._on_check_failed)
        self.checker_result = Preflight()
        self._recompute_timer = QTimer(self)
        self._recompute_timer.setSingleShot(True)
        self._recompute_timer.setInterval(150)
        self._recompute_timer.timeout.connect(self.recompute)

        self.list_picker = ListPicker(choose_open_path=self._choose_open)
        for name in ("open_button", "paste_button", "source_label", "source_error", "header_check",
                     "number_combo", "state_combo", "zone_combo", "name_combo", "columns_table",
                     "mapping_error"):
            setattr(self, name, getattr(self.list_picker, name))
        self.list_picker.changed.connect(self.recompute)
        self.list_picker.loading_finished.connect(lambda _ok: self._update_start_button())
        layout = QVBoxLayout(self)
        self.result_label = ResultLabel("Broadcast result")
        self.runs = RunsPanel(session=session, store=store, runner=runner, messages=messages,
                              confirm=lambda box: self.confirm(box), result_label=self.result_label,
                              choose_save_path=lambda: self._choose_save())
        for name in ("resume_label", "resume_button", "runs_combo", "progress_bar", "progress_label",
                     "model", "rows_view", "pause_button", "resume_run_button", "cancel_button",
                     "send_again_button", "mark_sent_button", "export_button"):
            setattr(self, name, getattr(self.runs, name))
        self.runs_box = self.runs
        self.runs.run_ended.connect(self._on_run_ended)
        self.runs.progress_shown.connect(self._update_start_button)
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_label, 1)
        resume_row.addWidget(self.resume_button)
        layout.addLayout(resume_row)
        layout.addWidget(self.list_picker)
        layout.addWidget(self._build_message())
        layout.addWidget(self._build_timing())
        layout.addWidget(self._build_check())
        layout.addWidget(self.runs)
        layout.addStretch(1)

        session.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(session.profile)
        self._show_kind_fields()

    # -- building ----------------------------------------------------------------
    def _build_message(self) -> QGroupBox:
        box = QGroupBox("2. Message")
        self.sms_radio = QRadioButton("SMS")
        self.sms_radio.setAccessibleName("Broadcast an SMS")
        self.call_radio = QRadioButton("Notification call")
        self.call_radio.setAccessibleName("Broadcast a notification call")
        self.sms_radio.setChecked(True)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.sms_radio)
        self.kind_group.addButton(self.call_radio)
        kinds = QHBoxLayout()
        kinds.addWidget(self.sms_radio)
        kinds.addWidget(self.call_radio)
        kinds.addStretch(1)

        self.from_combo = QComboBox()
        self.from_error = FieldErrorLabel("From")
        self.template_combo = QComboBox()
        self.template_combo.setPlaceholderText("No saved templates yet")
        self.use_template_button = QPushButton("Use")
        self.use_template_button.setAccessibleName("Use the saved template")
        self.use_template_button.clicked.connect(self.on_use_template_clicked)
        self.save_template_button = QPushButton("Save as template…")
        self.save_template_button.setAccessibleName("Save the message as a template")
        self.save_template_button.clicked.connect(self.on_save_template_clicked)
        self.delete_template_button = QPushButton("Delete template")
        self.delete_template_button.setAccessibleName("Delete the saved template")
        self.delete_template_button.clicked.connect(self.on_delete_template_clicked)
        templates = QHBoxLayout()
        templates.addWidget(self.template_combo, 1)
        templates.addWidget(self.use_template_button)
        templates.addWidget(self.save_template_button)
        templates.addWidget(self.delete_template_button)
        templates_box = QWidget()
        templates_box.setLayout(templates)
        templates.setContentsMargins(0, 0, 0, 0)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText("Hello {first_name}, the office is closed tomorrow.")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setMaximumHeight(110)
        self.body_error = FieldErrorLabel("Message")
        self.fields_label = QLabel()
        self.fields_label.setWordWrap(True)
        self.fields_label.setAccessibleName("Merge fields you can use")

        self.cid_combo = QComboBox()
        self.cid_error = FieldErrorLabel("Caller id")
        self.stream_radio = QRadioButton("Play a recording from the library")
        self.stream_radio.setAccessibleName("Call type: play a recording")
        self.goto_radio = QRadioButton("Route into an IVR branch")
        self.goto_radio.setAccessibleName("Call type: route into an IVR branch")
        self.stream_radio.setChecked(True)
        self.call_type_group = QButtonGroup(self)
        self.call_type_group.addButton(self.stream_radio)
        self.call_type_group.addButton(self.goto_radio)
        call_types = QHBoxLayout()
        call_types.addWidget(self.stream_radio)
        call_types.addWidget(self.goto_radio)
        call_types.addStretch(1)
        call_types_box = QWidget()
        call_types_box.setLayout(call_types)
        call_types.setContentsMargins(0, 0, 0, 0)
        self.sfile_edit = RecordingPicker()
        if self.library is not None:
            LibraryFollower(self.sfile_edit, self.library)
        self.sfile_error = FieldErrorLabel("Library file id")
        self.route_edit = QLineEdit()
        self.route_edit.setPlaceholderText("(845) 951-1000")
        format_phone_as_typed(self.route_edit)
        self.route_error = FieldErrorLabel("Route number")
        self.branch_edit = QLineEdit()
        self.branch_edit.setPlaceholderText("150")
        self.branch_error = FieldErrorLabel("Branch number")

        form = QFormLayout()
        form.addRow("", kinds)
        self.from_label = add_row(form, "F&rom:", self.from_combo, "From number", self.from_error,
                                  "The account's number the customers see the message come from.")
        self.templates_label = add_row(form, "Sa&ved templates:", self.template_combo,
                                       "Saved templates")
        self.body_label = add_row(form, "&Message:", self.body_edit, "Message text", self.body_error,
                                  "Merge fields in braces are replaced by each row's value.")
        form.addRow("", self.fields_label)
        form.addRow("", templates_box)
        self.cid_label = add_row(form, "Call&er id:", self.cid_combo, "Caller id", self.cid_error,
                                 "The account's number the people called see.")
        form.addRow("", call_types_box)
        self.sfile_label = add_row(form, "Library f&ile id:", self.sfile_edit, "Library file id",
                                   self.sfile_error, "The recording id shown after an upload or TTS.")
        self.route_label = add_row(form, "Ro&ute number:", self.route_edit, "Route number",
                                   self.route_error, "The hotline number whose IVR to enter.")
        self.branch_label = add_row(form, "Branch num&ber:", self.branch_edit, "Branch number",
                                    self.branch_error, "The branch of that IVR to start in.")
        self._message_form = form
        self._call_types_box = call_types_box
        self._templates_box = templates_box

        self.kind_group.buttonToggled.connect(lambda *_: self._show_kind_fields())
        self.call_type_group.buttonToggled.connect(lambda *_: self._show_kind_fields())
        self.body_edit.textChanged.connect(self._schedule_recompute)
        for edit in (self.sfile_edit, self.route_edit, self.branch_edit):
            edit.textChanged.connect(self._schedule_recompute)
        column = QVBoxLayout(box)
        column.addLayout(form)
        return box


    def _build_timing(self) -> QGroupBox:
        box = QGroupBox("3. When and how fast")
        self.opens_edit = QTimeEdit(QTime(8, 0))
        self.opens_edit.setDisplayFormat("HH:mm")
        self.closes_edit = QTimeEdit(QTime(21, 0))
        self.closes_edit.setDisplayFormat("HH:mm")
        self.window_error = FieldErrorLabel("Quiet hours")
        hours = QHBoxLayout()
        self.opens_label = QLabel("Send between")
        self.opens_label.setBuddy(self.opens_edit)
        self.closes_label = QLabel("and")
        self.closes_label.setBuddy(self.closes_edit)
        hours.addWidget(self.opens_label)
        hours.addWidget(self.opens_edit)
        hours.addWidget(self.closes_label)
        hours.addWidget(self.closes_edit)
        hours.addWidget(QLabel("in each customer's own time; each state's law applies on top"))
        hours.addStretch(1)
        self.opens_edit.setAccessibleName("Sending window opens")
        self.closes_edit.setAccessibleName("Sending window closes")
        self.quiet_combo = QComboBox()
        self.quiet_combo.addItem("wait, and go when the rules allow", WAIT_MODE)
        self.quiet_combo.addItem("are skipped", SKIP_MODE)
        self.per_second_spin = QDoubleSpinBox()
        self.per_second_spin.setRange(0.1, 100)
        self.per_second_spin.setDecimals(1)
        self.per_second_spin.setValue(1.0)
        self.per_minute_spin = QSpinBox()
        self.per_minute_spin.setRange(1, 6000)
        self.per_minute_spin.setValue(60)
        rates = QHBoxLayout()
        rates.addWidget(self.per_second_spin)
        self.per_minute_label = QLabel("per second, and at most")
        self.per_minute_label.setBuddy(self.per_minute_spin)
        rates.addWidget(self.per_minute_label)
        rates.addWidget(self.per_minute_spin)
        rates.addWidget(QLabel("per minute"))
        rates.addStretch(1)
        self.per_second_spin.setAccessibleName("Messages per second")
        self.per_minute_spin.setAccessibleName("Messages per minute")
        self.rate_error = FieldErrorLabel("Rate")
        self.now_radio = QRadioButton("Now")
        self.now_radio.setAccessibleName("Start now")
        self.later_radio = QRadioButton("Later, at")
        self.later_radio.setAccessibleName("Start later")
        self.now_radio.setChecked(True)
        self.start_group = QButtonGroup(self)
        self.start_group.addButton(self.now_radio)
        self.start_group.addButton(self.later_radio)
        self.start_edit = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.start_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setAccessibleName("Start time")
        self.start_error = FieldErrorLabel("Start")
        start = QHBoxLayout()
        start.addWidget(self.now_radio)
        start.addWidget(self.later_radio)
        start.addWidget(self.start_edit)
        start.addStretch(1)
        hours_box, rates_box, start_box = QWidget(), QWidget(), QWidget()
        for holder, inner in ((hours_box, hours), (rates_box, rates), (start_box, start)):
            inner.setContentsMargins(0, 0, 0, 0)
            holder.setLayout(inner)
        self.rules_button = QPushButton("Calling rules: &days, hours, limits…")
        self.rules_button.setAccessibleName("Calling rules of each state and of the office")
        self.rules_button.setToolTip("The law's hours, days, holidays and per-person limits for "
                                     "each state, and the office's own stricter settings.")
        self.rules_button.clicked.connect(self.on_rules_clicked)
        self.rules_label = QLabel(rules_summary(self.rule_book))
        self.rules_label.setWordWrap(True)
        self.rules_label.setAccessibleName("Calling rules in force")
        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules_label, 1)
        rules_row.addWidget(self.rules_button)
        rules_box = QWidget()
        rules_row.setContentsMargins(0, 0, 0, 0)
        rules_box.setLayout(rules_row)
        form = QFormLayout()
        form.addRow("Sending hours:", hours_box)
        form.addRow("", self.window_error)
        form.addRow("Calling rules:", rules_box)
        add_row(form, "Rows outside their hours:", self.quiet_combo, "Rows outside their hours")
        speed_label = QLabel("Send at most:")
        speed_label.setBuddy(self.per_second_spin)
        form.addRow(speed_label, rates_box)
        form.addRow("", self.rate_error)
        start_label = QLabel("Start:")
        start_label.setBuddy(self.now_radio)
        form.addRow(start_label, start_box)
        form.addRow("", self.start_error)
        for widget in (self.opens_edit, self.closes_edit):
            widget.timeChanged.connect(self._schedule_recompute)
        self.quiet_combo.currentIndexChanged.connect(self._schedule_recompute)
        self.start_group.buttonToggled.connect(lambda *_: self.start_edit.setEnabled(
            self.later_radio.isChecked()))
        self.start_edit.setEnabled(False)
        column = QVBoxLayout(box)
        column.addLayout(form)
        return box


    def _build_check(self) -> QGroupBox:
        box = QGroupBox("4. Check and send")
        self.check_panel = PreflightPanel(choose_save_path=lambda: self._choose_save())
        self.check_panel.exported.connect(self._on_check_exported)
        self.totals_label = self.check_panel.totals_label
        self.dnc_button = QPushButton("Do-not-contact &list…")
        self.dnc_button.setAccessibleName("Manage the do-not-contact list")
        self.dnc_button.clicked.connect(self.on_dnc_clicked)
        self.test_edit = QLineEdit()
        self.test_edit.setPlaceholderText("Your own mobile, (845) 123-4567")
        format_phone_as_typed(self.test_edit)
        self.test_error = FieldErrorLabel("Test number")
        self.test_button = QPushButton("Send a &test to one number")
        self.test_button.setAccessibleName("Send a test to one number")
        self.test_button.setToolTip("Sends the first row's message to the number beside it, "
                                    "so you can see it on a phone before the customers do.")
        self.test_button.clicked.connect(self.on_test_clicked)
        test_label = QLabel("Test number:")
        test_label.setBuddy(self.test_edit)
        self.test_edit.setAccessibleName("Test number")
        self.start_button = QPushButton("&Start broadcast")
        self.start_button.setAccessibleName("Start broadcast")
        self.start_button.clicked.connect(self.on_start_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dnc_button)
        buttons.addStretch(1)
        buttons.addWidget(test_label)
        buttons.addWidget(self.test_edit)
        buttons.addWidget(self.test_button)
        # The test send goes through the same flow as the SMS and Calls tabs.
        self.test_flows = {
            kind: SendFlow(parent=self, session=self.session, messages=self.messages,
                           button=self.test_button, result_label=self.result_label,
                           kind=words, confirm=self.confirm)
            for kind, words in (("sms", SMS), ("call", CALL))}
        for flow in self.test_flows.values():
            buttons.addWidget(flow.cancel_button)
        buttons.addWidget(self.start_button)
        column = QVBoxLayout(box)
        column.addWidget(self.check_panel)
        column.addLayout(buttons)
        column.addWidget(self.test_error)
        column.addWidget(self.result_label)
        return box

    # -- dialogs (replaced in tests) ---------------------------------------------------
    # -- dialogs (replaced in tests) ---------------------------------------------------
    def _open_dialog(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "Open recipients", "",
                                              "Spreadsheets (*.csv *.txt *.tsv *.xlsx);;All files (*)")
        return Path(name) if name else None

    def _save_dialog(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, "Save as CSV", "", "CSV files (*.csv)")
        return Path(name) if name else None

    def _text_dialog(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label)
        return text if ok else None


    # -- recipients ----------------------------------------------------------------
    def on_open_clicked(self) -> None:
        self.list_picker.on_open_clicked()

    def load_csv_file(self, path: Path) -> asyncio.Task[None]:
        """Read the list off the UI thread; the check follows when it is in."""
        return self.list_picker.load_file(Path(path))

    def on_paste_clicked(self) -> None:
        self.list_picker.on_paste_clicked()

    def load_pasted_text(self, text: str) -> None:
        self.list_picker.load_pasted_text(text)

    # -- message -------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return "sms" if self.sms_radio.isChecked() else "call"

    @property
    def call_type(self) -> str:
        return "stream" if self.stream_radio.isChecked() else "goto"

    def _show_kind_fields(self) -> None:
        sms = self.kind == "sms"
        form = self._message_form
        for label in (self.from_label, self.templates_label, self.body_label):
            form.setRowVisible(label, sms)
        form.setRowVisible(self.fields_label, sms)
        form.setRowVisible(self._templates_box, sms)
        form.setRowVisible(self.cid_label, not sms)
        form.setRowVisible(self._call_types_box, not sms)
        stream = self.call_type == "stream"
        form.setRowVisible(self.sfile_label, not sms and stream)
        form.setRowVisible(self.route_label, not sms and not stream)
        form.setRowVisible(self.branch_label, not sms and not stream)
        self._schedule_recompute()

    def _call_description(self) -> str:
        if self.call_type == "stream":
            return f"Plays library file {self.sfile_edit.text().strip() or '(not chosen yet)'}"
        return (f"Routes into branch {self.branch_edit.text().strip() or '?'} of "
                f"{self.route_edit.text().strip() or '?'}")

    def _refresh_templates(self) -> None:
        current = self.template_combo.currentText()
        self.template_combo.clear()
        templates = self.store.templates()
        for name, body in templates.items():
            self.template_combo.addItem(name, body)
        index = self.template_combo.findText(current)
        if index >= 0:
            self.template_combo.setCurrentIndex(index)
        has = bool(templates)
        self.use_template_button.setEnabled(has)
        self.delete_template_button.setEnabled(has)

    def on_use_template_clicked(self) -> None:
        body = self.template_combo.currentData()
        if body is not None:
            self.body_edit.setPlainText(body)

    def on_save_template_clicked(self) -> None:
        body = self.body_edit.toPlainText()
        if not body.strip():
            self.body_error.show_error("Message: write the message first, then save it as a template.")
            return
        name = self._ask_text("Save template", "Template name:")
        if name is None:
            return
        try:
            self.store.save_template(name, body)
        except (ValueError, BroadcastStoreError) as err:
            self.messages.error(str(err))
            return
        self._refresh_templates()
        self.template_combo.setCurrentIndex(self.template_combo.findText(name.strip()))
        self.messages.info(f"Template '{name.strip()}' saved.")

    def on_delete_template_clicked(self) -> None:
        name = self.template_combo.currentText()
        if name:
            self.store.delete_template(name)
            self._refresh_templates()
            self.messages.info(f"Template '{name}' deleted.")


    # -- the check -----------------------------------------------------------------
    def _schedule_recompute(self, *_args) -> None:
        self._recompute_timer.start()

    def _window(self) -> Window | None:
        opens, closes = self.opens_edit.time(), self.closes_edit.time()
        opening, closing = time(opens.hour(), opens.minute()), time(closes.hour(), closes.minute())
        try:
            window = Window(opening, closing)
        except ValueError as err:
            self.window_error.show_error(str(err))
            return None
        refused = window_refusal(self.rule_book, opening, closing)
        self.window_error.show_error(refused)
        return None if refused else window

    def _preflight_input(self) -> PreflightInput | None:
        """What the check needs, or None (no list, a message or column problem shown)."""
        self._template_error = ""
        self.body_error.show_error(None)
        self.mapping_error.show_error(None)
        mapping = self.list_picker.mapping
        table = self.list_picker.table
        names = list(mapping.names) if mapping else []
        self.fields_label.setText(
            ("Merge fields: " + "  ".join("{" + n + "}" for n in names)) if names
            else "Merge fields appear here once the recipients are in.")
        required: list[str] = []
        sms = self.kind == "sms"
        if sms:
            try:
                required = check_template(self.body_edit.toPlainText(), names)
            except TemplateError as err:
                self._template_error = str(err)
                self.body_error.show_error(str(err))
        window = self._window()
        if table is None or mapping is None or self._template_error or window is None:
            return None
        if sms and not self.body_edit.toPlainText().strip():
            return None
        return PreflightInput(
            table=table, mapping=mapping, sms=sms,
            template=self.body_edit.toPlainText() if sms else self._call_description(),
            required_fields=required, do_not_contact={}, send_times={},
            start=self._start_time() or self._clock(), mode=self.quiet_combo.currentData(),
            office_zone=self.office_zone, rules=self.rule_book, office=OfficeRules(),
            window=Hours(window.opens, window.closes), area_codes=area_codes(),
            zones_of=zone_names_for_number, holiday=holiday_name)

    def recompute(self) -> None:
        """Check every row again with the current choices (off the UI thread for long lists)."""
        self._recompute_timer.stop()
        given = self._preflight_input()
        if given is None:
            self.checker_result = Preflight()
            if self.list_picker.table is None:
                words = "No recipients yet: open a file or paste cells under 1. Recipients."
            elif self._template_error:
                words = "Correct the message to see what happens to each row."
            elif self.window_error.isVisible():
                words = "Correct the sending hours to see what happens to each row."
            else:
                words = "Write the message to see what happens to each row."
            self.check_panel.clear(words)
            self._update_start_button()
            self.checked.emit()
            return
        if len(given.table.rows) > self.checker.inline_rows:
            self.check_panel.show_pending(f"Checking {plural(len(given.table.rows), 'row')}…")
        self.checker.request(given)
        self._update_start_button()

    @property
    def check_busy(self) -> bool:
        return self.checker.busy

    def _on_checked(self, preflight: Preflight) -> None:
        self.checker_result = preflight
        self.check_panel.show_preflight(preflight, sms=self.kind == "sms")
        self._update_start_button()
        self.checked.emit()

    def _on_check_failed(self, text: str) -> None:
        self.checker_result = Preflight()
        if text.startswith("Column") or text.startswith("Choose the column"):
            self.mapping_error.show_error(text)
        elif text.startswith("Message"):
            self.body_error.show_error(text)
        self.check_panel.clear(text)
        self._update_start_button()
        self.checked.emit()

    def _on_check_exported(self, text: str) -> None:
        kind, _, words = text.partition(":")
        (self.messages.error if kind == "error" else self.messages.info)(words)

    def left_out_counts(self) -> dict[str, int]:
        """Rows not sent, by reason, in plain words."""
        counts = self.checker_result.counts
        return {KIND_WORDS[k].lower(): counts[k] for k in (SKIP, *LEFT_OUT) if counts[k]}

    def _start_time(self) -> datetime | None:
        if not self.later_radio.isChecked():
            return None
        return self.start_edit.dateTime().toPython().astimezone(UTC)


    # -- do not contact and calling rules --------------------------------------------
    def on_dnc_clicked(self) -> None:
        dialog = DoNotContactDialog(store=self.store, choose_import_path=self._choose_open,
                                    choose_export_path=self._choose_save,
                                    now=self._clock, office_zone=self.office_zone, parent=self)
        dialog.finished.connect(lambda *_: self.recompute())
        dialog.open()
        self.dnc_dialog = dialog

    def on_rules_clicked(self) -> None:
        dialog = CallingRulesDialog(store=self.store, book=self.rule_book, parent=self)
        dialog.finished.connect(lambda *_: self.recompute())
        dialog.open()
        self.rules_dialog = dialog

    # -- sending -----------------------------------------------------------------
    def _validate_send(self) -> dict | None:
        """The run's settings, or None after showing every problem (first one focused)."""
        errors: list[QWidget] = []
        settings: dict = {}
        for error in (self.from_error, self.cid_error, self.sfile_error, self.route_error,
                      self.branch_error, self.rate_error, self.start_error):
            error.show_error(None)
        if self.kind == "sms":
            number = self.from_combo.currentData()
            if not number:
                self.from_error.show_error("From: this profile has no numbers of its own yet. "
                                           "Add one in Profile ▸ Manage profiles.")
                errors.append(self.from_combo)
            settings["from"] = number
        else:
            cid = self.cid_combo.currentData()
            if not cid:
                self.cid_error.show_error("Caller id: this profile has no numbers of its own yet. "
                                          "Add one in Profile ▸ Manage profiles.")
                errors.append(self.cid_combo)
            settings.update(cid=cid, type=self.call_type)
            if self.call_type == "stream":
                try:
                    settings["sfile_id"] = validation.parse_library_file_id(
                        self.sfile_edit.recording_id_text())
                except validation.FieldError as err:
                    self.sfile_error.show_error(str(err))
                    errors.append(self.sfile_edit)
            else:
                try:
                    settings["route_number"] = normalize_phone(self.route_edit.text(),
                                                               field="Route number")
                except InvalidPhoneError as err:
                    self.route_error.show_error(str(err))
                    errors.append(self.route_edit)
                try:
                    settings["branch_number"] = validation.parse_branch(self.branch_edit.text())
                except validation.FieldError as err:
                    self.branch_error.show_error(str(err))
                    errors.append(self.branch_edit)
        window = self._window()
        if window is None:
            errors.append(self.opens_edit)
        else:
            settings.update(window_opens=f"{window.opens:%H:%M}",
                            window_closes=f"{window.closes:%H:%M}")
        try:
            check_rates(self.per_second_spin.value(), self.per_minute_spin.value())
        except RateError as err:
            self.rate_error.show_error(str(err))
            errors.append(self.per_second_spin)
        settings.update(per_second=self.per_second_spin.value(),
                        per_minute=self.per_minute_spin.value(),
                        quiet_mode=self.quiet_combo.currentData())
        start = self._start_time()
        if start is not None and start <= self._clock():
            self.start_error.show_error("Start: that time has passed. Choose a later time, "
                                        "or Now.")
            errors.append(self.start_edit)
        settings["office_zone"] = self.office_zone
        if errors:
            errors[0].setFocus()
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return None
        return settings

    def _confirm_live(self, settings: dict, rows: list[RowDecision], *,
                      left_out_twice: int = 0) -> bool:
        profile = self.session.profile
        if profile.is_sandbox:
            return True
        what = "SMS" if self.kind == "sms" else "notification call"
        text = (f"Send this {what} to {plural(len(rows), 'recipient')} on the live account "
                f"'{profile.name}'?")
        lines = []
        if self.kind == "sms":
            lines.append(f"Total: {plural(sum(r.segments for r in rows), 'text')} (a long message "
                         "is sent as several texts, each one paid for).")
            lines.append("The first messages:")
            lines += [f"{i}. To {r.shown_number}: {r.text}" for i, r in enumerate(rows[:3], start=1)]
        else:
            lines.append(f"Each call: {self._call_description()}.")
        waits = sum(1 for r in rows if r.kind == WAIT)
        if waits:
            lines.append(f"{plural(waits, 'recipient waits', 'recipients wait')} for their hours "
                         "and will get it when the rules allow.")
        left = self.left_out_counts()
        if left_out_twice:
            left["would get it twice"] = left_out_twice
        if left:
            lines.append("Not sent: " + ", ".join(f"{n:,} {w}" for w, n in left.items()) + ".")
        if self._tested == (self.kind, self._message_key()):
            lines.append("A test went out with this message.")
        else:
            lines.append("No test was sent with this message: consider sending one first.")
        lines.append("This cannot be undone.")
        box = live_confirmation(self, title="Start the broadcast?", text=text,
                                informative="\n".join(lines), action="Start broadcast")
        return self.confirm(box)

    def _message_key(self) -> str:
        return self.body_edit.toPlainText() if self.kind == "sms" else self._call_description()

    @asyncSlot()
    async def on_test_clicked(self) -> None:
        self.test_error.show_error(None)
        try:
            to = normalize_phone(self.test_edit.text(), field="Test number")
        except InvalidPhoneError as err:
            self.test_error.show_error(str(err))
            self.test_edit.setFocus()
            return
        settings = self._validate_send()
        going = self.checker_result.going
        if settings is None or not going:
            return
        first = going[0]
        if self.kind == "sms":
            def call():
                return self.sender.send_sms(from_number=settings["from"], to=to, body=first.text)
        else:
            def call():
                return self.sender.place_call(cid=settings["cid"], to=to, type=settings["type"],
                                              sfile_id=settings.get("sfile_id"),
                                              route_number=settings.get("route_number"),
                                              branch_number=settings.get("branch_number"))
        flow = self.test_flows["sms" if self.kind == "sms" else "call"]
        await flow.run(
            form=Form(), confirmations=lambda _profile: [], request=call,
            busy_text=f"Sending a test to {format_phone(to)}…",
            done_text=lambda _result: (
                f"Test sent to {format_phone(to)} with row {first.row}'s message. "
                "Check it on the phone, then start the broadcast."))
        if flow.last_outcome == "done":
            self._tested = (self.kind, self._message_key())

    @asyncSlot()
    async def on_start_clicked(self) -> None:
        # The button is disabled at once, but a second click already queued
        # must not start a second run of the same list either.
        if self._starting or self._own_run_running():
            return
        self._starting = True
        self.start_button.setEnabled(False)
        try:
            await self._start()
        finally:
            self._starting = False
            self._update_start_button()

    async def _start(self) -> None:
        settings = self._validate_send()
        if settings is None:
            return
        given = self._preflight_input()
        if given is None:
            self.result_label.show_result("error", "There is no one to send to: check the "
                                                   "recipients and the message.")
            return
        try:
            preflight = await self.checker.compute_now(given)
        except (MappingError, TemplateError) as err:
            self.result_label.show_result("error", str(err))
            return
        except (JournalError, BroadcastStoreError) as err:
            self.result_label.show_result("error", f"The broadcast was not started: the "
                                                   f"do-not-contact list or History could not be "
                                                   f"read ({err}).")
            return
        rows = preflight.going
        if not rows:
            self.result_label.show_result("error", "There is no one to send to: every row is "
                                                   "skipped or left out (see 4. Check and send).")
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        profile = self.session.profile
        try:
            overlap = await self._find_overlap(profile.id, rows)
        except (JournalError, BroadcastStoreError) as err:
            self.result_label.show_result("error", f"The broadcast was not started: History could not "
                                                   f"be read to check who got this already ({err}).")
            return
        again = 0
        twice: list[RowDecision] = []
        if overlap:
            answer = self.choose(overlap_question(self, overlap, len(rows)))
            if answer not in (LEAVE_OUT, INCLUDE):
                self.result_label.show_result("warning", "Not started.")
                return
            if answer == LEAVE_OUT:
                twice = [r for i, r in enumerate(rows) if i in overlap.indexes]
                rows = [r for i, r in enumerate(rows) if i not in overlap.indexes]
                again = len(twice)
            if not rows:
                self.result_label.show_result(
                    "warning", "Not started: every recipient got this message in the last 24 hours "
                               "or is in a broadcast that is not over.")
                return
        if not self._confirm_live(settings, rows, left_out_twice=again):
            self.result_label.show_result("warning", "Not started.")
            return
        if self.kind == "sms":
            name = shorten_at_word(self.body_edit.toPlainText(), 60) or "Broadcast"
        else:
            name = self._call_description()
        spec = RunSpec(profile_id=profile.id, profile_name=profile.name, kind=self.kind,
                       name=name, settings=settings, start_at=self._start_time())
        new_rows, left_out = run_rows(preflight, rows, twice)
        try:
            # Off the UI thread: a long list is thousands of rows to write.
            run_id = await asyncio.to_thread(self.store.create_run, spec, new_rows, left_out)
        except BroadcastStoreError as err:
            self.result_label.show_result("error", f"The broadcast was not started: {err}")
            self.messages.error(str(err))
            return
        self._own_run_id = run_id
        self.runs.refresh(select=run_id)
        self.runner.start(run_id)
        when = (f"It starts at {self.start_edit.dateTime().toString('yyyy-MM-dd HH:mm')}."
                if spec.start_at else "It is running; follow each row under 5. Runs.")
        text = f"Broadcast #{run_id} started to {plural(len(new_rows), 'recipient')}."
        if again:
            text += f" {plural(again, 'recipient')} left out who would have got it twice."
        text += f" {when}"
        self.result_label.show_result("ok", text)
        self.messages.info(text)
        self.run_started.emit(run_id)
        self._show_runs()

    async def _find_overlap(self, profile_id: str, rows: list) -> Overlap:
        """Rows whose customer got this same message in the last 24 hours (any broadcast or
        one-off send, from History) or is still to be sent to by a run that is not over."""
        since = self._clock() - RECENT
        history = self.history

        def read() -> Overlap:
            recent = ([(e.recipient, e.content, e.created_at) for e in history.recent_sends(
                since, kinds=(self.kind,), profile_id=profile_id)] if history is not None else [])
            running = self.store.numbers_in_open_runs(profile_id)
            return find_overlap([(r.number, r.text) for r in rows],
                                recent=recent, running=running)

        return await asyncio.to_thread(read)

    def _own_run_running(self) -> bool:
        return self._own_run_id is not None and self.runner.is_running(self._own_run_id)

    def _update_start_button(self) -> None:
        """Start works once per broadcast: not while its run goes on, nor while a start is handled."""
        ready = (bool(self.checker_result.going) and not self._template_error
                 and not self.list_picker.loading)
        running = self._own_run_running()
        self.start_button.setEnabled(ready and not running and not self._starting)
        self.start_button.setToolTip(
            f"Broadcast #{self._own_run_id} is under way: follow it under 5. Runs, or pause or "
            "cancel it there." if running else "")

    def _show_runs(self) -> None:
        """Bring the run's progress into sight (the tab sits in a scroll area)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(self.runs, 0, 0)


    # -- runs --------------------------------------------------------------------
    def current_run_id(self) -> int | None:
        return self.runs.current_run_id()

    def export_report(self, run_id: int, path: Path) -> asyncio.Task[None]:
        return self.runs.export_report(run_id, path)

    def _on_run_ended(self, run_id: int, state: str, text: str) -> None:
        run = self.store.run(run_id)
        if run_id == self._own_run_id:
            # The "it is running" words no longer hold, and Start is free again (a
            # second start of the same list meets the 24-hour question).
            self._own_run_id = None
            self.result_label.show_result("warning" if run.unknown or state == "cancelled" else "ok",
                                          text)
        self._update_start_button()

    # -- profile and drafts ------------------------------------------------------------
    def _on_profile_changed(self, profile) -> None:
        fill_numbers(self.from_combo, profile)
        fill_numbers(self.cid_combo, profile)
        self._refresh_templates()
        self.runs.refresh()
        self.runs.show_resume_offer()
        self.result_label.hide()
        self._schedule_recompute()

    def draft(self) -> dict:
        return {"kind": self.kind, "body": self.body_edit.toPlainText(),
                "sfile_id": self.sfile_edit.text()}

    def restore_draft(self, draft: dict) -> None:
        if not isinstance(draft, dict):
            return
        (self.call_radio if draft.get("kind") == "call" else self.sms_radio).setChecked(True)
        if isinstance(draft.get("body"), str):
            self.body_edit.setPlainText(draft["body"])
        if isinstance(draft.get("sfile_id"), str):
            self.sfile_edit.setText(draft["sfile_id"])
