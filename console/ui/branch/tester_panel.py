"""Send the composed request to an endpoint, read the reply as Voitex would,
and walk a call through the keys the reply offers."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QSplitter,
    QWidget,
)

from qasync import asyncSlot

from console.branch.request import request_payload, validate_request
from console.branch.schema import KEYPAD_KEYS, Design
from console.branch.tester import (
    EndpointRun,
    ReplyOutcome,
    interpret_reply,
    runs_to_json,
    walk_steps,
)
from console.branch.validation import branch_number_problem
from console.domain.wording import plural
from console.ui.branch.composer import RequestComposer
from console.ui.branch.documents import Documents, add_shortcuts
from console.ui.branch.keypad import WalkBox
from console.ui.branch.reply_view import ReplyView
from console.ui.branch.tester_settings import read_tester_settings, write_tester_settings
from console.ui.branch.tester_text import runs_file_name, without_password
from console.ui.layout import buddy_label, column, push_button, row
from console.ui.widgets import FieldErrorLabel, ResultLabel

if TYPE_CHECKING:
    from console.api.branch_endpoint import EndpointReply
    from console.store.notices import Notices
    from console.ui.messages import MessageBridge

log = logging.getLogger(__name__)

# (url, payload, budget_s=...) -> EndpointReply; see console/api/branch_endpoint.py
PostRequest = Callable[..., Awaitable["EndpointReply"]]
DEFAULT_BUDGET_S = 3.0
_OUTCOME_STYLE = {"valid": "ok", "invalid": "warning", "not_json": "error",
                  "http_error": "error", "no_reply": "error"}


class EndpointTesterPanel(QWidget):
    open_in_designer_requested = Signal(object)  # Design

    def __init__(self, *, composer: RequestComposer, post_request: PostRequest,
                 settings_path: Path | None = None, messages: MessageBridge | None = None,
                 notices: Notices | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.composer = composer
        self.post_request = post_request
        self.settings_path = Path(settings_path) if settings_path else None
        self.notices = notices
        self.busy = False
        self.runs: list[EndpointRun] = []
        self.outcome: ReplyOutcome | None = None
        self._targets: dict[str, str] = {}

        # -- endpoint and sending -------------------------------------------
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://example.com/voitex/branch")
        self.url_edit.setAccessibleName("Endpoint address")
        self.url_edit.setToolTip("The address entered in the Trigger branch (http or https)")
        self.url_error = FieldErrorLabel("Endpoint address")
        url_label = QLabel("Endpoint &address:")
        url_label.setBuddy(self.url_edit)
        self.budget_spin = QDoubleSpinBox()
        self.budget_spin.setRange(0.1, 30.0)
        self.budget_spin.setSingleStep(0.5)
        self.budget_spin.setDecimals(1)
        self.budget_spin.setSuffix(" s")
        self.budget_spin.setValue(DEFAULT_BUDGET_S)
        self.budget_spin.setAccessibleName("Time budget in seconds")
        self.budget_spin.setToolTip("How long to wait for the reply. A caller on a live call "
                                    "is waiting: keep it short.")
        budget_label = buddy_label("Time bud&get:", self.budget_spin)
        self.send_button = push_button("&Send to endpoint", "Send the request to the endpoint",
                                       "POST the request to the endpoint (Ctrl+Enter)")
        self.send_button.setDefault(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setAccessibleName("Sending")
        self.progress.hide()
        self.busy_label = QLabel("Sending\u2026")
        self.busy_label.hide()
        self.for_branch = QLabel()
        self.for_branch.setAccessibleName("Branch this request is for")
        self.for_branch.setWordWrap(True)

        endpoint = QGridLayout()
        endpoint.addWidget(url_label, 0, 0)
        endpoint.addWidget(self.url_edit, 0, 1, 1, 4)
        endpoint.addWidget(self.url_error, 1, 1, 1, 4)
        endpoint.addWidget(budget_label, 2, 0)
        endpoint.addWidget(self.budget_spin, 2, 1)
        endpoint.addWidget(self.send_button, 2, 2)
        endpoint.addWidget(self.progress, 2, 3)
        endpoint.addWidget(self.busy_label, 2, 4)
        endpoint.setColumnStretch(4, 1)

        # -- the result -------------------------------------------------------
        self.outcome_label = ResultLabel("Test result")
        self.documents = Documents(self, what="test runs", status=self.outcome_label,
                                   messages=messages)
        self.reply = ReplyView(self.fontMetrics().height())
        self.status_label, self.timing_label = self.reply.status_label, self.reply.timing_label
        self.open_designer_button = self.reply.open_designer_button
        self.reply_preview, self.reply_findings = self.reply.reply_preview, self.reply.reply_findings
        self.raw_reply, self.result_tabs = self.reply.raw_reply, self.reply.tabs

        # -- walking the call -------------------------------------------------
        walk = WalkBox()
        self.keypad = walk.keypad
        self.walk_hint = walk.hint
        self.follow_goto_button = walk.follow_goto_button
        self.auto_send_check = walk.auto_send_check

        self.runs_list = QListWidget()
        self.runs_list.setAccessibleName("Test runs")
        self.runs_list.setMaximumHeight(90)
        self.save_runs_button = push_button("Save runs\u2026", "Save the test runs (never with the CVV)")
        self.save_runs_button.setEnabled(False)
        runs_header = row(buddy_label("Test runs (se&lect one to see it again):", self.runs_list), 1,
                          self.save_runs_button)

        layout = column(
            QLabel("<b>Endpoint tester</b>: send the request, see what your endpoint answers"),
            endpoint, self.for_branch, self.outcome_label, self.reply.facts, parent=self, margins=0)
        self.result_splitter = QSplitter(Qt.Orientation.Vertical)
        self.result_splitter.setChildrenCollapsible(False)
        self.result_splitter.addWidget(self.result_tabs)
        self.result_splitter.addWidget(walk)
        self.result_splitter.setStretchFactor(0, 1)
        self.result_splitter.setStretchFactor(1, 0)
        layout.addWidget(self.result_splitter, 1)
        layout.addLayout(runs_header)
        layout.addWidget(self.runs_list)

        self.send_button.clicked.connect(self.on_send_clicked)
        self.url_edit.returnPressed.connect(self.on_send_clicked)
        self.url_edit.textEdited.connect(lambda _t: self.url_error.show_error(None))
        self.open_designer_button.clicked.connect(self._on_open_designer_clicked)
        self.keypad.key_chosen.connect(self.on_key_chosen)
        self.follow_goto_button.clicked.connect(self.on_follow_goto_clicked)
        self.runs_list.currentRowChanged.connect(self._on_run_selected)
        self.save_runs_button.clicked.connect(self.on_save_runs_clicked)
        composer.request_changed.connect(self._update_for_branch)
        add_shortcuts(self, [("Ctrl+Return", self.on_send_clicked)])
        self._load_settings()
        self._update_for_branch()

    # -- settings (last endpoint and budget) ---------------------------------
    def _load_settings(self) -> None:
        if self.settings_path is None:
            return
        settings = read_tester_settings(self.settings_path, self.notices)
        if "endpoint_url" in settings:
            self.url_edit.setText(settings["endpoint_url"])
        if "budget_s" in settings:
            self.budget_spin.setValue(settings["budget_s"])
        if "walk_sends" in settings:
            self.auto_send_check.setChecked(settings["walk_sends"])

    def _save_settings(self) -> None:
        if self.settings_path is None:
            return
        data = {"endpoint_url": without_password(self.url_edit.text().strip()),
                "budget_s": self.budget_spin.value(),
                "walk_sends": self.auto_send_check.isChecked()}
        write_tester_settings(self.settings_path, data)

    # -- sending ---------------------------------------------------------------
    def _update_for_branch(self) -> None:
        branch = self.composer.request().current_branch
        if branch:
            self.for_branch.setText(f"This request is for branch {branch} (its last branch "
                                    "step): the Trigger branch whose endpoint you are testing.")
        else:
            self.for_branch.setText("The request has no branch steps; add at least the "
                                    "branch the caller is in.")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.send_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.busy_label.setVisible(busy)
        if busy:
            self.keypad.set_targets({})
            self.follow_goto_button.setEnabled(False)
        else:
            self.keypad.set_targets(self._targets)
            self.follow_goto_button.setEnabled(self._goto_target() is not None)

    @asyncSlot()
    async def on_send_clicked(self) -> None:
        await self.send()

    async def send(self) -> ReplyOutcome | None:
        if self.busy:
            return None
        request = self.composer.request()
        errors = [f for f in validate_request(request) if f.severity == "error"]
        if errors:
            more = (f" ({len(errors) - 1} more in the request's findings.)"
                    if len(errors) > 1 else "")
            self.documents.tell("error", f"Not sent. {errors[0].message}{more}")
            return None
        url = self.url_edit.text().strip()
        budget = self.budget_spin.value()
        self.url_error.show_error(None)
        self.clear_result()
        self._set_busy(True)
        where = without_password(url) or "the endpoint"
        self.outcome_label.show_result("busy", f"Sending to {where}\u2026 (waiting up to "
                                       f"{budget:g} s)")
        sent_at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        try:
            reply = await self.post_request(url, request_payload(request, cvv="send"),
                                            budget_s=budget)
        finally:
            self._set_busy(False)
        if reply.error_kind in ("invalid_url", "invalid_budget"):
            self.url_error.show_error(reply.error)
            self.documents.tell("error", f"Not sent. {reply.error}")
            self.url_edit.setFocus()
            return None
        outcome = interpret_reply(reply, budget_s=budget, secrets=request.cvvs())
        run = EndpointRun(sent_at=sent_at, url=without_password(url), budget_s=budget,
                          request=request_payload(request, cvv="omit"),
                          status_code=reply.status_code, elapsed_s=reply.elapsed_s,
                          outcome=outcome)
        self.runs.append(run)
        self.runs_list.blockSignals(True)
        self.runs_list.addItem(run.title())
        self.runs_list.setCurrentRow(self.runs_list.count() - 1)
        self.runs_list.blockSignals(False)
        self.save_runs_button.setEnabled(True)
        log.info("Branch endpoint test: %s, %.3f s, %s", outcome.status_text, reply.elapsed_s,
                 outcome.kind)
        self._save_settings()
        self.show_outcome(outcome)
        return outcome

    def clear_result(self) -> None:
        """Forget the last reply on screen, so a new run never shows the previous
        run's status, timing or JSON beside its own."""
        self.outcome = None
        self.reply.clear()
        self._targets = {}

    def show_outcome(self, outcome: ReplyOutcome, *, announce: bool = True) -> None:
        """Show `outcome`; `announce` also posts its headline to the message bridge
        (not when the user looks at an earlier run again)."""
        self.outcome = outcome
        if announce:
            self.documents.tell(_OUTCOME_STYLE[outcome.kind], outcome.headline)
        else:
            self.outcome_label.show_result(_OUTCOME_STYLE[outcome.kind], outcome.headline)
        self.reply.show(outcome, self.palette())
        design = outcome.design
        self._targets = {}
        if design is not None:
            for key, branch in design.inputs:
                if key in KEYPAD_KEYS and branch_number_problem(branch) is None:
                    self._targets[key] = branch
        self.keypad.set_targets(self._targets)
        goto = self._goto_target()
        self.follow_goto_button.setEnabled(goto is not None)
        self.follow_goto_button.setText(f"Follow \u201cGo to branch\u201d \u2192 {goto}"
                                        if goto else "Follow \u201cGo to branch\u201d")
        if self._targets:
            offered = ", ".join(f"{k} \u2192 {b}" for k, b in self._targets.items())
            self.walk_hint.setText(f"The reply offers: {offered}. Press a key as the caller "
                                   "would; it is added to the branch steps.")
        elif design is not None and design.inputs:
            self.walk_hint.setText("None of the reply's keys can be pressed: see its findings.")
        elif design is not None:
            self.walk_hint.setText("The reply offers no keys.")
        else:
            self.walk_hint.setText("No usable reply, so no keys to press.")

    def _goto_target(self) -> str | None:
        design: Design | None = self.outcome.design if self.outcome else None
        if design is None or design.goto is None or branch_number_problem(design.goto):
            return None
        return design.goto

    # -- walking -----------------------------------------------------------------
    def on_key_chosen(self, key: str) -> None:
        branch = self._targets.get(key)
        if branch is None or self.busy:
            return
        self._walk_to(branch, key, f"the caller pressed {key}")

    def on_follow_goto_clicked(self) -> None:
        goto = self._goto_target()
        if goto is not None and not self.busy:
            self._walk_to(goto, None, "the reply's Go to branch")

    def _walk_to(self, branch: str, key: str | None, how: str) -> None:
        steps = walk_steps(self.composer.request().branch_data, branch, key)
        self.composer.steps_model.set_rows((step.branch, step.input) for step in steps)
        if self.auto_send_check.isChecked():
            self.on_send_clicked()
        else:
            pressed = (f" Key {key} is recorded on the branch where it was pressed."
                       if key else "")
            self.walk_hint.setText(
                f"Added the step \u201cbranch {branch}\u201d ({how}) to the branch steps."
                f"{pressed} If branch {branch} also triggers this endpoint, press Send.")

    # -- runs ------------------------------------------------------------------
    def _on_run_selected(self, row: int) -> None:
        if 0 <= row < len(self.runs):
            self.show_outcome(self.runs[row].outcome, announce=False)

    def _on_open_designer_clicked(self) -> None:
        if self.outcome is not None and self.outcome.design is not None:
            self.open_in_designer_requested.emit(self.outcome.design)

    def save_runs_to(self, path: Path | str) -> bool:
        path = Path(path)
        if not self.documents.write(path, runs_to_json(self.runs) + "\n",
                                    saving="the test runs"):
            return False
        self.documents.tell("ok", f"Saved {plural(len(self.runs), 'test run')} "
                   f"to {path.name}, without card verification values.")
        return True

    def on_save_runs_clicked(self) -> None:
        path = self.documents.ask_save_path("Save the test runs",
                                            suggested=runs_file_name(self.runs))
        if path is not None:
            self.save_runs_to(path)
