"""The upload run: asyncio tasks on the running loop, at most `concurrency` at a time.

A mixin of `UploadQueue` (it works on the queue's rows and emits its signals):
each upload begins its History entry, has its row written as on the wire and
committed, then sends; it ends done, failed, cancelled (only while bytes are
still to go) or "may already be in the library" (when Voitex's answer is
unclear after every byte left). History calls go through `self._journal`,
shaped as the journal writer (`begin(**kw) -> Future[int]`, `finish(...) -> Future`).
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from console.api import ApiError
from console.domain.audio import inspect_audio
from console.domain.vocabulary import EntryKind, MessageLevel, Outcome
from console.domain.wording import plural
from console.jobs.uploads import rules
from console.jobs.uploads.host import QueueHost
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.status import Status
from console.store.journal import JournalError

log = logging.getLogger(__name__)

_RATE_WINDOW_S = 15.0

UNSURE_REASON = ("It was being uploaded when the console stopped, so the library may already "
                 "have it. Choose Upload again or Mark as done.")


@dataclass
class _Active:
    task: asyncio.Task[None]
    entry_id: int | None = None
    abandoned: bool = False  # the queue shut down: the task must not touch the item
    cleaned: bool = False  # the row's state after the upload has been settled


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class UploadRunner(QueueHost):
    """The run's half of `UploadQueue` (see there for the attributes it uses)."""

    def progress(self) -> QueueProgress:
        files_total = files_done = files_failed = files_uploading = 0
        bytes_total = bytes_done = 0
        remaining = 0
        for item in self._items:
            status = item.status
            if not status.holds_number:
                continue
            files_total += 1
            bytes_total += item.size
            if status == Status.DONE or status == Status.SENT:
                files_done += status == Status.DONE
                files_uploading += status == Status.SENT
                bytes_done += item.size
            elif status == Status.UPLOADING:
                files_uploading += 1
                sent = min(item.sent, item.size)
                bytes_done += sent
                remaining += item.size - sent
            elif status == Status.FAILED:
                files_failed += 1
            elif status == Status.QUEUED and not item.problem:
                remaining += item.size
        rate = self._rate()
        eta = None
        if self._running or self._active:
            raw = remaining / rate if rate else None
            now = time.monotonic()
            eta = rules.smooth_eta(self._eta, raw, now - self._eta_at)
            self._eta, self._eta_at = eta, now
        else:
            self._eta = None
        return QueueProgress(files_total, files_done, files_failed, files_uploading,
                             bytes_total, bytes_done, eta, rate)

    def _rate(self) -> float | None:
        samples = self._rate_samples
        if len(samples) < 2:
            return None
        (t0, b0), (t1, b1) = samples[0], samples[-1]
        if t1 - t0 < 1.0 or b1 <= b0:
            return None
        return (b1 - b0) / (t1 - t0)

    def _pump(self) -> None:
        if not self._running or self._closing:
            return
        if len(self._active) < self._concurrency:
            for item in self._items:
                if len(self._active) >= self._concurrency:
                    break
                if item.status == Status.QUEUED and not item.problem and item.id not in self._active:
                    self._launch(item)
        if not self._active and not any(i.status == Status.INSPECTING for i in self._items):
            waiting = any(i.status == Status.QUEUED for i in self._items)
            if not waiting or self.blocking_problems():
                self._finish_run()

    def _launch(self, item: QueueItem) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop()
        item.status = Status.UPLOADING
        item.sent = 0
        item.reason = None
        self._row_changed(item)
        active = _Active(task=None)  # type: ignore[arg-type]
        self._active[item.id] = active
        active.task = loop.create_task(self._upload(item, active))
        active.task.add_done_callback(lambda task: self._on_task_done(item, active, task))
        self.state_changed.emit()

    def _finish_run(self) -> None:
        was_running = self._running
        self._running = False
        self._progress_timer.stop()
        self._flush_progress()
        self.state_changed.emit()
        if was_running:
            done, failed, unsure = (self._run_counts[Status.DONE], self._run_counts[Status.FAILED],
                                    self._run_counts[Status.UNSURE])
            left = sum(1 for i in self._items if i.status == Status.QUEUED)
            parts = [f"{plural(done, 'file')} uploaded"]
            if failed:
                parts.append(f"{failed} failed (see the Status column; “Retry failed” sends them again)")
            if unsure:
                parts.append(f"{unsure} may already be in the library (select them: Upload again "
                             "or Mark as done)")
            if left:
                parts.append(f"{left} still queued: fix the rows marked as needing attention")
            summary = "; ".join(parts) + "."
            self.message.emit(MessageLevel.WARNING if failed or left or unsure else MessageLevel.INFO,
                              summary)

    async def _upload(self, item: QueueItem, active: _Active) -> None:
        outcome = None
        try:
            client = self._run_client
            stamp = file_stamp(item.path)
            if stamp is None:
                outcome = self._failed(item, "The file is no longer there: it was moved or "
                                             "deleted after it was added.")
                return
            if stamp != item.stamp:
                info = await asyncio.to_thread(inspect_audio, item.path)
                item.info, item.stamp = info, stamp
                if not info.ok:
                    outcome = self._failed(item, f"The file changed after it was added: {info.reason}")
                    return
            try:
                active.entry_id = await asyncio.wrap_future(self._journal_begin(item))
            except Exception as err:
                log.exception("writing the upload's history entry failed")
                if isinstance(err, JournalError):  # already says what happened and what to do
                    outcome = self._failed(item, f"The file was not sent: {err}")
                else:
                    outcome = self._failed(item, f"History could not be written ({err}), so the "
                                                 "file was not sent. Try again in a moment.")
                return
            # The row says "on the wire" on disk before a byte leaves: after a
            # crash from here on, it comes back as "may already be in the library".
            item.entry_id = active.entry_id
            try:
                await asyncio.wrap_future(self._write_now([item], durable=True))
            except Exception as err:
                log.exception("saving the upload queue failed")
                self._journal_finish(active, Outcome.FAILED, None, [
                    "Not sent: the upload queue could not be saved."])
                outcome = self._failed(item, f"The queue could not be saved ({err}), so the file "
                                             "was not sent. Try again in a moment.")
                return
            # A run starts only with a client, and only rows without problems
            # (an album and a sort number) are taken from the queue.
            assert client is not None and item.album is not None and item.sort is not None
            try:
                result = await client.upload_recording(
                    item.path, album_number=item.album, sort_number=item.sort,
                    display_name=item.display_name or None,
                    on_progress=lambda sent, total: self._on_progress(item, sent, total))
            except ApiError as err:
                reason = str(err)
                extra = [m for m in err.messages if m and m not in reason]
                if extra:
                    reason += " Voitex said: " + "; ".join(extra)
                unknown = err.outcome_unknown and item.status == Status.SENT
                self._journal_finish(active, Outcome.UNKNOWN if err.outcome_unknown else Outcome.FAILED,
                                     None, [str(err), *err.messages])
                if unknown:
                    outcome = self._unsure(item, f"{reason} The library may already have it: "
                                                 "choose Upload again or Mark as done.")
                else:
                    outcome = self._failed(item, reason)
            except OSError as err:
                text = f"The file could not be read: {err.strerror or err}."
                self._journal_finish(active, Outcome.FAILED, None, [text])
                outcome = self._failed(item, text)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # the file changed under the upload, and the like
                log.warning("upload of %s failed", item.path, exc_info=True)
                text = f"The upload stopped: {err}."
                self._journal_finish(active, Outcome.FAILED, None, [text])
                outcome = self._failed(item, text)
            else:
                item.status = Status.DONE
                item.recording_id = result.recording_id
                item.sent = item.size
                item.finished_at = utc_now()
                item.reason = None
                self._write_now([item])
                self._journal_finish(active, Outcome.DONE, result.recording_id, [])
                self._run_counts[Status.DONE] += 1
                outcome = (Status.DONE, result.recording_id)
        except asyncio.CancelledError:
            if active.abandoned:
                raise
            if item.status == Status.SENT:
                # Cancel refuses a row in this state; only closing gets here.
                self._unsure(item, UNSURE_REASON)
            else:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before all of it was sent; the library does not have it."
            if active.entry_id is not None:
                ended = Outcome.UNKNOWN if item.status == Status.UNSURE else Outcome.FAILED
                self._journal_finish(active, ended, None, [item.reason or ""])
            raise
        finally:
            self._after_upload(item, active, outcome)

    def _on_task_done(self, item: QueueItem, active: _Active, task: asyncio.Task[None]) -> None:
        # A task cancelled before its first step never runs its own clean-up.
        if not active.cleaned:
            if task.cancelled() and item.status == Status.UPLOADING:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before it was sent."
            self._after_upload(item, active, None)

    def _after_upload(self, item: QueueItem, active: _Active,
                      outcome: tuple[Status, str] | None) -> None:
        if active.cleaned or active.abandoned:
            return
        active.cleaned = True
        self._active.pop(item.id, None)
        if item.status == Status.UPLOADING:
            item.status = Status.QUEUED
        self._progress_ids.discard(item.id)
        if item.status == Status.CANCELLED:
            self._recheck_problems()  # a cancelled row no longer holds its album and sort
        if item.id in self._by_id:
            self._row_changed(item)
            self._mark_dirty([item])
        self.progress_changed.emit()
        self.state_changed.emit()
        if outcome is not None and outcome[0] == Status.DONE:
            self.upload_finished.emit(item.id, outcome[1])
        if self._paused and not self._active and not self._closing:
            self._tell_paused()
        self._pump()

    def _failed(self, item: QueueItem, reason: str) -> tuple[Status, str]:
        item.status = Status.FAILED
        item.reason = reason
        item.sent = 0
        item.finished_at = utc_now()
        self._run_counts[Status.FAILED] += 1
        return (Status.FAILED, reason)

    def _unsure(self, item: QueueItem, reason: str) -> tuple[Status, str]:
        item.status = Status.UNSURE
        item.reason = reason
        item.finished_at = utc_now()
        self._run_counts[Status.UNSURE] += 1
        return (Status.UNSURE, reason)

    def _on_progress(self, item: QueueItem, sent: int, total: int) -> None:
        delta = sent - item.sent
        if delta > 0:
            self._transferred += delta
        item.sent = sent
        if total and sent >= total and item.status == Status.UPLOADING:
            # The last byte has left: from now on Cancel cannot undo it. Only the
            # Status cell changes (with the next progress tick); buttons follow.
            item.status = Status.SENT
            self._mark_dirty([item])
            self.state_changed.emit()
        self._progress_ids.add(item.id)

    def _flush_progress(self) -> None:
        now = time.monotonic()
        samples = self._rate_samples
        samples.append((now, self._transferred))
        while len(samples) > 2 and now - samples[0][0] > _RATE_WINDOW_S:
            samples.popleft()
        if self._progress_ids:
            rows = [self._rows[i] for i in self._progress_ids if i in self._rows]
            self._progress_ids.clear()
            if rows:
                self.progress_rows_changed.emit(min(rows), max(rows))
        self.progress_changed.emit()
        if not self._running and not self._active:
            self._progress_timer.stop()

    # ------------------------------------------------------------------ journal
    def _journal_begin(self, item: QueueItem) -> Future[int]:
        profile_id, profile_name = self._run_profile
        request = {"album_number": item.album, "sort_number": item.sort,
                   "display_name": item.display_name, "upload_file": str(item.path),
                   "size": item.size}
        return self._journal.begin(
            kind=EntryKind.UPLOAD, profile_id=profile_id, profile_name=profile_name,
            recipient=f"album {item.album} / sort {item.sort}", content=item.name,
            request=request)

    def _journal_finish(self, active: _Active, outcome: Outcome, result_id: str | None,
                        messages: list[str]) -> None:
        if active.entry_id is None:
            return
        try:
            future = self._journal.finish(active.entry_id, outcome=outcome, result_id=result_id,
                                          messages=messages)
        except RuntimeError:  # the I/O thread is gone (closing)
            log.warning("history entry %s left pending: the queue is closing", active.entry_id)
            return
        def landed(done: Future[None]) -> None:  # on the I/O thread
            if done.exception() is not None:
                log.error("writing an upload to history failed: %s", done.exception())
                self._journal_failed.emit(str(done.exception()))

        future.add_done_callback(landed)

    def _on_journal_failed(self, error: str) -> None:
        # The upload's own outcome stands (the row shows it); History lags behind.
        self.message.emit(MessageLevel.WARNING, f"History could not be updated for an upload ({error}). "
                                                "The Recordings tab shows what really happened.")
