"""History for uploads, in the shape of the journal writer: calls return futures.

`JournalLink` runs a plain `Journal`'s blocking calls on the queue's I/O thread
and hands back `concurrent.futures.Future`s, exactly as a `JournalWriter`
(`begin(**kwargs) -> Future[int]`, `finish(entry_id, *, outcome, result_id=None,
messages=()) -> Future[None]`) does; the queue codes against that shape only,
so switching to the writer is a one-line change where the queue is built.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from console.domain.vocabulary import EntryKind, Outcome
from console.store.interface import HistoryStore
from console.store.journal_writer import JournalWriter

_T = TypeVar("_T")

log = logging.getLogger(__name__)


class JournalLink:
    """`journal` is read for the start-up cross-check (`get`); writes go to `writer`
    (a JournalWriter) when given, else to `journal` on `executor`."""

    def __init__(self, journal: HistoryStore, executor: Executor, *,
                 on_written: Callable[[], None], writer: JournalWriter | None = None) -> None:
        self._journal = journal
        self._executor = executor
        self._on_written = on_written
        self._writer = writer

    def _landed(self, future: Future[_T]) -> Future[_T]:
        future.add_done_callback(lambda f: f.exception() is None and self._on_written())
        return future

    def begin(self, *, kind: EntryKind, profile_id: str, profile_name: str, recipient: str,
              content: str, request: Mapping[str, Any] | None = None,
              resend_of: int | None = None, group_id: str | None = None) -> Future[int]:
        if self._writer is not None:
            return self._landed(self._writer.begin(
                kind=kind, profile_id=profile_id, profile_name=profile_name, recipient=recipient,
                content=content, request=request, resend_of=resend_of, group_id=group_id))

        def begin() -> int:
            entry_id = self._journal.begin(
                kind=kind, profile_id=profile_id, profile_name=profile_name, recipient=recipient,
                content=content, request=request, resend_of=resend_of, group_id=group_id)
            self._on_written()
            return entry_id

        return self._executor.submit(begin)

    def finish(self, entry_id: int, *, outcome: Outcome, result_id: str | None = None,
               messages: Sequence[str] = ()) -> Future[None]:
        if self._writer is not None:
            return self._landed(self._writer.finish(entry_id, outcome=outcome, result_id=result_id,
                                                    messages=list(messages)))

        def finish() -> None:
            self._journal.finish(entry_id, outcome=outcome, result_id=result_id,
                                 messages=list(messages))
            self._on_written()

        return self._executor.submit(finish)

    def outcome_of(self, entry_id: int) -> tuple[str, str | None] | None:
        """(outcome, result id) of an entry, or None when History cannot say."""
        try:
            entry = self._journal.get(entry_id)
        except Exception:  # a missing entry or an unreadable history: not known
            log.warning("history entry %s could not be read", entry_id, exc_info=True)
            return None
        return entry.outcome, entry.result_id
