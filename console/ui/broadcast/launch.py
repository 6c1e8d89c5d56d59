"""What step 4's buttons do: a test to one number, and Start.

Start checks the fields and every row again, asks before a customer could get
the message twice (console/ui/broadcast_guard.py) and, on a live account, for
a confirmation that names the cost; then it writes the run and hands it to the
runner. Start works once per broadcast: not while that run goes on, nor while
a start is handled.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QScrollArea, QWidget

from qasync import asyncSlot

from console.domain.broadcast.overlap import RECENT, Overlap, find_overlap
from console.domain.broadcast.preflight import RowDecision
from console.domain.broadcast.recipients import MappingError
from console.domain.broadcast.template import TemplateError
from console.domain.phone import InvalidPhoneError, format_phone, normalize_phone
from console.jobs.broadcast_runner import BroadcastRunner
from console.jobs.session import AccountSession
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, RunSettings, RunSpec
from console.store.interface import HistoryStore
from console.store.journal import JournalError
from console.ui.broadcast.checking import Checking
from console.ui.broadcast.state import (
    Context,
    confirmation_lines,
    confirmation_text,
    left_out_counts,
    run_settings,
    started_words,
)
from console.ui.broadcast.steps import Steps
from console.ui.broadcast_guard import INCLUDE, LEAVE_OUT, Choose, overlap_question
from console.ui.broadcast_rows import run_rows
from console.ui.messages import MessageBridge
from console.ui.send_flow import Form
from console.ui.widgets import key_is_missing, live_confirmation

if TYPE_CHECKING:
    from console.jobs.sender import Sender

__all__ = ["Launcher"]


class Launcher(QObject):
    run_started = Signal(int)  # run id

    def __init__(self, *, owner: QWidget, session: AccountSession, sender: Sender,
                 store: BroadcastStore, runner: BroadcastRunner, messages: MessageBridge,
                 confirm: Callable[[QMessageBox], bool], choose: Choose,
                 history: HistoryStore | None, context: Context, steps: Steps,
                 checking: Checking) -> None:
        super().__init__(owner)
        self.owner = owner  # the tab: the parent of the questions asked
        self.session = session
        self.account_sender = sender
        self.store = store
        self.runner = runner
        self.messages = messages
        self.confirm = confirm
        self.choose = choose
        self.history = history
        self.context = context
        self.checking = checking
        recipients, sending, runs = steps.recipients, steps.sending, steps.runs
        self.recipients, self.message, self.timing = recipients, steps.message, steps.timing
        self.sending, self.runs = sending, runs
        self.result_label = sending.result_label
        self.tested: tuple[str, str] | None = None  # (kind, message) a test went out with
        self.starting = False  # a Start is being handled: a second click does nothing
        self.own_run_id: int | None = None  # the run this tab last started
        sending.test_button.clicked.connect(self.on_test_clicked)
        sending.start_button.clicked.connect(self.on_start_clicked)
        runs.run_ended.connect(self._on_run_ended)
        runs.progress_shown.connect(self.update_start_button)
        recipients.loading_finished.connect(lambda _ok: self.update_start_button())
        checking.settled.connect(self.update_start_button)

    # -- the fields ------------------------------------------------------------------
    def validate_send(self) -> RunSettings | None:
        """The run's settings, or None after showing every problem (first one focused)."""
        fields = {**self.message.errors(), **self.timing.errors()}
        for name, (error, _field) in fields.items():
            if name != "window":  # the sending hours' own check shows or clears it
                error.show_error(None)
        timing = self.timing
        settings, problems = run_settings(
            self.message.choice(), number=self.message.number(), window=timing.sending_hours(),
            per_second=timing.per_second_spin.value(), per_minute=timing.per_minute_spin.value(),
            quiet_mode=timing.quiet_mode(), start=timing.start_time(), now=self.context.now(),
            office_zone=self.context.office_zone)
        for name, text in problems:
            if text:
                fields[name][0].show_error(text)
        if problems:
            fields[problems[0][0]][1].setFocus()
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return None
        return settings

    def confirm_live(self, rows: Sequence[RowDecision], *, left_out_twice: int = 0) -> bool:
        profile = self.session.profile
        if profile.is_sandbox:
            return True
        choice = self.message.choice()
        left = left_out_counts(self.checking.result)
        if left_out_twice:
            left["would get it twice"] = left_out_twice
        lines = confirmation_lines(choice, rows, left_out=left,
                                   tested=self.tested == (choice.kind, choice.key()))
        box = live_confirmation(self.owner, title="Start the broadcast?",
                                text=confirmation_text(choice, len(rows), profile.name),
                                informative="\n".join(lines), action="Start broadcast")
        return self.confirm(box)

    # -- the test ----------------------------------------------------------------------
    @asyncSlot()
    async def on_test_clicked(self) -> None:
        sending = self.sending
        sending.test_error.show_error(None)
        try:
            to = normalize_phone(sending.test_edit.text(), field="Test number")
        except InvalidPhoneError as err:
            sending.test_error.show_error(str(err))
            sending.test_edit.setFocus()
            return
        settings = self.validate_send()
        going = self.checking.result.going
        if settings is None or not going:
            return
        first = going[0]
        choice = self.message.choice()

        def call() -> Awaitable[object]:
            if choice.sms:
                return self.account_sender.send_sms(from_number=settings["from"], to=to, body=first.text)
            return self.account_sender.place_call(cid=settings["cid"], to=to, type=settings["type"],
                                          sfile_id=settings.get("sfile_id"),
                                          route_number=settings.get("route_number"),
                                          branch_number=settings.get("branch_number"))

        flow = sending.test_flows[choice.kind]
        await flow.run(
            form=Form(), confirmations=lambda _profile: [], request=call,
            busy_text=f"Sending a test to {format_phone(to)}…",
            done_text=lambda _result: (
                f"Test sent to {format_phone(to)} with row {first.row}'s message. "
                "Check it on the phone, then start the broadcast."))
        if flow.last_outcome == "done":
            self.tested = (choice.kind, choice.key())

    # -- Start -------------------------------------------------------------------------
    @asyncSlot()
    async def on_start_clicked(self) -> None:
        # The button is disabled at once, but a second click already queued
        # must not start a second run of the same list either.
        if self.starting or self.own_run_running():
            return
        self.starting = True
        self.sending.start_button.setEnabled(False)
        try:
            await self._start()
        finally:
            self.starting = False
            self.update_start_button()

    def _refuse(self, kind: str, text: str) -> None:
        self.result_label.show_result(kind, text)

    async def _start(self) -> None:
        settings = self.validate_send()
        if settings is None:
            return
        given = self.checking.given()
        if given is None:
            self._refuse("error", "There is no one to send to: check the recipients and the "
                                  "message.")
            return
        try:
            preflight = await self.checking.runner.compute_now(given)
        except (MappingError, TemplateError) as err:
            self._refuse("error", str(err))
            return
        except (JournalError, BroadcastStoreError) as err:
            self._refuse("error", f"The broadcast was not started: the do-not-contact list or "
                                  f"History could not be read ({err}).")
            return
        rows = preflight.going
        if not rows:
            self._refuse("error", "There is no one to send to: every row is skipped or left out "
                                  "(see 4. Check and send).")
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        profile = self.session.profile
        choice = self.message.choice()
        try:
            overlap = await self._find_overlap(profile.id, choice.kind, rows)
        except (JournalError, BroadcastStoreError) as err:
            self._refuse("error", f"The broadcast was not started: History could not be read to "
                                  f"check who got this already ({err}).")
            return
        twice: list[RowDecision] = []
        if overlap:
            answer = self.choose(overlap_question(self.owner, overlap, len(rows)))
            if answer not in (LEAVE_OUT, INCLUDE):
                self._refuse("warning", "Not started.")
                return
            if answer == LEAVE_OUT:
                twice = [r for i, r in enumerate(rows) if i in overlap.indexes]
                rows = [r for i, r in enumerate(rows) if i not in overlap.indexes]
            if not rows:
                self._refuse("warning", "Not started: every recipient got this message in the "
                                        "last 24 hours or is in a broadcast that is not over.")
                return
        if not self.confirm_live(rows, left_out_twice=len(twice)):
            self._refuse("warning", "Not started.")
            return
        spec = RunSpec(profile_id=profile.id, profile_name=profile.name, kind=choice.kind,
                       name=choice.run_name(), settings=settings,
                       start_at=self.timing.start_time())
        new_rows, left_out = run_rows(preflight, rows, twice)
        try:
            # Off the UI thread: a long list is thousands of rows to write.
            run_id = await asyncio.to_thread(self.store.create_run, spec, new_rows, left_out)
        except BroadcastStoreError as err:
            self._refuse("error", f"The broadcast was not started: {err}")
            self.messages.error(str(err))
            return
        self.own_run_id = run_id
        self.runs.refresh(select=run_id)
        self.runner.start(run_id)
        text = started_words(run_id, len(new_rows), left_out_twice=len(twice),
                             starts_at=self.timing.start_words() if spec.start_at else None)
        self.result_label.show_result("ok", text)
        self.messages.info(text)
        self.run_started.emit(run_id)
        self._show_runs()

    async def _find_overlap(self, profile_id: str, kind: str,
                            rows: Sequence[RowDecision]) -> Overlap:
        """Rows whose customer got this same message in the last 24 hours (any broadcast or
        one-off send, from History) or is still to be sent to by a run that is not over."""
        since = self.context.now() - RECENT
        history = self.history

        def read() -> Overlap:
            recent = ([(e.recipient, e.content, e.created_at) for e in history.recent_sends(
                since, kinds=(kind,), profile_id=profile_id)] if history is not None else [])
            running = self.store.numbers_in_open_runs(profile_id)
            return find_overlap([(r.number, r.text) for r in rows],
                                recent=recent, running=running)

        return await asyncio.to_thread(read)

    # -- the Start button and the run it started -----------------------------------------
    def own_run_running(self) -> bool:
        return self.own_run_id is not None and self.runner.is_running(self.own_run_id)

    def update_start_button(self) -> None:
        ready = (bool(self.checking.result.going) and not self.checking.template_error
                 and not self.recipients.loading)
        running = self.own_run_running()
        button = self.sending.start_button
        button.setEnabled(ready and not running and not self.starting)
        button.setToolTip(
            f"Broadcast #{self.own_run_id} is under way: follow it under 5. Runs, or pause or "
            "cancel it there." if running else "")

    def _show_runs(self) -> None:
        """Bring the run's progress into sight (the tab sits in a scroll area)."""
        parent = self.owner.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(self.runs, 0, 0)

    def _on_run_ended(self, run_id: int, state: str, text: str) -> None:
        run = self.store.run(run_id)
        if run_id == self.own_run_id:
            # The "it is running" words no longer hold, and Start is free again (a
            # second start of the same list meets the 24-hour question).
            self.own_run_id = None
            self.result_label.show_result("warning" if run.unknown or state == "cancelled" else "ok",
                                          text)
        self.update_start_button()
