"""Broadcast: one SMS or notification call to a list of customers.

Steps, top to bottom: recipients (a CSV file or pasted cells, and what the
columns are), the message (with merge fields) or the call, when and how fast,
the check (every row left out with its reason, every row's own text and cost),
then the run with its per-row status.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from qasync import asyncSlot

from console.domain import validation
from console.domain.broadcast.overlap import RECENT, Overlap, find_overlap
from console.domain.broadcast.preview import Preview, build_preview
from console.domain.broadcast.quiet_hours import SKIP, WAIT, Window, next_opening, zones_for_number
from console.domain.broadcast.rate import RateError, check_rates
from console.domain.broadcast.recipients import (
    DO_NOT_CONTACT,
    DUPLICATE,
    INVALID,
    MISSING_FIELD,
    PROBLEM_WORDS,
    ColumnMapping,
    MappingError,
    RecipientList,
    RowProblem,
    build_recipients,
    guess_mapping,
)
from console.domain.broadcast.report import report_csv
from console.domain.broadcast.table import DELIMITER_NAMES, Table, TableError, field_key, read_file_bytes, read_pasted
from console.domain.broadcast.template import TemplateError, check_template
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.domain.wording import plural, shorten_at_word
from console.jobs.broadcast_runner import BroadcastRunner, RunProgress
from console.jobs.session import AccountSession
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, NewRow, RunInfo, RunSpec
from console.store.interface import HistoryStore
from console.store.journal import JournalError
from console.ui.broadcast_dnc import DoNotContactDialog
from console.ui.broadcast_guard import INCLUDE, LEAVE_OUT, Choose, cancel_question, default_choose, overlap_question
from console.ui.broadcast_model import BroadcastRowsModel
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

_RUN_STATE_WORDS = {
    "scheduled": "scheduled", "running": "running", "paused": "paused",
    "interrupted": "interrupted (the console closed)", "cancelled": "cancelled",
    "finished": "finished",
}
_PREVIEW_LIMIT = 500  # rows shown in the preview table; totals always count every row


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return plural(seconds, "second")
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return plural(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    return f"{plural(hours, 'hour')} {plural(minutes, 'minute')}"


class BroadcastTab(QWidget):
    run_started = Signal(int)  # run id

    def __init__(self, *, session: AccountSession, sender, store: BroadcastStore,
                 runner: BroadcastRunner, messages: MessageBridge,
                 confirm: Confirm = default_confirm,
                 clock: Callable[[], datetime] = _utc_now,
                 choose_open_path: PathChooser | None = None,
                 choose_save_path: PathChooser | None = None,
                 ask_text: TextAsker | None = None,
                 choose: Choose = default_choose,
                 history: HistoryStore | None = None,
                 library=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # History answers "who got this same message lately" before a start.
        self.history = history
        self.choose = choose
        self.library = library  # a LibrarySource: the library file id is picked by name
        self.session = session
        self.sender = sender
        self.store = store
        self.runner = runner
        self.messages = messages
        self.confirm = confirm
        self._clock = clock
        self._choose_open = choose_open_path or self._open_dialog
        self._choose_save = choose_save_path or self._save_dialog
        self._ask_text = ask_text or self._text_dialog
        self._table: Table | None = None
        self._source = ""
        self._mapping: ColumnMapping | None = None
        self._recipients = RecipientList()
        self._preview = Preview()
        self._template_error = ""
        self._tested: tuple[str, str] | None = None  # (kind, message) a test went out with
        self._filling = False
        self._starting = False  # a Start is being handled: a second click does nothing
        self._own_run_id: int | None = None  # the run this tab last started
        self._recompute_timer = QTimer(self)
        self._recompute_timer.setSingleShot(True)
        self._recompute_timer.setInterval(150)
        self._recompute_timer.timeout.connect(self.recompute)

        layout = QVBoxLayout(self)
        self.resume_label = ResultLabel("Broadcast to resume")
        self.resume_button = QPushButton("Resume it")
        self.resume_button.setAccessibleName("Resume the interrupted broadcast")
        self.resume_button.clicked.connect(self.on_resume_offer_clicked)
        self.resume_button.hide()
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_label, 1)
        resume_row.addWidget(self.resume_button)
        layout.addLayout(resume_row)
        layout.addWidget(self._build_recipients())
        layout.addWidget(self._build_message())
        layout.addWidget(self._build_timing())
        layout.addWidget(self._build_check())
        layout.addWidget(self._build_runs())
        layout.addStretch(1)

        runner.row_changed.connect(self._on_runner_row_changed)
        runner.progress_changed.connect(self._on_runner_progress)
        runner.run_finished.connect(self._on_run_finished)
        runner.run_stopped.connect(self._on_run_stopped)
        runner.rate_limited.connect(self._on_rate_limited)
        session.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(session.profile)
        self._show_kind_fields()

    # -- building ----------------------------------------------------------------
    def _build_recipients(self) -> QGroupBox:
        box = QGroupBox("1. Recipients")
        self.open_button = QPushButton("&Open CSV or Excel file…")
        self.open_button.setAccessibleName("Open a CSV or Excel file of recipients")
        self.open_button.clicked.connect(self.on_open_clicked)
        self.paste_button = QPushButton("Paste &cells")
        self.paste_button.setAccessibleName("Paste cells copied from a spreadsheet")
        self.paste_button.setToolTip("Copy the cells in the spreadsheet (with or without the "
                                     "titles row), then press this.")
        self.paste_button.clicked.connect(self.on_paste_clicked)
        self.source_label = QLabel("No recipients yet: open a CSV or Excel file, or paste cells "
                                   "copied from a spreadsheet.")
        self.source_label.setWordWrap(True)
        self.source_label.setAccessibleName("Recipients source")
        self.source_error = ResultLabel("Recipients problem")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.source_label, 1)

        self.header_check = QCheckBox("The first row holds column titles")
        self.header_check.setAccessibleName("The first row holds column titles")
        self.header_check.toggled.connect(self._on_header_toggled)
        self.number_combo = QComboBox()
        self.columns_table = QTableWidget(0, 2)
        self.columns_table.setHorizontalHeaderLabels(["First value", "Merge field name"])
        self.columns_table.setAccessibleName("Column names")
        self.columns_table.setToolTip("Double-click a name to change it. Use the names in the "
                                      "message, in braces: {first_name}.")
        self.columns_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.columns_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.columns_table.setMaximumHeight(150)
        self.columns_table.itemChanged.connect(self._on_column_renamed)
        self.mapping_error = FieldErrorLabel("Column names")
        form = QFormLayout()
        form.addRow("", self.header_check)
        add_row(form, "&Number column:", self.number_combo, "Number column", None,
                "The column that holds the phone numbers.")
        add_row(form, "Column n&ames:", self.columns_table, "Column names", self.mapping_error)
        self.number_combo.currentIndexChanged.connect(lambda *_: self._on_mapping_changed())

        column = QVBoxLayout(box)
        column.addLayout(buttons)
        column.addWidget(self.source_error)
        column.addLayout(form)
        return box

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
        hours.addWidget(QLabel("in each customer's own time (from the area code)"))
        hours.addStretch(1)
        self.opens_edit.setAccessibleName("Sending window opens")
        self.closes_edit.setAccessibleName("Sending window closes")
        self.quiet_combo = QComboBox()
        self.quiet_combo.addItem("wait, and go when their window opens", WAIT)
        self.quiet_combo.addItem("are skipped", SKIP)
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
        form = QFormLayout()
        form.addRow("Quiet hours:", hours_box)
        form.addRow("", self.window_error)
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
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        self.totals_label.setAccessibleName("Broadcast totals")
        self.problems_label = QLabel("Rows left out")
        self.problems_table = QTableWidget(0, 4)
        self.problems_table.setHorizontalHeaderLabels(["Row", "Number", "Problem", "Reason"])
        self.problems_table.setAccessibleName("Rows left out, with their reasons")
        self.problems_label.setBuddy(self.problems_table)
        header = self.problems_table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems_table.verticalHeader().hide()
        self.problems_table.setMaximumHeight(160)
        self.preview_label = QLabel("Preview: each customer's own message")
        self.preview_table = QTableWidget(0, 5)
        self.preview_table.setHorizontalHeaderLabels(["Row", "Number", "Message", "Characters",
                                                      "Messages"])
        self.preview_table.setAccessibleName("Preview of each message")
        self.preview_label.setBuddy(self.preview_table)
        header = self.preview_table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.verticalHeader().hide()
        self.preview_table.setMinimumHeight(160)

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
        self.result_label = ResultLabel("Broadcast result")
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
        column.addWidget(self.totals_label)
        column.addWidget(self.problems_label)
        column.addWidget(self.problems_table)
        column.addWidget(self.preview_label)
        column.addWidget(self.preview_table)
        column.addLayout(buttons)
        column.addWidget(self.test_error)
        column.addWidget(self.result_label)
        return box

    def _build_runs(self) -> QGroupBox:
        box = self.runs_box = QGroupBox("5. Runs")
        self.runs_combo = QComboBox()
        self.runs_combo.currentIndexChanged.connect(self._on_run_chosen)
        runs_label = QLabel("Run:")
        runs_label.setBuddy(self.runs_combo)
        self.runs_combo.setAccessibleName("Broadcast run")
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Broadcast progress")
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.progress_label.setAccessibleName("Broadcast progress details")
        self.model = BroadcastRowsModel(self)
        self.rows_view = QTableView()
        self.rows_view.setModel(self.model)
        self.rows_view.setAccessibleName("Status of each row")
        self.rows_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.rows_view.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 360)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.rows_view.verticalHeader().hide()
        self.rows_view.setMinimumHeight(200)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setAccessibleName("Pause the broadcast")
        self.pause_button.clicked.connect(self.on_pause_clicked)
        self.resume_run_button = QPushButton("Resume")
        self.resume_run_button.setAccessibleName("Resume the broadcast")
        self.resume_run_button.clicked.connect(self.on_resume_clicked)
        self.cancel_button = QPushButton("Cancel the rest")
        self.cancel_button.setAccessibleName("Cancel the rows not sent yet")
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        self.send_again_button = QPushButton("Send selected again")
        self.send_again_button.setAccessibleName("Send the selected rows again")
        self.send_again_button.setToolTip("For rows that failed, or whose outcome is unknown "
                                          "after you checked they did not arrive.")
        self.send_again_button.clicked.connect(self.on_send_again_clicked)
        self.mark_sent_button = QPushButton("Mark selected as sent")
        self.mark_sent_button.setAccessibleName("Mark the selected unknown rows as sent")
        self.mark_sent_button.clicked.connect(self.on_mark_sent_clicked)
        self.export_button = QPushButton("Export report…")
        self.export_button.setAccessibleName("Export the run's report as CSV")
        self.export_button.clicked.connect(self.on_export_clicked)
        top = QHBoxLayout()
        top.addWidget(runs_label)
        top.addWidget(self.runs_combo, 1)
        top.addWidget(self.progress_bar, 1)
        buttons = QHBoxLayout()
        for button in (self.pause_button, self.resume_run_button, self.cancel_button,
                       self.send_again_button, self.mark_sent_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        column = QVBoxLayout(box)
        column.addLayout(top)
        column.addWidget(self.progress_label)
        column.addWidget(self.rows_view)
        column.addLayout(buttons)
        return box

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
        path = self._choose_open()
        if path:
            self.load_csv_file(path)

    def load_csv_file(self, path: Path) -> None:
        path = Path(path)
        try:
            data = path.read_bytes()
            table = read_file_bytes(data)
        except OSError as err:
            self.source_error.show_result(
                "error", f"{path.name} could not be read: {err.strerror or err}. "
                         "Check that the file exists and is not open in another program.")
            return
        except TableError as err:
            self.source_error.show_result("error", f"{path.name}: {err}")
            return
        if table.delimiter:
            how = f"{DELIMITER_NAMES.get(table.delimiter, table.delimiter)}-separated, {table.encoding}"
        else:
            how = table.encoding
        self._load_table(table, f"{path.name} ({how})" + "".join(" " + n for n in table.notes))

    def on_paste_clicked(self) -> None:
        self.load_pasted_text(QApplication.clipboard().text())

    def load_pasted_text(self, text: str) -> None:
        try:
            table = read_pasted(text)
        except TableError as err:
            self.source_error.show_result("error", str(err))
            return
        self._load_table(table, "pasted cells")

    def _load_table(self, table: Table, source: str) -> None:
        self.source_error.hide()
        self._table = table
        self._source = source
        mapping = guess_mapping(table)
        self._filling = True
        try:
            self.header_check.setChecked(mapping.has_header)
            self._fill_columns(mapping)
        finally:
            self._filling = False
        self._mapping = mapping
        self._show_source()
        self.recompute()

    def _show_source(self) -> None:
        if self._table is None:
            return
        count = len(self._table.rows) - (1 if self.header_check.isChecked() else 0)
        self.source_label.setText(f"{plural(count, 'row')} from {self._source}.")

    def _fill_columns(self, mapping: ColumnMapping) -> None:
        table = self._table
        assert table is not None
        data = table.rows[1:] if mapping.has_header else table.rows
        first = data[0] if data else []
        self.number_combo.clear()
        self.columns_table.setRowCount(len(mapping.names))
        for c, name in enumerate(mapping.names):
            sample = first[c] if c < len(first) else ""
            self.number_combo.addItem(f"Column {c + 1}: {sample}" if sample else f"Column {c + 1}")
            item = QTableWidgetItem(sample)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.columns_table.setItem(c, 0, item)
            self.columns_table.setItem(c, 1, QTableWidgetItem(name))
        self.number_combo.setCurrentIndex(mapping.number_column)

    def _on_header_toggled(self, checked: bool) -> None:
        if self._filling or self._table is None:
            return
        guessed = guess_mapping(Table(rows=self._table.rows))
        names = list(guessed.names)
        if not checked:
            names = ["number" if c == self.number_combo.currentIndex() else f"column_{c + 1}"
                     for c in range(self._table.width)]
        elif not guessed.has_header:
            names = [field_key(t) or f"column_{c + 1}" for c, t in enumerate(
                self._table.rows[0] + [""] * (self._table.width - len(self._table.rows[0])))]
        mapping = ColumnMapping(number_column=max(0, self.number_combo.currentIndex()),
                                names=tuple(names), has_header=checked)
        self._filling = True
        try:
            self._fill_columns(mapping)
        finally:
            self._filling = False
        self._mapping = mapping
        self._show_source()
        self.recompute()

    def _on_column_renamed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == 1:
            self._on_mapping_changed()

    def _on_mapping_changed(self) -> None:
        if self._filling or self._table is None:
            return
        names = tuple((self.columns_table.item(c, 1).text().strip()
                       if self.columns_table.item(c, 1) else "")
                      for c in range(self.columns_table.rowCount()))
        self._mapping = ColumnMapping(number_column=max(0, self.number_combo.currentIndex()),
                                      names=names, has_header=self.header_check.isChecked())
        self._schedule_recompute()

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
        from datetime import time

        try:
            window = Window(time(opens.hour(), opens.minute()), time(closes.hour(), closes.minute()))
        except ValueError as err:
            self.window_error.show_error(str(err))
            return None
        self.window_error.show_error(None)
        return window

    def recompute(self) -> None:
        """Rebuild the recipients, the problems and the preview from the current choices."""
        self._recompute_timer.stop()
        self._template_error = ""
        self.body_error.show_error(None)
        self.mapping_error.show_error(None)
        self._recipients = RecipientList()
        self._preview = Preview()
        names = list(self._mapping.names) if self._mapping else []
        self.fields_label.setText(
            ("Merge fields: " + "  ".join("{" + n + "}" for n in names)) if names
            else "Merge fields appear here once the recipients are in.")
        required: list[str] = []
        if self.kind == "sms":
            try:
                required = check_template(self.body_edit.toPlainText(), names)
            except TemplateError as err:
                self._template_error = str(err)
                self.body_error.show_error(str(err))
        if self._table is not None and self._mapping is not None and not self._template_error:
            try:
                self._recipients = build_recipients(
                    self._table, self._mapping, required_fields=required,
                    do_not_contact=self.store.do_not_contact_map(self.session.profile.id))
            except MappingError as err:
                self.mapping_error.show_error(str(err))
            else:
                template = (self.body_edit.toPlainText() if self.kind == "sms"
                            else self._call_description())
                if self.kind == "sms" and not template.strip():
                    self._preview = build_preview([], "")
                else:
                    self._preview = build_preview(self._recipients.recipients, template,
                                                  sms=self.kind == "sms")
        self._fill_problems()
        self._fill_preview()
        self._update_totals()

    def problems(self) -> list[RowProblem]:
        return sorted(self._recipients.problems + self._preview.problems, key=lambda p: p.row)

    def _fill_problems(self) -> None:
        problems = self.problems()
        self.problems_table.setRowCount(len(problems))
        words = {**PROBLEM_WORDS, "message": "Message too long"}
        for i, p in enumerate(problems):
            for c, text in enumerate((str(p.row), p.number_text, words.get(p.kind, p.kind), p.reason)):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setToolTip(text)
                self.problems_table.setItem(i, c, item)
        self.problems_label.setText(f"Rows left out ({len(problems):,})" if problems
                                    else "Rows left out: none")

    def _fill_preview(self) -> None:
        rows = self._preview.rows[:_PREVIEW_LIMIT]
        self.preview_table.setRowCount(len(rows))
        sms = self.kind == "sms"
        for i, r in enumerate(rows):
            values = (str(r.recipient.row), r.recipient.shown_number, r.text,
                      r.charset if sms else "—", str(r.segments) if sms else "—")
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setToolTip(text)
                self.preview_table.setItem(i, c, item)
        more = len(self._preview.rows) - len(rows)
        self.preview_label.setText("Preview: each customer's own message"
                                   + (f" (first {len(rows):,}; {more:,} more not shown)" if more else ""))

    def _update_totals(self) -> None:
        preview = self._preview
        count = len(preview.rows)
        if self._table is None:
            text = "No recipients yet."
        elif self._template_error:
            text = "Correct the message to see the preview."
        elif self.kind == "sms" and not self.body_edit.toPlainText().strip():
            text = f"{plural(len(self._recipients.recipients), 'recipient')} ready. Write the message."
        else:
            text = plural(count, "recipient")
            if self.kind == "sms":
                text += f" · {plural(preview.total_segments, 'message')} in all (billed segments)"
                if preview.special_rows:
                    text += (f" · {preview.special_rows:,} use special characters, which fit fewer "
                             "characters per message")
            skipped = self.skipped_counts()
            left_out = ", ".join(f"{n:,} {w}" for w, n in skipped.items() if n)
            if left_out:
                text += f" · left out: {left_out}"
            if self.quiet_combo.currentData() != SKIP and self._quiet_sentence():
                text += " · " + self._quiet_sentence()
        self.totals_label.setText(text)
        self._update_start_button()
        self.test_button.setEnabled(count > 0 and not self._template_error)

    def skipped_counts(self) -> dict[str, int]:
        """Rows left out, by reason, in the words of the confirmation."""
        r = self._recipients
        counts = {"do not contact": r.count(DO_NOT_CONTACT), "invalid": r.count(INVALID),
                  "duplicates": r.count(DUPLICATE), "missing a merge field": r.count(MISSING_FIELD),
                  "message too long": len(self._preview.problems)}
        if self.quiet_combo.currentData() == SKIP:
            counts["quiet hours"] = self.quiet_hours_rows()
        return counts

    def _quiet_sentence(self) -> str:
        """What quiet hours do to this run if it starts now (or at its start time)."""
        quiet = self.quiet_hours_rows()
        if not quiet:
            return ""
        if self.quiet_combo.currentData() == SKIP:
            return (f"Quiet hours: {plural(quiet, 'recipient is', 'recipients are')} outside "
                    "their hours and will be skipped.")
        return (f"Quiet hours: {plural(quiet, 'recipient waits', 'recipients wait')} for their "
                "hours and will get it when their window opens.")

    def quiet_hours_rows(self) -> int:
        """Rows outside their sending window at the start time."""
        window = self._window()
        if window is None or not self._preview.rows:
            return 0
        start = self._start_time() or self._clock()
        office = datetime.now().astimezone().tzinfo or UTC
        per_zones: dict[tuple, int] = {}
        for r in self._preview.rows:
            zones = zones_for_number(r.recipient.number) or (office,)
            per_zones[zones] = per_zones.get(zones, 0) + 1
        # One time-zone sum per distinct set of zones, not per row.
        return sum(count for zones, count in per_zones.items()
                   if next_opening(start, zones, window) > start)

    def _start_time(self) -> datetime | None:
        if not self.later_radio.isChecked():
            return None
        return self.start_edit.dateTime().toPython().astimezone(UTC)

    # -- do not contact ----------------------------------------------------------------
    def on_dnc_clicked(self) -> None:
        profile = self.session.profile
        dialog = DoNotContactDialog(store=self.store, profile_id=profile.id, profile_name=profile.name,
                                    choose_import_path=self._choose_open,
                                    choose_export_path=self._choose_save, parent=self)
        dialog.finished.connect(lambda *_: self.recompute())
        dialog.open()
        self.dnc_dialog = dialog

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
        office = datetime.now().astimezone().tzinfo
        settings["office_zone"] = getattr(office, "key", "") or ""
        if errors:
            errors[0].setFocus()
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return None
        return settings

    def _confirm_live(self, settings: dict, rows: list, *, left_out_twice: int = 0) -> bool:
        profile = self.session.profile
        if profile.is_sandbox:
            return True
        what = "SMS" if self.kind == "sms" else "notification call"
        text = (f"Send this {what} to {plural(len(rows), 'recipient')} on the live account "
                f"'{profile.name}'?")
        lines = []
        if self.kind == "sms":
            lines.append(f"Total: {plural(sum(r.segments for r in rows), 'message')} (billed segments).")
            lines.append("The first messages:")
            lines += [f"{i}. To {r.recipient.shown_number}: {r.text}"
                      for i, r in enumerate(rows[:3], start=1)]
        else:
            lines.append(f"Each call: {self._call_description()}.")
        skipped = self.skipped_counts()
        if left_out_twice:
            skipped["would get it twice"] = left_out_twice
        lines.append("Left out: " + ", ".join(f"{n:,} {w}" for w, n in skipped.items()) + ".")
        if self._quiet_sentence() and self.quiet_combo.currentData() != SKIP:
            lines.append(self._quiet_sentence())
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
        if settings is None or not self._preview.rows:
            return
        first = self._preview.rows[0]
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
                f"Test sent to {format_phone(to)} with row {first.recipient.row}'s message. "
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
        self.recompute()
        if not self._preview.rows:
            self.result_label.show_result("error", "There is no one to send to: check the "
                                                   "recipients and the rows left out.")
            return
        settings = self._validate_send()
        if settings is None:
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        profile = self.session.profile
        rows = list(self._preview.rows)
        try:
            overlap = await self._find_overlap(profile.id, rows)
        except (JournalError, BroadcastStoreError) as err:
            self.result_label.show_result("error", f"The broadcast was not started: History could not "
                                                   f"be read to check who got this already ({err}).")
            return
        again = 0
        if overlap:
            answer = self.choose(overlap_question(self, overlap, len(rows)))
            if answer not in (LEAVE_OUT, INCLUDE):
                self.result_label.show_result("warning", "Not started.")
                return
            if answer == LEAVE_OUT:
                rows = [r for i, r in enumerate(rows) if i not in overlap.indexes]
                again = len(overlap.indexes)
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
        new_rows = [NewRow(source_row=r.recipient.row, number=r.recipient.number, text=r.text,
                           segments=r.segments) for r in rows]
        try:
            # Off the UI thread: a long list is thousands of rows to write.
            run_id = await asyncio.to_thread(self.store.create_run, spec, new_rows)
        except BroadcastStoreError as err:
            self.result_label.show_result("error", f"The broadcast was not started: {err}")
            self.messages.error(str(err))
            return
        self._own_run_id = run_id
        self._refresh_runs(select=run_id)
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
            return find_overlap([(r.recipient.number, r.text) for r in rows],
                                recent=recent, running=running)

        return await asyncio.to_thread(read)

    def _own_run_running(self) -> bool:
        return self._own_run_id is not None and self.runner.is_running(self._own_run_id)

    def _update_start_button(self) -> None:
        """Start works once per broadcast: not while its run goes on, nor while a start is handled."""
        ready = bool(self._preview.rows) and not self._template_error
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
            parent.ensureWidgetVisible(self.runs_box, 0, 0)

    # -- runs --------------------------------------------------------------------
    def current_run_id(self) -> int | None:
        return self.runs_combo.currentData()

    def _run_title(self, run: RunInfo) -> str:
        when = run.created_at[:16].replace("T", " ")
        state = _RUN_STATE_WORDS.get(run.state, run.state)
        extra = f", {run.unknown} unknown" if run.unknown else ""
        return f"#{run.id} {when} UTC — {run.name} — {state}{extra}"

    def _refresh_runs(self, select: int | None = None) -> None:
        select = select if select is not None else self.current_run_id()
        runs = self.store.runs(profile_id=self.session.profile.id)
        self.runs_combo.blockSignals(True)
        self.runs_combo.clear()
        for run in runs:
            self.runs_combo.addItem(self._run_title(run), run.id)
        index = self.runs_combo.findData(select) if select is not None else 0
        self.runs_combo.setCurrentIndex(max(0, index) if runs else -1)
        self.runs_combo.blockSignals(False)
        self._on_run_chosen()

    def _on_run_chosen(self, *_args) -> None:
        run_id = self.current_run_id()
        if run_id is None:
            self.model.set_rows(None, [])
            self.progress_label.setText("No broadcast yet.")
            self.progress_bar.setValue(0)
            self._update_run_buttons(None)
            return
        self.model.set_rows(run_id, self.store.rows(run_id))
        self._on_runner_progress(self.runner.progress(run_id))

    def _update_run_buttons(self, progress: RunProgress | None) -> None:
        running = (progress is not None and self.runner.is_running(progress.run_id)
                   and progress.state in ("running", "scheduled", "paused"))
        paused = progress is not None and progress.state in ("paused", "interrupted", "scheduled") \
            and not (running and not self.runner.is_paused(progress.run_id))
        self.pause_button.setEnabled(running and not self.runner.is_paused(progress.run_id))
        self.resume_run_button.setEnabled(progress is not None and progress.to_send > 0 and paused)
        self.cancel_button.setEnabled(progress is not None and progress.to_send > 0)
        self.send_again_button.setEnabled(progress is not None)
        self.mark_sent_button.setEnabled(progress is not None and progress.unknown > 0)
        self.export_button.setEnabled(progress is not None)

    def _on_runner_row_changed(self, row) -> None:
        self.model.update_row(row)

    def _on_runner_progress(self, progress: RunProgress) -> None:
        if progress.run_id != self.current_run_id():
            return
        total = max(progress.total, 1)
        self.progress_bar.setMaximum(total)
        self.progress_bar.setValue(progress.finished_rows)
        parts = [f"{progress.sent:,} sent"]
        for count, words in ((progress.failed, "failed"), (progress.unknown, "unknown (decide below)"),
                             (progress.skipped, "skipped"), (progress.cancelled, "cancelled")):
            if count:
                parts.append(f"{count:,} {words}")
        parts.append(f"{progress.to_send:,} to send")
        text = ", ".join(parts) + f" — {_RUN_STATE_WORDS.get(progress.state, progress.state)}."
        if progress.state == "scheduled" and progress.start_at:
            text += f" It starts at {progress.start_at.astimezone():%Y-%m-%d %H:%M} (your time)."
        if progress.to_send and progress.state == "running":
            text += f" About {_duration(progress.seconds_left)} left."
        if progress.waiting and progress.next_opening:
            local = progress.next_opening.astimezone()
            text += (f" {progress.waiting:,} wait for quiet hours; the next goes at "
                     f"{local:%Y-%m-%d %H:%M} (your time).")
        if progress.slowed:
            text += f" Slowed down at Voitex's request: about {progress.per_second * 60:.0f} per minute."
        self.progress_label.setText(text)
        self._update_run_buttons(progress)
        self._update_start_button()

    def _on_run_finished(self, run_id: int, state: str) -> None:
        self._refresh_runs()
        run = self.store.run(run_id)
        text = (f"Broadcast #{run_id} {_RUN_STATE_WORDS.get(state, state)}: "
                f"{run.counts.get('sent', 0):,} sent")
        if run.counts.get("failed"):
            text += f", {run.counts['failed']:,} failed"
        if run.unknown:
            text += (f", {run.unknown:,} unknown: check with those customers, then choose Send "
                     "selected again or Mark selected as sent")
        self.messages.info(text + ".")
        if run_id == self._own_run_id:
            # The "it is running" words no longer hold, and Start is free again (a
            # second start of the same list meets the 24-hour question).
            self._own_run_id = None
            self.result_label.show_result("warning" if run.unknown or state == "cancelled" else "ok",
                                          text + ".")
        self._update_start_button()
        self._show_resume_offer()

    def _on_run_stopped(self, run_id: int, why: str) -> None:
        self.messages.warning(f"Broadcast #{run_id}: {why}")
        if run_id == self.current_run_id():
            self.result_label.show_result("warning", why)
        self._refresh_runs()

    def _on_rate_limited(self, run_id: int, per_second: float) -> None:
        self.messages.warning(f"Broadcast #{run_id}: Voitex asked to slow down; now about "
                              f"{per_second * 60:.0f} per minute.")

    def _own_run(self, run_id: int) -> bool:
        run = self.store.run(run_id)
        if run.profile_id != self.session.profile.id:
            self.result_label.show_result(
                "warning", f"This broadcast was made with '{run.profile_name}'. Switch to that "
                           "profile to go on with it.")
            return False
        return True

    def on_pause_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is not None:
            self.runner.pause(run_id)
            self._refresh_runs()

    def on_resume_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is None or not self._own_run(run_id):
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        self.runner.resume(run_id)
        self._refresh_runs()
        self._show_resume_offer()

    def on_cancel_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is None:
            return
        run = self.store.run(run_id)
        box = cancel_question(self, run_id=run_id, name=run.name, to_send=run.to_send)
        if not self.confirm(box):
            return
        self.runner.cancel(run_id)
        self._refresh_runs()

    def _selected_positions(self) -> list[int]:
        rows = sorted({i.row() for i in self.rows_view.selectionModel().selectedIndexes()})
        return [self.model.row_at(r).position for r in rows]

    def on_send_again_clicked(self) -> None:
        run_id = self.current_run_id()
        positions = self._selected_positions()
        if run_id is None or not positions:
            self.result_label.show_result("warning", "Select the rows to send again first.")
            return
        if not self._own_run(run_id):
            return
        rows = [self.model.row_at(i) for i in range(self.model.rowCount())
                if self.model.row_at(i).position in positions]
        eligible = [r for r in rows if r.state in ("failed", "unknown", "cancelled", "skipped")]
        if not eligible:
            self.result_label.show_result("warning", "Only rows that failed, are unknown, were "
                                                     "skipped or cancelled can be sent again.")
            return
        unknown = sum(1 for r in eligible if r.state == "unknown")
        if unknown:
            box = live_confirmation(
                self, title="Send again?",
                text=f"{plural(unknown, 'selected row')} may already have reached the customer.",
                informative="Send again only if you checked that it did not arrive: the customer "
                            "could get it twice.", action="Send again")
            if not self.confirm(box):
                return
        self.runner.send_again(run_id, [r.position for r in eligible])
        self._refresh_runs()

    def on_mark_sent_clicked(self) -> None:
        run_id = self.current_run_id()
        positions = self._selected_positions()
        if run_id is None or not positions:
            self.result_label.show_result("warning", "Select the unknown rows you checked first.")
            return
        self.runner.mark_sent(run_id, positions)
        self._refresh_runs()

    def on_export_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is None:
            return
        path = self._choose_save()
        if path:
            self.export_report(run_id, path)

    def export_report(self, run_id: int, path: Path) -> None:
        self.export_button.setEnabled(False)
        try:
            Path(path).write_bytes(report_csv(self.store.rows(run_id)))
        except OSError as err:
            self.messages.error(f"The report could not be saved to {path}: {err.strerror or err}. "
                                "Choose another folder.")
            return
        finally:
            self.export_button.setEnabled(True)
        self.messages.info(f"Report of broadcast #{run_id} saved to {path}.")

    # -- resuming after a restart ------------------------------------------------------
    def _show_resume_offer(self) -> None:
        profile_id = self.session.profile.id
        offers = [r for r in self.store.resumable_runs()
                  if r.profile_id == profile_id and not self.runner.is_running(r.id)]
        if not offers:
            self.resume_label.hide()
            self.resume_button.hide()
            self._offer = None
            return
        run = offers[0]
        self._offer = run.id
        words = {"interrupted": "was interrupted when the console closed",
                 "scheduled": "is scheduled", "paused": "is paused"}.get(run.state, "is not finished")
        text = (f"Broadcast #{run.id} ({run.name}) {words}: {plural(run.to_send, 'row')} still "
                "to send")
        if run.unknown:
            text += f", {run.unknown:,} with an unknown outcome to check"
        self.resume_label.show_result("warning", text + ".")
        self.resume_button.show()

    def on_resume_offer_clicked(self) -> None:
        run_id = getattr(self, "_offer", None)
        if run_id is None:
            return
        self._refresh_runs(select=run_id)
        self.on_resume_clicked()

    # -- profile and drafts ------------------------------------------------------------
    def _on_profile_changed(self, profile) -> None:
        fill_numbers(self.from_combo, profile)
        fill_numbers(self.cid_combo, profile)
        self._refresh_templates()
        self._refresh_runs()
        self._show_resume_offer()
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
