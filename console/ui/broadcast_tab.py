"""Broadcast: one SMS or notification call to a list of customers.

The tab puts its steps together, top to bottom, each a part of its own:
1. the recipients (console/ui/broadcast_list.py), 2. the message or the call
(console/ui/broadcast/message.py), 3. when and how fast, within the calling
rules (console/ui/broadcast/timing.py), 4. the check of every row with its
decision and reason and the buttons to test and start
(console/ui/broadcast/sending.py, kept up to date by broadcast/checking.py,
the buttons' work in broadcast/launch.py), 5. the runs with their per-row
status and report (console/ui/broadcast_runs.py). What the parts decide
without Qt is console/ui/broadcast/state.py.

The tab keeps the names the rest of the console and the tests use for the
parts' fields (`tab.body_edit`, `tab.start_button`…).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QInputDialog, QVBoxLayout, QWidget

from console.domain.broadcast.preflight import Preflight
from console.domain.calling_rules import RuleBook, rule_book
from console.jobs.broadcast_runner import BroadcastRunner
from console.jobs.session import AccountSession
from console.store.broadcasts import BroadcastStore, RunSettings
from console.store.interface import HistoryStore
from console.store.profiles import Profile
from console.ui.broadcast.checking import Checking
from console.ui.broadcast.launch import Launcher
from console.ui.broadcast.message import MessagePanel, TextAsker
from console.ui.broadcast.sending import PathChooser, SendingBox
from console.ui.broadcast.state import Context, left_out_counts
from console.ui.broadcast.steps import Steps
from console.ui.broadcast.timing import TimingPanel
from console.ui.broadcast_check import PreflightRunner
from console.ui.broadcast_dnc import DoNotContactDialog
from console.ui.broadcast_guard import Choose, default_choose
from console.ui.broadcast_list import ListPicker
from console.ui.broadcast_rows import office_zone_name
from console.ui.broadcast_rules import CallingRulesDialog
from console.ui.broadcast_runs import RunsPanel
from console.ui.messages import MessageBridge
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.jobs.sender import Sender
    from console.ui.library.source import LibrarySource

__all__ = ["BroadcastTab"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BroadcastTab(QWidget):
    run_started = Signal(int)  # run id
    checked = Signal()  # the check of every row is up to date

    def __init__(self, *, session: AccountSession, sender: Sender, store: BroadcastStore,
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
                 library: LibrarySource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # History answers "who got this same message lately" before a start, and
        # counts each number's messages for the per-person caps.
        self.history = history
        if history is not None:
            runner.use_history(history)
        self.choose = choose
        self.library = library  # the library file id is picked by name
        self.session = session
        self.store = store
        self.runner = runner
        self.messages = messages
        self.confirm = confirm
        self.context = Context(office_zone=office_zone or office_zone_name(),
                               rules=rules or rule_book(), clock=clock)
        self.rule_book = self.context.rules
        self._choose_open = choose_open_path or self._open_dialog
        self._choose_save = choose_save_path or self._save_dialog

        self.list_picker = ListPicker(choose_open_path=lambda: self._choose_open())
        self.result_label = ResultLabel("Broadcast result")
        self.runs = RunsPanel(session=session, store=store, runner=runner, messages=messages,
                              confirm=lambda box: self.confirm(box), result_label=self.result_label,
                              choose_save_path=lambda: self._choose_save())
        self.runs_box = self.runs
        self.message = MessagePanel(store=store, messages=messages,
                                    ask_text=ask_text or self._text_dialog, library=library)
        self.timing = TimingPanel(store=store, book=self.rule_book)
        self.sending = SendingBox(session=session, messages=messages, store=store,
                                  confirm=lambda box: self.confirm(box),
                                  result_label=self.result_label,
                                  choose_open_path=lambda: self._choose_open(),
                                  choose_save_path=lambda: self._choose_save(),
                                  context=self.context)
        self.steps = Steps(recipients=self.list_picker, message=self.message, timing=self.timing,
                           sending=self.sending, runs=self.runs)
        self.checking = Checking(store=store, history=history, steps=self.steps,
                                 context=self.context, parent=self)
        self.launcher = Launcher(owner=self, session=session, sender=sender, store=store,
                                 runner=runner, messages=messages,
                                 confirm=lambda box: self.confirm(box),
                                 choose=lambda box: self.choose(box), history=history,
                                 context=self.context, steps=self.steps, checking=self.checking)
        self._name_the_fields()
        self._lay_out()

        self.list_picker.changed.connect(self.recompute)
        self.message.changed.connect(self.checking.schedule)
        self.timing.changed.connect(self.checking.schedule)
        self.timing.rules_closed.connect(self.recompute)
        self.sending.lists_closed.connect(self.recompute)
        self.checking.checked.connect(self.checked)
        self.launcher.run_started.connect(self.run_started)
        session.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(session.profile)
        self.message.show_kind_fields()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_label, 1)
        resume_row.addWidget(self.resume_button)
        layout.addLayout(resume_row)
        for part in (self.list_picker, self.message, self.timing, self.sending, self.runs):
            layout.addWidget(part)
        layout.addStretch(1)

    def _name_the_fields(self) -> None:
        """The parts' fields under the tab's own names, as the console and the tests know them."""
        picker = self.list_picker
        self.open_button, self.paste_button = picker.open_button, picker.paste_button
        self.source_label, self.source_error = picker.source_label, picker.source_error
        self.header_check, self.number_combo = picker.header_check, picker.number_combo
        self.state_combo, self.zone_combo = picker.state_combo, picker.zone_combo
        self.name_combo, self.columns_table = picker.name_combo, picker.columns_table
        self.mapping_error = picker.mapping_error
        m = self.message
        self.sms_radio, self.call_radio, self.kind_group = m.sms_radio, m.call_radio, m.kind_group
        self.from_combo, self.from_error, self.from_label = m.from_combo, m.from_error, m.from_label
        self.template_combo, self.templates_label = m.template_combo, m.templates_label
        self.use_template_button = m.use_template_button
        self.save_template_button = m.save_template_button
        self.delete_template_button = m.delete_template_button
        self.body_edit, self.body_error, self.body_label = m.body_edit, m.body_error, m.body_label
        self.fields_label = m.fields_label
        self.cid_combo, self.cid_error, self.cid_label = m.cid_combo, m.cid_error, m.cid_label
        self.stream_radio, self.goto_radio = m.stream_radio, m.goto_radio
        self.call_type_group = m.call_type_group
        self.sfile_edit, self.sfile_error, self.sfile_label = m.sfile_edit, m.sfile_error, m.sfile_label
        self.route_edit, self.route_error, self.route_label = m.route_edit, m.route_error, m.route_label
        self.branch_edit, self.branch_error = m.branch_edit, m.branch_error
        self.branch_label = m.branch_label
        t = self.timing
        self.opens_edit, self.closes_edit, self.window_error = t.opens_edit, t.closes_edit, t.window_error
        self.opens_label, self.closes_label = t.opens_label, t.closes_label
        self.quiet_combo, self.rate_error = t.quiet_combo, t.rate_error
        self.per_second_spin, self.per_minute_spin = t.per_second_spin, t.per_minute_spin
        self.per_minute_label = t.per_minute_label
        self.now_radio, self.later_radio, self.start_group = t.now_radio, t.later_radio, t.start_group
        self.start_edit, self.start_error = t.start_edit, t.start_error
        self.rules_button, self.rules_label = t.rules_button, t.rules_label
        s = self.sending
        self.check_panel, self.totals_label = s.check_panel, s.check_panel.totals_label
        self.dnc_button, self.test_edit, self.test_error = s.dnc_button, s.test_edit, s.test_error
        self.test_button, self.start_button, self.test_flows = s.test_button, s.start_button, s.test_flows
        r = self.runs
        self.resume_label, self.resume_button, self.runs_combo = (r.resume_label, r.resume_button,
                                                                   r.runs_combo)
        self.progress_bar, self.progress_label, self.model = r.progress_bar, r.progress_label, r.model
        self.rows_view, self.pause_button = r.rows_view, r.pause_button
        self.resume_run_button, self.cancel_button = r.resume_run_button, r.cancel_button
        self.send_again_button, self.mark_sent_button = r.send_again_button, r.mark_sent_button
        self.export_button = r.export_button
        self.checker: PreflightRunner = self.checking.runner
        self.on_test_clicked = self.launcher.on_test_clicked
        self.on_start_clicked = self.launcher.on_start_clicked
        self.on_use_template_clicked = m.on_use_template_clicked
        self.on_save_template_clicked = m.on_save_template_clicked
        self.on_delete_template_clicked = m.on_delete_template_clicked
        self.on_dnc_clicked = s.on_dnc_clicked
        self.on_rules_clicked = t.on_rules_clicked
        self.on_open_clicked = picker.on_open_clicked
        self.on_paste_clicked = picker.on_paste_clicked
        self.load_pasted_text = picker.load_pasted_text

    # -- what the parts share ------------------------------------------------------------
    @property
    def office_zone(self) -> str:
        return self.context.office_zone

    @office_zone.setter
    def office_zone(self, zone: str) -> None:
        self.context.office_zone = zone

    @property
    def _clock(self) -> Callable[[], datetime]:
        return self.context.clock

    @_clock.setter
    def _clock(self, clock: Callable[[], datetime]) -> None:
        self.context.clock = clock

    @property
    def kind(self) -> str:
        return self.message.kind

    @property
    def call_type(self) -> str:
        return self.message.call_type

    @property
    def checker_result(self) -> Preflight:
        return self.checking.result

    @property
    def check_busy(self) -> bool:
        return self.checking.busy

    @property
    def dnc_dialog(self) -> DoNotContactDialog | None:
        return self.sending.dnc_dialog

    @property
    def rules_dialog(self) -> CallingRulesDialog | None:
        return self.timing.rules_dialog

    # -- dialogs (replaced in tests) -------------------------------------------------------
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

    # -- what the console and the tests ask of the tab --------------------------------------
    def load_csv_file(self, path: Path) -> asyncio.Task[None]:
        """Read the list off the UI thread; the check follows when it is in."""
        return self.list_picker.load_file(Path(path))

    def recompute(self) -> None:
        """Check every row again with the current choices (off the UI thread for long lists)."""
        self.checking.recompute()

    def left_out_counts(self) -> dict[str, int]:
        """Rows not sent, by reason, in plain words."""
        return left_out_counts(self.checking.result)

    def current_run_id(self) -> int | None:
        return self.runs.current_run_id()

    def export_report(self, run_id: int, path: Path) -> asyncio.Task[None]:
        return self.runs.export_report(run_id, path)

    def _on_profile_changed(self, profile: Profile) -> None:
        self.message.use_profile(profile)
        self.runs.refresh()
        self.runs.show_resume_offer()
        self.result_label.hide()
        self.checking.schedule()

    # The call's words and the run's settings, as tests/test_library.py asks them of the tab.
    def _call_description(self) -> str:
        return self.message.choice().call_description()

    def _validate_send(self) -> RunSettings | None:
        return self.launcher.validate_send()

    def draft(self) -> dict[str, str]:
        return self.message.draft()

    def restore_draft(self, draft: object) -> None:
        self.message.restore_draft(draft)
