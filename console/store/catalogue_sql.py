"""The Library catalogue's SQL, written once for both engines.

A list is filtered by profile, album, "current only" and a search text, ordered
by one of the view's columns and paged; one entry is looked up by its place or
its recording id; the albums are listed; an export writes what a list shows
(`CatalogueReads`). A new recording takes its place (`take_place`): it becomes
the current one there, or goes in as replaced when a later one is there already.
What differs between SQLite (console/store/catalogue.py) and PostgreSQL
(console/store/pg/catalogue.py) is handed in as a `CatalogueDialect`: the
parameter mark, how a search text is matched (SQLite's trigram index, ILIKE)
and the column orders in the engine's words.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.domain.csv_safe import safe_writer
from console.domain.vocabulary import EntryKind
from console.store.catalogue_entry import CURRENT, REPLACED, CatalogueEntry, NewRecording, entry_of
from console.store.files import atomic_write

COLUMNS = ("id, profile_id, album, sort, display_name, recording_id, kind, file_name, "
           "file_path, file_size, sha256, tts_text, duration_s, format, created_at, entry_id, "
           "state, replaced_at")

# What a new recording's row is written with (`new_row`), in this order.
NEW_COLUMNS = ("profile_id, album, sort, display_name, recording_id, kind, file_name, file_path,"
               " file_size, sha256, tts_text, duration_s, format, created_at, entry_id, state,"
               " replaced_at")

Read = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
# A search text (trimmed, not empty) as a WHERE clause and its parameters.
Search = Callable[[str], tuple[str, list[Any]]]


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CatalogueDialect:
    """How one engine says what the reads need."""

    mark: str  # the parameter mark: "?" or "%s"
    search: Search
    # Columns a list may be ordered by (the view's columns), each an ORDER BY with
    # {d} for the direction and, where it matters, {n} for where NULLs go.
    orders: Mapping[str, str]
    # How the table is named where a recording's place is looked up (an index hint).
    by_place: str = "catalogue_entries"

    def where(self, profile_id: str, *, text: str | None, album: int | None,
              include_replaced: bool) -> tuple[str, list[Any]]:
        m = self.mark
        clauses = [f"profile_id = {m}"]
        params: list[Any] = [profile_id]
        if not include_replaced:
            clauses.append("state = 'current'")
        if album is not None:
            clauses.append(f"album = {m}")
            params.append(int(album))
        text = (text or "").strip()
        if text:
            clause, found = self.search(text)
            clauses.append(clause)
            params += found
        return " WHERE " + " AND ".join(clauses), params

    def order(self, order_by: str, descending: bool) -> str:
        if order_by not in self.orders:
            raise ValueError(f"order_by must be one of {', '.join(self.orders)}, not {order_by!r}")
        return " ORDER BY " + self.orders[order_by].format(
            d="DESC" if descending else "ASC", n="NULLS LAST" if descending else "NULLS FIRST")


class CatalogueReads:
    """The reading half of a `CatalogueStore`, over an engine's `read` (a query and
    its parameters to rows; its errors already said the catalogue's way). Each
    engine's catalogue is one of these, built with its own `read` and dialect."""

    def __init__(self, read: Read, dialect: CatalogueDialect) -> None:
        self._query = read
        self._dialect = dialect

    def rows(self, profile_id: str, *, text: str | None = None, album: int | None = None,
             include_replaced: bool = False, order_by: str = "album",
             descending: bool = False, offset: int = 0,
             limit: int | None = None) -> list[tuple[Any, ...]]:
        """Matching rows as plain tuples in `entry_of` order (what a view model keeps);
        `offset` and `limit` page through them."""
        d = self._dialect
        where, params = d.where(profile_id, text=text, album=album,
                                include_replaced=include_replaced)
        sql = f"SELECT {COLUMNS} FROM catalogue_entries{where}{d.order(order_by, descending)}"
        if limit is not None:
            sql += f" LIMIT {d.mark} OFFSET {d.mark}"
            params += [int(limit), int(offset)]
        return self._query(sql, params)

    def entries(self, profile_id: str, *, text: str | None = None, album: int | None = None,
                include_replaced: bool = False, order_by: str = "album",
                descending: bool = False, limit: int | None = None) -> list[CatalogueEntry]:
        return [entry_of(row) for row in self.rows(
            profile_id, text=text, album=album, include_replaced=include_replaced,
            order_by=order_by, descending=descending, limit=limit)]

    def at(self, profile_id: str, album: int, sort: int) -> CatalogueEntry | None:
        """The current recording at album/sort, or None when the console put none there."""
        m = self._dialect.mark
        return self._first(
            f"SELECT {COLUMNS} FROM catalogue_entries WHERE profile_id = {m} AND album = {m}"
            f" AND sort = {m} AND state = 'current' ORDER BY id DESC LIMIT 1",
            (profile_id, int(album), int(sort)))

    def by_recording_id(self, profile_id: str, recording_id: str) -> CatalogueEntry | None:
        m = self._dialect.mark
        return self._first(
            f"SELECT {COLUMNS} FROM catalogue_entries WHERE profile_id = {m}"
            f" AND recording_id = {m} ORDER BY state = 'current' DESC, id DESC LIMIT 1",
            (profile_id, str(recording_id).strip()))

    def albums(self, profile_id: str) -> list[int]:
        return [int(row[0]) for row in self._query(
            "SELECT DISTINCT album FROM catalogue_entries"
            f" WHERE profile_id = {self._dialect.mark} AND state = 'current' ORDER BY album",
            (profile_id,))]

    def count(self, profile_id: str, *, text: str | None = None, album: int | None = None,
              include_replaced: bool = False) -> int:
        where, params = self._dialect.where(profile_id, text=text, album=album,
                                            include_replaced=include_replaced)
        return int(self._query(f"SELECT count(*) FROM catalogue_entries{where}", params)[0][0])

    def export_csv(self, path: Path | str, profile_id: str, *, text: str | None = None,
                   album: int | None = None, include_replaced: bool = False,
                   order_by: str = "album", descending: bool = False) -> int:
        """Write the matching entries as CSV (formula-safe cells); returns how many.

        Written to a temporary file first, so a failed export never leaves a
        half file under the chosen name.
        """
        rows = self.entries(profile_id, text=text, album=album,
                            include_replaced=include_replaced, order_by=order_by,
                            descending=descending)
        # utf-8-sig: spreadsheet programs then read accents and emoji correctly.
        with atomic_write(Path(path), "w", make_folders=False, encoding="utf-8-sig",
                          newline="") as handle:
            writer = safe_writer(handle)  # every cell formula-safe
            writer.writerow(["album", "sort", "name", "recording id", "kind", "source",
                             "size", "sha256", "duration (s)", "format", "when", "state",
                             "history entry"])
            for e in rows:
                writer.writerow([
                    e.album, "" if e.sort is None else e.sort, e.display_name,
                    e.recording_id, e.kind,
                    (e.tts_text or "") if e.kind == EntryKind.TTS else (e.file_name or ""),
                    "" if e.file_size is None else e.file_size, e.sha256 or "",
                    "" if e.duration_s is None else f"{e.duration_s:.2f}", e.format or "",
                    e.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"), e.state,
                    "" if e.entry_id is None else e.entry_id,
                ])
        return len(rows)

    def _first(self, sql: str, params: Sequence[Any]) -> CatalogueEntry | None:
        rows = self._query(sql, params)
        return entry_of(rows[0]) if rows else None


