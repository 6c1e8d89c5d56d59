"""The account profiles' non-secret part in the office database (``office_profiles``).

One row per profile: its id, and as a JSON document what profiles.json keeps
of it (name, base URL, own numbers, default album, proxy mode and address).
Never a key, a proxy password or the database's password: those stay in each
desk's keyring. A deleted profile stays as a tombstone (``deleted``), so a desk
that was away while it was deleted does not bring it back.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.store.broadcast_mapping import stamp as _stamp
from console.store.broadcast_mapping import utc_now as _utc_now
from console.store.database import StoreError
from console.store.pg.engine import Conn, PgEngine

__all__ = ["OfficeProfile", "PgProfiles", "OfficeProfilesError"]


class OfficeProfilesError(Exception):
    """The office's profiles could not be read or written; the text says why."""


@dataclass(frozen=True)
class OfficeProfile:
    id: str
    document: dict[str, Any]  # as profiles.json keeps a profile
    deleted: bool
    desk: str = ""


class PgProfiles:
    def __init__(self, engine: PgEngine, *, desk: str) -> None:
        self.engine = engine
        self.desk = desk

    def pull(self) -> list[OfficeProfile]:
        try:
            found = self.engine.call(lambda conn: conn.execute(
                "SELECT id, document, deleted, desk FROM office_profiles ORDER BY id").fetchall())
        except StoreError as err:
            raise OfficeProfilesError(f"The office's profiles could not be read: {err}") from err
        pulled = []
        for profile_id, document, deleted, desk in found:
            try:
                value = json.loads(document)
            except ValueError:
                continue
            if isinstance(value, dict):
                pulled.append(OfficeProfile(str(profile_id), value, bool(deleted), str(desk)))
        return pulled

    def push(self, documents: Sequence[dict[str, Any]], deleted: Sequence[str] = ()) -> None:
        """Add or replace these profiles; mark `deleted` ids as gone."""
        now = _stamp(_utc_now())
        rows = [(str(d["id"]), json.dumps(d, ensure_ascii=False, sort_keys=True), now, self.desk)
                for d in documents]

        def job(conn: Conn) -> None:
            cursor = conn.cursor()
            if rows:
                cursor.executemany(
                    "INSERT INTO office_profiles (id, document, deleted, updated_at, desk)"
                    " VALUES (%s, %s, false, %s, %s) ON CONFLICT (id) DO UPDATE SET"
                    " document = excluded.document, deleted = false, updated_at = excluded.updated_at,"
                    " desk = excluded.desk WHERE office_profiles.document IS DISTINCT FROM"
                    " excluded.document OR office_profiles.deleted", rows)
            if deleted:
                conn.execute("UPDATE office_profiles SET deleted = true, updated_at = %s, desk = %s"
                             " WHERE id = ANY(%s) AND NOT deleted", (now, self.desk, list(deleted)))

        try:
            self.engine.call(job)
        except StoreError as err:
            raise OfficeProfilesError(f"The office's profiles could not be saved: {err}") from err
