"""What jobs and the UI may use from the durable store, whatever its backend.

`HistoryStore` is the contract. `console.store.journal.Journal` implements it
over the embedded SQLite file (`console.store.database`); a PostgreSQL backend
shared by several desks of one office would implement the same methods, and
`jobs/` and `ui/` would not change. Rules every backend keeps:

- ``begin`` is durable when it returns (the pending entry survives a crash or
  a power cut); the request may leave only after that.
- ``finish`` with an unknown entry id raises ``JournalError``; any other
  failure to write (locked, read-only, disk full, connection lost) raises
  ``JournalError`` whose text says what happened and what to do. Nothing
  waits longer than a fraction of a second for a lock.
- Reads never block on a writer (SQLite: WAL; PostgreSQL: MVCC).
- ``reopen()`` returns a second handle with its own connection, for a thread
  (the journal writer, a background count) that must not queue behind the
  window's handle.
- ``apply_update`` writes an outcome kept from an earlier run only to an
  entry still pending or unknown, so replaying it twice is harmless.

Writes from sends and uploads go through `console.store.journal_writer.
JournalWriter` (one thread, retries, a sidecar file for outcomes not yet
written); the window only reads.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from console.domain.vocabulary import EntryKind, Outcome
from console.store.journal import JournalEntry, RecentSend
from console.store.pending_updates import PendingUpdate


@runtime_checkable
class HistoryStore(Protocol):
    path: Path
    load_warning: str | None

    def begin(self, *, kind: EntryKind, profile_id: str, profile_name: str, recipient: str,
              content: str, request: Mapping[str, Any] | None = None,
              resend_of: int | None = None, group_id: str | None = None) -> int: ...

    def finish(self, entry_id: int, *, outcome: Outcome, result_id: str | None = None,
               messages: Sequence[str] = ()) -> None: ...

    def apply_update(self, update: PendingUpdate) -> bool: ...

    def replay_pending_updates(self) -> int: ...

    def mark_crashed_pending_unknown(self) -> int: ...

    def get(self, entry_id: int) -> JournalEntry: ...

    def query(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None,
              offset: int = 0, limit: int = 200, before_id: int | None = None,
              ids: Sequence[int] | None = None,
              group_id: str | None = None) -> list[JournalEntry]: ...

    def recent_sends(self, since: datetime, *, kinds: Sequence[str] = ...,
                     profile_id: str | None = None) -> list[RecentSend]: ...

    def recent_sends_to(self, recipient: str, since: datetime, *,
                        kinds: Sequence[str] = ...) -> list[str]: ...

    def count(self, *, kind: str | None = None, outcome: str | None = None,
              profile_id: str | None = None, since: datetime | None = None,
              until: datetime | None = None, text: str | None = None,
              group_id: str | None = None, at_most: int | None = None) -> int: ...

    def last_change(self) -> int: ...

    def changed_since(self, change: int) -> tuple[int, list[int]]: ...

    def export_csv(self, path: Path | str, **filters: Any) -> int: ...

    @property
    def pending_updates_path(self) -> Path: ...

    def reopen(self) -> HistoryStore: ...

    def close(self) -> None: ...
