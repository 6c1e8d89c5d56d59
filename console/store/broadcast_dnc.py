"""The office's do-not-contact list and its calling-rule settings, in the broadcast tables.

One list for the whole office, whatever profile (account) is active: a
customer who opted out did so from the office, not from one of its accounts.
Each entry keeps when it arrived and how. Earlier versions kept one list per
profile (``broadcast_do_not_contact``); at the first open those entries are
copied into the office list, every number once, with the earliest date and
every reason, and the old table is left as it was.

The office's stricter calling rules (console.domain.office_rules) are one JSON
value in ``broadcast_meta``, read again for every broadcast row.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from console.store.database import immediate

__all__ = ["DncRecord", "DncTables"]

_MIGRATED = "dnc_office_wide"
_OFFICE_RULES = "office_rules"


@dataclass(frozen=True)
class DncRecord:
    number: str  # 10 digits
    reason: str  # "reply STOP", "asked by phone"
    added: str  # ISO date, or date and time in UTC
    source: str = ""  # how it arrived, in words


class DncTables:
    """The list and the rules in the History file, owned by `SqliteBroadcastStore`: it
    hands in its connection, the lock guarding it and how a failed write is said.
    The tables are schema step 6's (console/store/migrations/m006_broadcasts.py)."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock,
                 write_error: Callable[[str, sqlite3.Error], Exception]) -> None:
        self._db = db
        self._lock = lock
        self._write_error = write_error
        self._version = 0
        self._migrate_do_not_contact()

    def lists_version(self) -> int:
        """Grows with every change of the list or the office's rules made through this store,
        so a reader's copy knows when it is stale (changes from elsewhere: read again)."""
        return self._version

    def _migrate_do_not_contact(self) -> None:
        """Copy the per-profile lists into the office list once (one transaction)."""
        with self._lock:
            done = self._db.execute("SELECT 1 FROM broadcast_meta WHERE key = ?",
                                    (_MIGRATED,)).fetchone()
            if done:
                return
            with immediate(self._db):
                found = self._db.execute(
                    "SELECT number, profile_id, reason, added FROM broadcast_do_not_contact"
                    " ORDER BY number, added, profile_id").fetchall()
                merged: dict[str, tuple[list[str], str, list[str]]] = {}
                for number, profile_id, reason, added in found:
                    reasons, first, profiles = merged.setdefault(number, ([], added, []))
                    if reason and reason not in reasons:
                        reasons.append(reason)
                    profiles.append(profile_id)
                self._db.executemany(
                    "INSERT INTO broadcast_dnc (number, reason, added, source) VALUES (?,?,?,?)"
                    " ON CONFLICT (number) DO NOTHING",
                    [(number, "; ".join(reasons) or "no reason given", first,
                      "moved from the list of profile " + ", ".join(f"'{p}'" for p in profiles))
                     for number, (reasons, first, profiles) in merged.items()])
                self._db.execute("INSERT INTO broadcast_meta (key, value) VALUES (?, ?)",
                                 (_MIGRATED, str(len(merged))))

    # -- the list ------------------------------------------------------------------
    def do_not_contact(self) -> list[DncRecord]:
        with self._lock:
            found = self._db.execute(
                "SELECT number, reason, added, source FROM broadcast_dnc ORDER BY number").fetchall()
        return [DncRecord(*r) for r in found]

    def do_not_contact_map(self) -> dict[str, DncRecord]:
        return {r.number: r for r in self.do_not_contact()}

    def do_not_contact_entry(self, number: str) -> DncRecord | None:
        """One number's entry (a single indexed read: the runner asks before every row)."""
        with self._lock:
            found = self._db.execute("SELECT number, reason, added, source FROM broadcast_dnc"
                                     " WHERE number = ?", (number,)).fetchone()
        return DncRecord(*found) if found else None

    def add_do_not_contact(self, records: Iterable[DncRecord]) -> int:
        """Add numbers not on the list yet; an entry already there keeps when and how it
        arrived. Returns how many were new."""
        rows = [(r.number, r.reason, r.added, r.source) for r in records]
        try:
            with self._lock, immediate(self._db):
                before = self._db.total_changes
                self._db.executemany(
                    "INSERT INTO broadcast_dnc (number, reason, added, source) VALUES (?,?,?,?)"
                    " ON CONFLICT (number) DO NOTHING", rows)
                added = self._db.total_changes - before
        except sqlite3.Error as err:
            raise self._write_error("The do-not-contact list could not be saved", err) from err
        self._version += 1
        return added

    def remove_do_not_contact(self, numbers: Iterable[str]) -> None:
        try:
            with self._lock:
                self._db.executemany("DELETE FROM broadcast_dnc WHERE number = ?",
                                     [(n,) for n in numbers])
        except sqlite3.Error as err:
            raise self._write_error("The do-not-contact list could not be saved", err) from err
        self._version += 1

    # -- office calling rules ----------------------------------------------------------
    def office_rules(self) -> dict[str, Any]:
        with self._lock:
            found = self._db.execute("SELECT value FROM broadcast_meta WHERE key = ?",
                                     (_OFFICE_RULES,)).fetchone()
        if not found:
            return {}
        try:
            value = json.loads(found[0])
        except ValueError:
            return {}  # a damaged value: the law alone applies
        return value if isinstance(value, dict) else {}

    def save_office_rules(self, rules: dict[str, Any]) -> None:
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO broadcast_meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
                    " DO UPDATE SET value = excluded.value",
                    (_OFFICE_RULES, json.dumps(rules, sort_keys=True)))
        except sqlite3.Error as err:
            raise self._write_error("The office's calling rules could not be saved", err) from err
        self._version += 1
