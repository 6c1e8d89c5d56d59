"""The upload run: at most `concurrency` attempts at a time, as asyncio tasks on the running loop.

`UploadRunner` owns the run (on, paused, closing), the attempts under way
(`attempt.py`) and the run's figures (`progress.py`). It takes queued rows from
`QueueRows` in table order, has them written through the persistence part, and
tells what happened through `QueueEvents`. No Qt: its progress ticks come from
a `Timer` its host connects to `tick`.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from typing import Protocol

from console.api import VoitexClient
from console.domain.vocabulary import MessageLevel, Outcome
from console.domain.wording import plural
from console.jobs.uploads.attempt import UNSURE_REASON, Attempt, Ended
from console.jobs.uploads.events import QueueEvents, Timer
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.journal_link import JournalLink
from console.jobs.uploads.progress import RunMeter
from console.jobs.uploads.rows import QueueRows
from console.jobs.uploads.status import Status

__all__ = ["CONCURRENCY_MAX", "UNSURE_REASON", "UploadRunner", "journal_failed_text"]

CONCURRENCY_MAX = 16


class RunWrites(Protocol):
    """What the run has saved (`QueuePersistence`)."""

    def mark_dirty(self, items: Iterable[QueueItem]) -> None: ...
    def write_now(self, items: Sequence[QueueItem], *, durable: bool = False) -> Future[None]: ...


def journal_failed_text(error: str) -> str:
    # The upload's own outcome stands (the row shows it); History lags behind.
    return (f"History could not be updated for an upload ({error}). "
            "The Recordings tab shows what really happened.")


def _clamp_concurrency(value: int) -> int:
    return max(1, min(CONCURRENCY_MAX, int(value)))


class UploadRunner:
    def __init__(self, rows: QueueRows, *, writes: RunWrites, journal: JournalLink,
                 events: QueueEvents, ticker: Timer,
                 client_factory: Callable[[], VoitexClient],
                 profile: Callable[[], tuple[str, str]], concurrency: int = 4) -> None:
        """`ticker` is started while a run is on; its timeout calls `tick`."""
        self._rows = rows
        self._writes = writes
        self._journal = journal
        self._events = events
        self._ticker = ticker
        self._client_factory = client_factory
        self._profile = profile
        self._concurrency = _clamp_concurrency(concurrency)
        self._run_client: VoitexClient | None = None
        self._run_profile: tuple[str, str] = ("", "")
        self._running = False
        self._paused = False
        self._closing = False
        self._active: dict[int, Attempt] = {}
        self._run_counts = {Status.DONE: 0, Status.FAILED: 0, Status.UNSURE: 0}
        self._meter = RunMeter()
        self._progress_ids: set[int] = set()

    # ------------------------------------------------------------------ reading
    @property
    def concurrency(self) -> int:
        return self._concurrency

    @property
    def running(self) -> bool:
        """An upload run is on (not paused, not finished)."""
        return self._running

    @property
    def paused(self) -> bool:
        """Paused by the user with rows still waiting (Upload then means Resume)."""
        return self._paused and self._rows.any_with(Status.QUEUED)

    @property
    def active_count(self) -> int:
        return len(self._active)

    def has_active_uploads(self) -> bool:
        return self._running or bool(self._active)

    def progress(self) -> QueueProgress:
        return self._meter.figures(self._rows, busy=self.has_active_uploads())

    # ------------------------------------------------------------------ settings
    def set_concurrency(self, value: int) -> bool:
        """True when it changed (the host saves it and tells)."""
        value = _clamp_concurrency(value)
        if value == self._concurrency:
            return False
        self._concurrency = value
        return True

    def restore_concurrency(self, value: object) -> None:
        if isinstance(value, int):
            self._concurrency = _clamp_concurrency(value)

    # ------------------------------------------------------------------ the user's commands
    def start(self) -> bool:
        """Start (or resume) uploading; False, with a message, when it cannot."""
        if self._running:
            return True
        problems = self._rows.blocking_problems()
        if problems:
            first = problems[0]
            self._events.message(
                MessageLevel.WARNING,
                f"Upload not started: {plural(len(problems), 'row needs', 'rows need')} "
                f"attention first. {first.name}: {first.problem}")
            self._events.state_changed()
            return False
        if not self._rows.any_with(Status.QUEUED, Status.INSPECTING):
            self._events.message(MessageLevel.INFO, "There is nothing queued to upload.")
            return False
        if not self._active:
            # A run talks to the account it started on, whatever the window
            # switches to meanwhile (see account_changed).
            try:
                self._run_client = self._client_factory()
            except Exception as err:  # no key for the profile, and the like
                self._events.message(MessageLevel.ERROR, f"Upload not started: {err}")
                self._events.state_changed()
                return False
            self._run_profile = self._profile()
        self._running = True
        self._paused = False
        if not self._active:
            self._run_counts = {Status.DONE: 0, Status.FAILED: 0, Status.UNSURE: 0}
            self._meter.reset()
        self._ticker.start()
        self._events.state_changed()
        self.pump()
        return True

    def account_changed(self) -> None:
        """The window switched profile: a running batch stops taking new files."""
        if self._running:
            self.pause()
            self._events.message(MessageLevel.WARNING, "Uploads paused because the profile changed. "
                                                       "Press Upload to continue on the new profile.")

    def pause(self) -> None:
        """Start no new uploads; the ones under way finish."""
        if not self._running:
            return
        self._running = False
        self._paused = True
        if self._active:
            self._events.message(MessageLevel.INFO,
                                 f"Pausing: waiting for {plural(len(self._active), 'upload')} "
                                 "under way to finish.")
        else:
            self._tell_paused()
        self._events.state_changed()

    def _tell_paused(self) -> None:
        waiting = sum(1 for i in self._rows if i.status == Status.QUEUED)
        self._events.message(MessageLevel.INFO, f"Paused: {plural(waiting, 'file')} still queued. "
                                                "Press Resume to go on.")

    def cancel(self, item_ids: Iterable[int]) -> int:
        """Cancel rows that are waiting or still sending; returns how many.

        A row whose bytes have all left cannot be cancelled: it stays, says so,
        and ends as uploaded or as "may already be in the library".
        """
        rows = self._rows
        count = 0
        changed_rows: list[int] = []
        changed: list[QueueItem] = []
        too_late: list[QueueItem] = []
        for item_id in item_ids:
            item = rows.get(item_id)
            if item is None:
                continue
            if item.status == Status.SENT:
                item.cancel_refused = True
                too_late.append(item)
                changed_rows.append(rows.row_of(item.id))
            elif item.status == Status.UPLOADING and item_id in self._active:
                self._active[item_id].cancel()
                count += 1
            elif item.status.can_cancel and item.status != Status.UPLOADING:
                rows.cancel_waiting(item)
                changed_rows.append(rows.row_of(item.id))
                changed.append(item)
                count += 1
        if too_late:
            names = ", ".join(f"“{i.name}”" for i in too_late[:3])
            more = f" and {len(too_late) - 3} more" if len(too_late) > 3 else ""
            self._events.message(
                MessageLevel.WARNING, f"{names}{more}: already sent, so Cancel cannot undo "
                f"{'it' if len(too_late) == 1 else 'them'}; waiting for Voitex's reply.")
        if changed_rows:
            rows.settle(changed, changed_rows)
        return count

    def cancel_all(self) -> int:
        """Stop the run and cancel every row waiting or still sending (failed rows stay failed)."""
        was = self._running or bool(self._active)
        self._running = False
        self._paused = False
        count = self.cancel([i.id for i in self._rows
                             if i.status in (Status.QUEUED, Status.INSPECTING, Status.UPLOADING)])
        sent = sum(1 for a in self._active.values() if a.item.status == Status.SENT)
        if was or count:
            text = f"Upload stopped: {plural(count, 'file')} cancelled."
            if sent:
                text += (f" {plural(sent, 'file was', 'files were')} already sent and "
                         f"{'is' if sent == 1 else 'are'} waiting for Voitex's reply.")
            self._events.message(MessageLevel.INFO, text)
        self._events.state_changed()
        return count

    def go_on(self) -> None:
        """Rows were queued again: upload them (in the run, or a new one)."""
        if self._running:
            self.pump()
        else:
            self.start()

    # ------------------------------------------------------------------ the run
    def pump(self) -> None:
        """Start queued rows while there is room; end the run when nothing is left."""
        if not self._running or self._closing:
            return
        if len(self._active) < self._concurrency:
            for item in self._rows:
                if len(self._active) >= self._concurrency:
                    break
                if item.status == Status.QUEUED and not item.problem and item.id not in self._active:
                    self._launch(item)
        idle = not self._active and not self._rows.any_with(Status.INSPECTING)
        if idle and (not self._rows.any_with(Status.QUEUED) or self._rows.blocking_problems()):
            self._finish_run()

    def _launch(self, item: QueueItem) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop()
        item.status = Status.UPLOADING
        item.sent = 0
        item.reason = None
        self._rows.row_changed(item)
        attempt = Attempt(item, client=self._run_client, profile=self._run_profile,
                          journal=self._journal, writes=self._writes, count=self._count,
                          on_progress=self._on_progress,
                          on_journal_failed=self._events.journal_failed)
        self._active[item.id] = attempt
        task = attempt.task = loop.create_task(self._upload(attempt))
        task.add_done_callback(lambda done: self._on_task_done(attempt, done))
        self._events.state_changed()

    def _count(self, status: Status) -> None:
        self._run_counts[status] += 1

    def _finish_run(self) -> None:
        was_running = self._running
        self._running = False
        self._ticker.stop()
        self.tick()
        self._events.state_changed()
        if was_running:
            done, failed, unsure = (self._run_counts[Status.DONE], self._run_counts[Status.FAILED],
                                    self._run_counts[Status.UNSURE])
            left = sum(1 for i in self._rows if i.status == Status.QUEUED)
            parts = [f"{plural(done, 'file')} uploaded"]
            if failed:
                parts.append(f"{failed} failed (see the Status column; “Retry failed” sends them again)")
            if unsure:
                parts.append(f"{unsure} may already be in the library (select them: Upload again "
                             "or Mark as done)")
            if left:
                parts.append(f"{left} still queued: fix the rows marked as needing attention")
            summary = "; ".join(parts) + "."
            self._events.message(MessageLevel.WARNING if failed or left or unsure else MessageLevel.INFO,
                                 summary)

    async def _upload(self, attempt: Attempt) -> None:
        outcome: Ended | None = None
        try:
            outcome = await attempt.run()
        finally:
            self._after_upload(attempt, outcome)

    def _on_task_done(self, attempt: Attempt, task: asyncio.Task[None]) -> None:
        # A task cancelled before its first step never runs its own clean-up.
        if not attempt.cleaned:
            item = attempt.item
            if task.cancelled() and item.status == Status.UPLOADING:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before it was sent."
            self._after_upload(attempt, None)

    def _after_upload(self, attempt: Attempt, outcome: Ended | None) -> None:
        if attempt.cleaned or attempt.abandoned:
            return
        attempt.cleaned = True
        item = attempt.item
        self._active.pop(item.id, None)
        if item.status == Status.UPLOADING:
            item.status = Status.QUEUED
        self._progress_ids.discard(item.id)
        if item.status == Status.CANCELLED:
            self._rows.recheck_problems()  # a cancelled row no longer holds its album and sort
        if self._rows.get(item.id) is not None:
            self._rows.row_changed(item)
            self._writes.mark_dirty([item])
        self._events.progress_changed()
        self._events.state_changed()
        if outcome is not None and outcome[0] == Status.DONE:
            self._events.upload_finished(item.id, outcome[1])
        if self._paused and not self._active and not self._closing:
            self._tell_paused()
        self.pump()

    def _on_progress(self, item: QueueItem, sent: int, total: int) -> None:
        self._meter.sent(sent - item.sent)
        item.sent = sent
        if total and sent >= total and item.status == Status.UPLOADING:
            # The last byte has left: from now on Cancel cannot undo it. Only the
            # Status cell changes (with the next progress tick); buttons follow.
            item.status = Status.SENT
            self._writes.mark_dirty([item])
            self._events.state_changed()
        self._progress_ids.add(item.id)

    def tick(self) -> None:
        """A progress tick: a rate sample, and the rows whose percentage moved."""
        self._meter.sample()
        if self._progress_ids:
            found = (self._rows.row_if_present(i) for i in self._progress_ids)
            rows = [row for row in found if row is not None]
            self._progress_ids.clear()
            if rows:
                self._events.progress_rows_changed(min(rows), max(rows))
        self._events.progress_changed()
        if not self._running and not self._active:
            self._ticker.stop()

    # ------------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Stop for the application's exit, settling the rows under way.

        An upload whose bytes had not all left is queued again (the library
        cannot have it); one whose bytes had all left may be in the library.
        """
        self._closing = True
        self._running = False
        self._ticker.stop()
        for item_id, attempt in list(self._active.items()):
            attempt.abandoned = True
            item = self._rows.get(item_id)
            if item is not None:
                if item.status == Status.SENT:
                    item.status = Status.UNSURE
                    item.reason = UNSURE_REASON
                    attempt.finish_journal(Outcome.UNKNOWN, None, [
                        "The console closed before Voitex's reply arrived; the library may "
                        "already have the file."])
                else:
                    item.status = Status.QUEUED
                    item.sent = 0
                    attempt.finish_journal(Outcome.FAILED, None, [
                        "Not uploaded: the console closed before all of the file was sent. "
                        "It is still queued."])
                item.entry_id = None if item.status == Status.QUEUED else item.entry_id
                self._writes.mark_dirty([item])
        self.abandon()

    def abandon(self) -> None:
        """Stop at once, as a killed process would: the tasks under way die with
        nothing settled or written (what `shutdown` does after settling them)."""
        self._closing = True
        self._running = False
        self._ticker.stop()
        for attempt in self._active.values():
            attempt.abandoned = True
            attempt.cancel()
        self._active.clear()
