"""The filters of a History list, in one place for both journals.

`EntryFilter.of` checks and normalises what a list asks for (kind, outcome,
profile, broadcast run, time range, a page's last id, given ids, a search text,
a phone number as typed); `clauses` says the parts every engine says alike. What
is each engine's own (how a search text is matched, how a list of ids is passed)
stays with the journal: console/store/journal.py (SQLite, its trigram index),
console/store/pg/journal.py (PostgreSQL, ILIKE).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.store.journal_entry import timestamp

# A search text that is a phone number as typed: digits, spaces, ( ) . + -
DIGITS_ONLY = re.compile(r"[\d\s().+\-]+")


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class EntryFilter:
    """What a History list asks for, checked; empty fields ask for nothing."""

    text: str = ""  # trimmed
    # The search text's digits when it is a phone number as typed ("(845) 951-1000"):
    # numbers are stored as 10 digits, so those find them too.
    phone_digits: str | None = None
    equal: tuple[tuple[str, str], ...] = ()  # (column, value)
    since: str | None = None  # stored time, inclusive
    until: str | None = None  # stored time, exclusive
    before_id: int | None = None
    ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, *, kind: str | None = None, outcome: str | None = None,
           profile_id: str | None = None, since: datetime | None = None,
           until: datetime | None = None, text: str | None = None,
           before_id: int | None = None, ids: Sequence[int] | None = None,
           group_id: str | None = None) -> EntryFilter:
        text = (text or "").strip()
        digits = re.sub(r"\D", "", text)
        phone = len(digits) >= 3 and digits != text and DIGITS_ONLY.fullmatch(text)
        equal = tuple((column, value) for column, value in (
            ("kind", kind), ("outcome", outcome), ("profile_id", profile_id),
            ("group_id", group_id)) if value is not None)
        return cls(text=text, phone_digits=digits if phone else None, equal=equal,
                   since=None if since is None else timestamp(since),
                   until=None if until is None else timestamp(until),
                   before_id=None if before_id is None else int(before_id),
                   ids=None if ids is None else tuple(int(i) for i in ids))

    def clauses(self, mark: str, *, table: str = "",
                id_column: str = "id") -> tuple[list[str], list[Any]]:
        """The equalities, the time range and the page's last id, with `mark` for each
        parameter and columns prefixed by `table` (e.g. ``"entries."``)."""
        clauses = [f"{table}{column} = {mark}" for column, _ in self.equal]
        params: list[Any] = [value for _, value in self.equal]
        for clause, value in ((f"{table}created_at >= {mark}", self.since),
                              (f"{table}created_at < {mark}", self.until),
                              (f"{id_column} < {mark}", self.before_id)):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        return clauses, params
