"""Step 5 of a broadcast: its runs, each row's status, and what the user decides on them.

Pause, resume, cancel (after asking, naming the run), send failed or unknown
rows again, mark unknown rows as sent, export the report (the whole list: one
line per row of the file, left-out rows included), and the offer to resume a
run the console did not finish. The tab owns Start and the banner; this panel
tells it when a run ends (`run_ended`) and when progress changed.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QWidget,
)

from console.domain.broadcast.report import report_csv
from console.domain.wording import plural
from console.jobs.broadcast_runner import BroadcastRunner, RunProgress
from console.jobs.session import AccountSession
from console.store.broadcasts import BroadcastStore, RowInfo, RunInfo
from console.ui.broadcast.parts import button_row, push_button, stack, wrapped_label
from console.ui.broadcast_guard import cancel_question
from console.ui.broadcast_model import BroadcastRowsModel
from console.ui.messages import MessageBridge
from console.ui.widgets import Confirm, ResultLabel, key_is_missing, live_confirmation

__all__ = ["RunsPanel", "RUN_STATE_WORDS", "duration_words"]

RUN_STATE_WORDS = {
    "scheduled": "scheduled", "running": "running", "paused": "paused",
    "interrupted": "interrupted (the console closed)", "cancelled": "cancelled",
    "finished": "finished",
}


def duration_words(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return plural(seconds, "second")
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return plural(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    return f"{plural(hours, 'hour')} {plural(minutes, 'minute')}"


class RunsPanel(QGroupBox):
    run_ended = Signal(int, str, str)  # run id, final state, what to tell the user
    progress_shown = Signal()

    def __init__(self, *, session: AccountSession, store: BroadcastStore, runner: BroadcastRunner,
                 messages: MessageBridge, confirm: Confirm, result_label: ResultLabel,
                 choose_save_path: Callable[[], Path | None],
                 parent: QWidget | None = None) -> None:
        super().__init__("5. Runs", parent)
        self.session = session
        self.store = store
        self.runner = runner
        self.messages = messages
        self.confirm = confirm
        self.result_label = result_label
        self._choose_save = choose_save_path
        self._offer: int | None = None
        self.resume_label = ResultLabel("Broadcast to resume")
        self.resume_button = push_button("Resume it", "Resume the interrupted broadcast",
                                         clicked=self.on_resume_offer_clicked)
        self.resume_button.hide()
        self._build()
        runner.row_changed.connect(self._on_runner_row_changed)
        runner.progress_changed.connect(self._on_runner_progress)
        runner.run_finished.connect(self._on_run_finished)
        runner.run_stopped.connect(self._on_run_stopped)
        runner.rate_limited.connect(self._on_rate_limited)

    def _build(self) -> None:
        self.runs_combo = QComboBox()
        self.runs_combo.currentIndexChanged.connect(self._on_run_chosen)
        runs_label = QLabel("Run:")
        runs_label.setBuddy(self.runs_combo)
        self.runs_combo.setAccessibleName("Broadcast run")
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Broadcast progress")
        self.progress_label = wrapped_label("", "Broadcast progress details")
        self.model = BroadcastRowsModel(self)
        self.rows_view = QTableView()
        self.rows_view.setModel(self.model)
        self.rows_view.setAccessibleName("Status of each row")
        self.rows_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.rows_view.horizontalHeader()
        # Fixed widths, never "resize to contents": that measures every row again at each
        # row's change, which for a list of thousands is seconds of the window's time.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((52, 120, 360, 170)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.rows_view.setWordWrap(False)
        self.rows_view.verticalHeader().setDefaultSectionSize(
            self.rows_view.fontMetrics().height() + 6)
        self.rows_view.verticalHeader().hide()
        self.rows_view.setMinimumHeight(200)
        self.pause_button = push_button("Pause", "Pause the broadcast", clicked=self.on_pause_clicked)
        self.resume_run_button = push_button("Resume", "Resume the broadcast",
                                             clicked=self.on_resume_clicked)
        self.cancel_button = push_button("Cancel the rest", "Cancel the rows not sent yet",
                                         clicked=self.on_cancel_clicked)
        self.send_again_button = push_button(
            "Send selected again", "Send the selected rows again", clicked=self.on_send_again_clicked,
            tip="For rows that failed, or whose outcome is unknown after you checked they did "
                "not arrive.")
        self.mark_sent_button = push_button("Mark selected as sent",
                                            "Mark the selected unknown rows as sent",
                                            clicked=self.on_mark_sent_clicked)
        self.export_button = push_button("Export report…", "Export the run's report as CSV",
                                         clicked=self.on_export_clicked)
        top = QHBoxLayout()
        top.addWidget(runs_label)
        top.addWidget(self.runs_combo, 1)
        top.addWidget(self.progress_bar, 1)
        buttons = button_row((self.pause_button, self.resume_run_button, self.cancel_button,
                              self.send_again_button, self.mark_sent_button))
        buttons.addWidget(self.export_button)
        stack(self, [top, self.progress_label, self.rows_view, buttons])

    # -- runs --------------------------------------------------------------------
    def current_run_id(self) -> int | None:
        run_id = self.runs_combo.currentData()
        return run_id if isinstance(run_id, int) else None

    def _run_title(self, run: RunInfo) -> str:
        when = run.created_at[:16].replace("T", " ")
        state = RUN_STATE_WORDS.get(run.state, run.state)
        extra = f", {run.unknown} unknown" if run.unknown else ""
        return f"#{run.id} {when} UTC — {run.name} — {state}{extra}"

    def refresh(self, select: int | None = None) -> None:
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

    def _on_run_chosen(self, *_args: object) -> None:
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
        if progress is None:
            for button in (self.pause_button, self.resume_run_button, self.cancel_button,
                           self.send_again_button, self.mark_sent_button, self.export_button):
                button.setEnabled(False)
            return
        is_paused = self.runner.is_paused(progress.run_id)
        running = (self.runner.is_running(progress.run_id)
                   and progress.state in ("running", "scheduled", "paused"))
        paused = (progress.state in ("paused", "interrupted", "scheduled")
                  and not (running and not is_paused))
        self.pause_button.setEnabled(running and not is_paused)
        self.resume_run_button.setEnabled(progress.to_send > 0 and paused)
        self.cancel_button.setEnabled(progress.to_send > 0)
        self.send_again_button.setEnabled(True)
        self.mark_sent_button.setEnabled(progress.unknown > 0)
        self.export_button.setEnabled(True)

    def _on_runner_row_changed(self, row: RowInfo) -> None:
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
        text = ", ".join(parts) + f" — {RUN_STATE_WORDS.get(progress.state, progress.state)}."
        if progress.state == "scheduled" and progress.start_at:
            text += f" It starts at {progress.start_at.astimezone():%Y-%m-%d %H:%M} (your time)."
        if progress.to_send and progress.state == "running":
            text += f" About {duration_words(progress.seconds_left)} left."
        if progress.waiting and progress.next_opening:
            local = progress.next_opening.astimezone()
            text += (f" {progress.waiting:,} wait for quiet hours; the next goes at "
                     f"{local:%Y-%m-%d %H:%M} (your time).")
        if progress.slowed:
            text += f" Slowed down at Voitex's request: about {progress.per_second * 60:.0f} per minute."
        self.progress_label.setText(text)
        self._update_run_buttons(progress)
        self.progress_shown.emit()

    def _on_run_finished(self, run_id: int, state: str) -> None:
        self.refresh()
        run = self.store.run(run_id)
        text = (f"Broadcast #{run_id} {RUN_STATE_WORDS.get(state, state)}: "
                f"{run.counts.get('sent', 0):,} sent")
        for key, words in (("failed", "failed"), ("skipped", "skipped"), ("waiting", "waiting")):
            if run.counts.get(key):
                text += f", {run.counts[key]:,} {words}"
        if run.unknown:
            text += (f", {run.unknown:,} unknown: check with those customers, then choose Send "
                     "selected again or Mark selected as sent")
        self.messages.info(text + ".")
        self.run_ended.emit(run_id, state, text + ".")
        self.show_resume_offer()

    def _on_run_stopped(self, run_id: int, why: str) -> None:
        self.messages.warning(f"Broadcast #{run_id}: {why}")
        if run_id == self.current_run_id():
            self.result_label.show_result("warning", why)
        self.refresh()

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
            self.refresh()

    def on_resume_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is None or not self._own_run(run_id):
            return
        if key_is_missing(self.session, self.result_label, self.messages):
            return
        self.runner.resume(run_id)
        self.refresh()
        self.show_resume_offer()

    def on_cancel_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is None:
            return
        run = self.store.run(run_id)
        box = cancel_question(self, run_id=run_id, name=run.name, to_send=run.to_send)
        if not self.confirm(box):
            return
        self.runner.cancel(run_id)
        self.refresh()

    def _chosen_rows(self, missing: str) -> tuple[int, list[RowInfo]] | None:
        """The run shown and its rows selected, or None after telling the user `missing`."""
        run_id = self.current_run_id()
        indexes = sorted({i.row() for i in self.rows_view.selectionModel().selectedIndexes()})
        if run_id is None or not indexes:
            self.result_label.show_result("warning", missing)
            return None
        return run_id, [self.model.row_at(i) for i in indexes]

    def on_send_again_clicked(self) -> None:
        chosen = self._chosen_rows("Select the rows to send again first.")
        if chosen is None:
            return
        run_id, rows = chosen
        if not self._own_run(run_id):
            return
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
        self.refresh()

    def on_mark_sent_clicked(self) -> None:
        chosen = self._chosen_rows("Select the unknown rows you checked first.")
        if chosen is None:
            return
        run_id, rows = chosen
        self.runner.mark_sent(run_id, [r.position for r in rows])
        self.refresh()

    def on_export_clicked(self) -> None:
        run_id = self.current_run_id()
        if run_id is None:
            return
        path = self._choose_save()
        if path:
            self.export_report(run_id, path)

    def export_report(self, run_id: int, path: Path) -> asyncio.Task[None]:
        """The whole list, one line per row of the file (written off the UI thread)."""
        return asyncio.ensure_future(self._export_report(run_id, Path(path)))

    async def _export_report(self, run_id: int, path: Path) -> None:
        self.export_button.setEnabled(False)

        def write() -> int:
            rows, left = self.store.rows(run_id), self.store.left_out(run_id)
            path.write_bytes(report_csv(rows, left))
            return len(rows) + len(left)

        try:
            count = await asyncio.to_thread(write)
        except OSError as err:
            self.messages.error(f"The report could not be saved to {path}: {err.strerror or err}. "
                                "Choose another folder.")
            return
        finally:
            self.export_button.setEnabled(True)
        self.messages.info(f"Report of broadcast #{run_id} saved to {path}: "
                           f"{plural(count, 'row')} of the list.")

    # -- resuming after a restart ------------------------------------------------------
    def show_resume_offer(self) -> None:
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
        run_id = self._offer
        if run_id is None:
            return
        self.refresh(select=run_id)
        self.on_resume_clicked()
