"""Send one-off requests (SMS, call, TTS) with a journal entry around each.

The entry is written as pending before the request leaves and updated with
the outcome after, so a crash in between shows up as "unknown" on the next
start instead of vanishing. Both writes go through the `JournalWriter`
thread: the window never waits on the history file.

- If the pending entry cannot be written, nothing is sent:
  `HistoryUnavailableError` says why and what to do.
- The outcome's write never changes what the caller is told. Each send
  returns a `SendResult`: ``value`` is the client's result (`SmsResult`,
  `CallResult`, `RecordingResult`), ``entry_id`` the History entry, and
  ``history_note`` is None, or a sentence to show beside the result when
  History could not be updated yet (the writer keeps retrying, also after a
  restart). Failures raise the client's errors as before, with the same
  ``history_note`` attribute set on the error.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from console.api import ApiError, CallResult, RecordingResult, SmsResult
from console.domain.vocabulary import EntryKind, Outcome
from console.jobs.session import AccountSession
from console.store.interface import HistoryStore
from console.store.journal import JournalEntry, JournalError
from console.store.journal_writer import JournalWriter

log = logging.getLogger(__name__)

T = TypeVar("T")

HISTORY_NOTE = ("History could not be updated yet; it will be updated when the file is free.")
# How long a send waits for its outcome to reach History before saying it has
# not yet. A write normally takes milliseconds; a locked file takes the
# writer's first attempt (250 ms) and more.
FINISH_GRACE_S = 0.75


class HistoryUnavailableError(Exception):
    """The pending History entry could not be written, so nothing was sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Nothing was sent, because History could not record it first. {reason}")
        self.reason = reason


@dataclass(frozen=True)
class SendResult(Generic[T]):
    value: T
    entry_id: int
    history_note: str | None = None


def outcome_of(err: ApiError) -> Outcome:
    return Outcome.UNKNOWN if err.outcome_unknown else Outcome.FAILED


def messages_of(err: ApiError) -> list[str]:
    return list(err.messages) or [str(err)]