def take_place(execute: Callable[[str, Sequence[Any]], Any], dialect: CatalogueDialect,
               r: NewRecording) -> str:
    """The state `r` goes in with ("current" or "replaced"), in the writer's transaction:
    a recording at the same place finished later keeps it (`r` was found late, filled
    from History); otherwise the current one there becomes "replaced" from `r`'s time."""
    if r.sort is None:
        return CURRENT  # Voitex chose the sort number: no place to share
    m, table = dialect.mark, dialect.by_place
    newer = execute(
        f"SELECT 1 FROM {table} WHERE profile_id = {m} AND album = {m} AND sort = {m}"
        f" AND state = 'current' AND created_at > {m}",
        (r.profile_id, r.album, r.sort, r.created_at)).fetchone()
    if newer:
        return REPLACED
    execute(f"UPDATE {table} SET state = 'replaced', replaced_at = {m}"
            f" WHERE profile_id = {m} AND album = {m} AND sort = {m} AND state = 'current'",
            (r.created_at, r.profile_id, r.album, r.sort))
    return CURRENT


def new_row(r: NewRecording, state: str) -> tuple[Any, ...]:
    """The `NEW_COLUMNS` values of `r` going in as `state`."""
    return (r.profile_id, r.album, r.sort, r.display_name, r.recording_id, r.kind, r.file_name,
            r.file_path, r.file_size, r.sha256, r.tts_text, r.duration_s, r.format, r.created_at,
            r.entry_id, state, r.created_at if state == REPLACED else None)
