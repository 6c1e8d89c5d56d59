"""What a History entry is, as both journals (SQLite, PostgreSQL) read and write it:
the entry and a recent send as plain tuples, the kinds and outcomes, the time format,
and how a stored row becomes an entry (a garbled row from a repaired file too).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NamedTuple

from console.domain.vocabulary import EntryKind, Outcome
from console.store.database import StoreError

KINDS = tuple(EntryKind)
OUTCOMES = tuple(Outcome)
FINAL_OUTCOMES = tuple(o for o in Outcome if o.is_final)

CRASH_MESSAGE = (
    "The console closed before the reply arrived, so it is not known whether "
    "this went out."
)

# The columns of an entry, in `JournalEntry` order.
ENTRY_COLUMNS = ("id", "created_at", "updated_at", "kind", "profile_id", "profile_name",
                 "recipient", "content", "request", "outcome", "result_id", "messages",
                 "resend_of", "group_id", "desk", "operator")
_UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class JournalError(StoreError):
    """The history file cannot be used; the message says what to do."""


class JournalEntry(NamedTuple):
    """One History entry. A tuple of plain values, with the request and the
    messages kept as their JSON text and read on access: 100,000 loaded
    entries then cost the garbage collector nothing to walk, so scrolling
    History never pauses for it."""

    id: int
    created_at: str  # ISO 8601, UTC
    updated_at: str
    kind: str
    profile_id: str
    profile_name: str
    recipient: str
    content: str
    request_json: str
    outcome: str
    result_id: str | None
    messages_json: str
    resend_of: int | None
    group_id: str | None = None  # the broadcast run this entry belongs to
    desk: str = ""  # the desk (computer) that wrote it; "" before desks were recorded
    operator: str = ""  # the OS user signed in there

    @property
    def created(self) -> datetime:
        try:
            return datetime.fromisoformat(str(self.created_at))
        except ValueError:
            return _UNKNOWN_TIME  # a garbled row from a repaired file is still shown

    @property
    def request(self) -> dict[str, Any]:
        """The request's fields as stored (secrets already removed)."""
        return json_dict(self.request_json)

    @property
    def messages(self) -> list[str]:
        return json_list(self.messages_json)


class RecentSend(NamedTuple):
    """One entry of `Journal.recent_sends`: to whom, what, when, and how it ended."""

    recipient: str
    content: str
    created_at: str  # ISO 8601, UTC
    kind: str
    outcome: str  # done, pending or unknown: never failed
    group_id: str | None  # the broadcast run, or None for a one-off send


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a journal time must carry its time zone")
    # One fixed format, so text comparison in SQL orders and filters correctly.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def json_list(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return [str(text)]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def json_dict(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


_TEXT_FIELDS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15)
_OPTIONAL_TEXT_FIELDS = (10, 13)
_OPTIONAL_INT_FIELDS = (12,)


def found_entry(row: tuple[Any, ...] | None, entry_id: int) -> JournalEntry:
    """The entry `row` holds; JournalError when no row was found."""
    if row is None:
        raise JournalError(f"There is no history entry {entry_id}.")
    return entry_of(row)


def entry_of(row: tuple[Any, ...]) -> JournalEntry:
    for i in _TEXT_FIELDS:
        if type(row[i]) is not str:
            return JournalEntry._make(_coerced(row))
    return JournalEntry._make(row)


def _coerced(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row from a repaired file whose values are not of their column's type
    (garbled bytes can turn a text into a number or a blob): still showable."""
    def text(value: Any) -> str:
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return "" if value is None else str(value)

    values = list(row)
    for i in _TEXT_FIELDS:
        values[i] = text(values[i])
    for i in _OPTIONAL_TEXT_FIELDS:
        if values[i] is not None:
            values[i] = text(values[i])
    for i in _OPTIONAL_INT_FIELDS:
        if values[i] is not None and not isinstance(values[i], int):
            values[i] = None
    return tuple(values)