class Sender:
    """`writer=` is the console's one JournalWriter; given only `journal=`,
    the Sender makes its own and closes it in `close()`."""

    def __init__(self, *, session: AccountSession, writer: JournalWriter | None = None,
                 journal: HistoryStore | None = None,
                 on_journal_changed: Callable[[], None] | None = None) -> None:
        if writer is None and journal is None:
            raise TypeError("Sender needs a writer= or a journal=")
        self.session = session
        self.journal = journal
        self._on_journal_changed = on_journal_changed or (lambda: None)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._owns_writer = writer is None
        if writer is None:
            assert journal is not None  # checked above
            writer = JournalWriter(journal, on_changed=self._changed_from_writer)
        self.writer = writer

    def close(self) -> None:
        """Close the writer this Sender made (outcomes not yet written are kept)."""
        if self._owns_writer:
            self.writer.close()

    def _changed_from_writer(self) -> None:
        # Called on the writer thread when a late outcome lands.
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._on_journal_changed)

    async def _journalled(self, *, kind: EntryKind, recipient: str, content: str,
                          request: dict[str, Any], result_id_of: Callable[[Any], str | None],
                          call: Callable[[Any], Awaitable[T]], resend_of: int | None,
                          group_id: str | None) -> SendResult[T]:
        self._loop = asyncio.get_running_loop()
        profile = self.session.profile
        client = self.session.client()  # NoKeyError before anything is journalled
        begun = self.writer.begin(
            kind=kind, profile_id=profile.id, profile_name=profile.name,
            recipient=recipient, content=content, request=request, resend_of=resend_of,
            group_id=group_id)
        try:
            entry_id = await asyncio.wrap_future(begun)
        except JournalError as err:
            raise HistoryUnavailableError(str(err)) from err
        except asyncio.CancelledError:
            # Cancelled before sending: an entry written meanwhile must not
            # be left pending (it would read "unknown" at the next start).
            begun.add_done_callback(self._close_unsent)
            raise
        self._on_journal_changed()
        self.session.request_started()
        try:
            result = await call(client)
        except ApiError as err:
            landed = self._finish(entry_id, outcome=outcome_of(err), messages=messages_of(err))
            # The error is the send's answer; History being behind only adds a note.
            err.history_note = None if await _landed_soon(landed) else HISTORY_NOTE
            self._on_journal_changed()
            raise
        except BaseException as err:
            # Cancelled or crashed after the request may have left: nobody knows.
            self._finish(entry_id, outcome=Outcome.UNKNOWN,
                         messages=[f"Interrupted: {type(err).__name__}"])
            raise
        finally:
            self.session.request_finished()
        landed = self._finish(entry_id, outcome=Outcome.DONE, result_id=result_id_of(result))
        note = None if await _landed_soon(landed) else HISTORY_NOTE
        self._on_journal_changed()
        return SendResult(result, entry_id, note)

    def _close_unsent(self, begun: Future[int]) -> None:
        if not begun.cancelled() and begun.exception() is None:
            self._finish(begun.result(), outcome=Outcome.FAILED,
                         messages=["Cancelled before it was sent."])

    def _finish(self, entry_id: int, *, outcome: Outcome, result_id: str | None = None,
                messages: Sequence[str] = ()) -> Future[None]:
        future = self.writer.finish(entry_id, outcome=outcome, result_id=result_id,
                                    messages=messages)
        # Failures are the writer's to retry; never surface them as the send's.
        future.add_done_callback(_log_failure)
        return future

    async def send_sms(self, *, from_number: str, to: str, body: str,
                       resend_of: int | None = None,
                       group_id: str | None = None) -> SendResult[SmsResult]:
        return await self._journalled(
            kind=EntryKind.SMS, recipient=to, content=body,
            request={"from": from_number, "to": to, "body": body},
            result_id_of=lambda r: r.reference_id,
            call=lambda c: c.send_sms(from_number=from_number, to=to, body=body),
            resend_of=resend_of, group_id=group_id)

    async def place_call(self, *, cid: str, to: str, type: str, sfile_id: str | None = None,
                         route_number: str | None = None, branch_number: str | None = None,
                         resend_of: int | None = None,
                         group_id: str | None = None) -> SendResult[CallResult]:
        request: dict[str, str | None] = {"cid": cid, "to": to, "type": type}
        if type == "stream":
            request["sfile_id"] = sfile_id
        else:
            request.update(route_number=route_number, branch_number=branch_number)
        content = call_content(type=type, sfile_id=sfile_id, route_number=route_number,
                               branch_number=branch_number)
        kwargs = {k: v for k, v in request.items() if v is not None}
        return await self._journalled(
            kind=EntryKind.CALL, recipient=to, content=content, request=request,
            result_id_of=lambda r: r.reference_id,
            call=lambda c: c.notification_call(**kwargs), resend_of=resend_of,
            group_id=group_id)

    async def create_tts(self, *, text: str, album_number: int, sort_number: int | None = None,
                         resend_of: int | None = None) -> SendResult[RecordingResult]:
        where = f"album {album_number}" + (f" / sort {sort_number}" if sort_number is not None else "")
        request: dict[str, Any] = {"album_number": album_number, "text": text}
        if sort_number is not None:
            request["sort_number"] = sort_number
        return await self._journalled(
            kind=EntryKind.TTS, recipient=where, content=text, request=request,
            result_id_of=lambda r: r.recording_id,
            call=lambda c: c.create_tts(text=text, album_number=album_number,
                                        sort_number=sort_number),
            resend_of=resend_of, group_id=None)

    async def resend(self, entry: JournalEntry) -> SendResult[Any]:
        """Send a failed or unknown entry again, as a new journal entry (same group)."""
        r = dict(entry.request)
        if entry.kind == EntryKind.SMS:
            return await self.send_sms(from_number=r["from"], to=r["to"], body=r["body"],
                                       resend_of=entry.id, group_id=entry.group_id)
        if entry.kind == EntryKind.CALL:
            return await self.place_call(cid=r["cid"], to=r["to"], type=r["type"],
                                         sfile_id=r.get("sfile_id"),
                                         route_number=r.get("route_number"),
                                         branch_number=r.get("branch_number"),
                                         resend_of=entry.id, group_id=entry.group_id)
        if entry.kind == EntryKind.TTS:
            return await self.create_tts(text=r["text"], album_number=int(r["album_number"]),
                                         sort_number=(int(r["sort_number"])
                                                      if r.get("sort_number") is not None else None),
                                         resend_of=entry.id)
        raise ValueError(f"{entry.kind} entries are sent again from their own tab.")


async def _landed_soon(future: Future[Any]) -> bool:
    """True when the outcome reached History within the grace period. The
    write itself is never cancelled or awaited beyond that."""
    if not future.done():
        loop = asyncio.get_running_loop()
        done = asyncio.Event()

        def on_done(_future: Future[Any]) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(done.set)

        future.add_done_callback(on_done)
        try:
            await asyncio.wait_for(done.wait(), FINISH_GRACE_S)
        except TimeoutError:
            return False
    return not future.cancelled() and future.exception() is None


def _log_failure(future: Future[None]) -> None:
    if future.cancelled():
        return
    err = future.exception()
    if err is not None:
        log.warning("a send's outcome is not in History yet: %s", err)


def call_content(*, type: str, sfile_id: str | None = None, route_number: str | None = None,
                 branch_number: str | None = None) -> str:
    """What History records as a call's content (the Calls tab compares it before a call)."""
    if type == "stream":
        return f"Play library file {sfile_id}"
    return f"Route into branch {branch_number} of {route_number}"
