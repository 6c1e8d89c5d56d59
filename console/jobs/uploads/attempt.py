"""One upload of one row, from its History entry to how it ended.

An `Attempt` begins the row's History entry, has the row written as on the
wire and committed, then sends; it ends done, failed, cancelled (only while
bytes are still to go) or "may already be in the library" (when Voitex's answer
is unclear after every byte left). The runner (`runner.py`) starts attempts as
asyncio tasks and settles each row when its attempt ends.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Protocol

from console.api import ApiError, VoitexClient
from console.domain.audio import inspect_audio
from console.domain.vocabulary import EntryKind, Outcome
from console.jobs.uploads.items import QueueItem, file_stamp, utc_now
from console.jobs.uploads.journal_link import JournalLink
from console.jobs.uploads.status import Status
from console.store.journal import JournalError

log = logging.getLogger(__name__)

UNSURE_REASON = ("It was being uploaded when the console stopped, so the library may already "
                 "have it. Choose Upload again or Mark as done.")

Ended = tuple[Status, str]  # how an attempt ended: (DONE, recording id) or (FAILED/UNSURE, why)


class DurableWrites(Protocol):
    """Where an attempt has its row written (`QueuePersistence.write_now`)."""

    def write_now(self, items: Sequence[QueueItem], *, durable: bool = False) -> Future[None]: ...


class Attempt:
    """One row's upload; `task` runs `run()` on the event loop."""

    def __init__(self, item: QueueItem, *, client: VoitexClient | None, profile: tuple[str, str],
                 journal: JournalLink, writes: DurableWrites,
                 count: Callable[[Status], None],
                 on_progress: Callable[[QueueItem, int, int], None],
                 on_journal_failed: Callable[[str], None]) -> None:
        self.item = item
        self.task: asyncio.Task[None] | None = None
        self.entry_id: int | None = None
        self.abandoned = False  # the queue shut down: the task must not touch the item
        self.cleaned = False  # the row's state after the upload has been settled
        self._client = client
        self._profile = profile
        self._journal = journal
        self._writes = writes
        self._count = count
        self._on_progress = on_progress
        self._on_journal_failed = on_journal_failed

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def run(self) -> Ended:
        """Upload the row; how it ended (CancelledError when cancelled)."""
        item = self.item
        try:
            stamp = file_stamp(item.path)
            if stamp is None:
                return self.failed("The file is no longer there: it was moved or "
                                   "deleted after it was added.")
            if stamp != item.stamp:
                info = await asyncio.to_thread(inspect_audio, item.path)
                item.info, item.stamp = info, stamp
                if not info.ok:
                    return self.failed(f"The file changed after it was added: {info.reason}")
            try:
                self.entry_id = await asyncio.wrap_future(self._journal_begin())
            except Exception as err:
                log.exception("writing the upload's history entry failed")
                if isinstance(err, JournalError):  # already says what happened and what to do
                    return self.failed(f"The file was not sent: {err}")
                return self.failed(f"History could not be written ({err}), so the "
                                   "file was not sent. Try again in a moment.")
            # The row says "on the wire" on disk before a byte leaves: after a
            # crash from here on, it comes back as "may already be in the library".
            item.entry_id = self.entry_id
            try:
                await asyncio.wrap_future(self._writes.write_now([item], durable=True))
            except Exception as err:
                log.exception("saving the upload queue failed")
                self.finish_journal(Outcome.FAILED, None, ["Not sent: the upload queue could not be saved."])
                return self.failed(f"The queue could not be saved ({err}), so the file "
                                   "was not sent. Try again in a moment.")
            return await self._send()
        except asyncio.CancelledError:
            if self.abandoned:
                raise
            if item.status == Status.SENT:
                # Cancel refuses a row in this state; only closing gets here.
                self.unsure(UNSURE_REASON)
            else:
                item.status = Status.CANCELLED
                item.reason = "Cancelled before all of it was sent; the library does not have it."
            if self.entry_id is not None:
                ended = Outcome.UNKNOWN if item.status == Status.UNSURE else Outcome.FAILED
                self.finish_journal(ended, None, [item.reason or ""])
            raise

    async def _send(self) -> Ended:
        item = self.item
        client = self._client
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
            self.finish_journal(Outcome.UNKNOWN if err.outcome_unknown else Outcome.FAILED,
                                None, [str(err), *err.messages])
            if unknown:
                return self.unsure(f"{reason} The library may already have it: "
                                   "choose Upload again or Mark as done.")
            return self.failed(reason)
        except OSError as err:
            text = f"The file could not be read: {err.strerror or err}."
            self.finish_journal(Outcome.FAILED, None, [text])
            return self.failed(text)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # the file changed under the upload, and the like
            log.warning("upload of %s failed", item.path, exc_info=True)
            text = f"The upload stopped: {err}."
            self.finish_journal(Outcome.FAILED, None, [text])
            return self.failed(text)
        item.status = Status.DONE
        item.recording_id = result.recording_id
        item.sent = item.size
        item.finished_at = utc_now()
        item.reason = None
        self._writes.write_now([item])
        self.finish_journal(Outcome.DONE, result.recording_id, [])
        self._count(Status.DONE)
        return (Status.DONE, result.recording_id)

    def failed(self, reason: str) -> Ended:
        item = self.item
        item.status = Status.FAILED
        item.reason = reason
        item.sent = 0
        item.finished_at = utc_now()
        self._count(Status.FAILED)
        return (Status.FAILED, reason)

    def unsure(self, reason: str) -> Ended:
        item = self.item
        item.status = Status.UNSURE
        item.reason = reason
        item.finished_at = utc_now()
        self._count(Status.UNSURE)
        return (Status.UNSURE, reason)

    # ------------------------------------------------------------------ History
    def _journal_begin(self) -> Future[int]:
        item = self.item
        profile_id, profile_name = self._profile
        request = {"album_number": item.album, "sort_number": item.sort,
                   "display_name": item.display_name, "upload_file": str(item.path),
                   "size": item.size}
        return self._journal.begin(
            kind=EntryKind.UPLOAD, profile_id=profile_id, profile_name=profile_name,
            recipient=f"album {item.album} / sort {item.sort}", content=item.name,
            request=request)

    def finish_journal(self, outcome: Outcome, result_id: str | None, messages: list[str]) -> None:
        if self.entry_id is None:
            return
        try:
            future = self._journal.finish(self.entry_id, outcome=outcome, result_id=result_id,
                                          messages=messages)
        except RuntimeError:  # the I/O thread is gone (closing)
            log.warning("history entry %s left pending: the queue is closing", self.entry_id)
            return

        def landed(done: Future[None]) -> None:  # on the I/O thread
            if done.exception() is not None:
                log.error("writing an upload to history failed: %s", done.exception())
                self._on_journal_failed(str(done.exception()))

        future.add_done_callback(landed)
