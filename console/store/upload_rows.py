"""The upload queue's rows as plain values, and as both engines' stores keep them:
the columns, a row to its stored values and back (a damaged row is left out, not
guessed at), and a stored queue read back with what could not be read said.
"""
from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.domain.wording import plural

log = logging.getLogger("console.store.upload_store")

COLUMNS = ("id", "path", "status", "album", "sort", "display_name", "info", "recording_id",
            "reason", "stamp_size", "stamp_mtime_ns", "finished_at", "awaiting_number",
            "entry_id", "sha256", "name_problem")


@dataclass
class StoredRow:
    id: int
    path: str
    status: str
    album: int | None = None
    sort: int | None = None
    display_name: str = ""
    info: dict[str, Any] | None = None  # AudioInfo.to_dict()
    recording_id: str | None = None
    reason: str | None = None
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when read
    finished_at: str | None = None
    awaiting_number: bool = False
    entry_id: int | None = None  # the History entry of the upload on the wire
    sha256: str | None = None
    name_problem: str | None = None


@dataclass
class StoredQueue:
    settings: dict[str, Any] = field(default_factory=dict)
    rows: list[StoredRow] = field(default_factory=list)
    # Set when something could not be read: what, where it was kept, what was saved.
    warning: str | None = None
    migrated: int = 0  # rows taken over from upload-queue.json
    max_id: int = 0  # the highest row id stored, unreadable rows included (never reused)


def row_to_db(row: StoredRow) -> tuple[Any, ...]:
    stamp = row.stamp or (None, None)
    return (row.id, row.path, row.status, row.album, row.sort, row.display_name,
            json.dumps(row.info) if row.info is not None else None, row.recording_id,
            row.reason, stamp[0], stamp[1], row.finished_at, int(row.awaiting_number),
            row.entry_id, row.sha256, row.name_problem)


def opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not a whole number: {value!r}")
    return value


def opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"not a text: {value!r}")
    return value


def row_from_db(raw: tuple[Any, ...]) -> StoredRow | None:
    values = dict(zip(COLUMNS, raw, strict=True))
    try:
        info = json.loads(values["info"]) if values["info"] else None
        if info is not None and not isinstance(info, dict):
            raise TypeError("info is not an object")
        size, mtime = opt_int(values["stamp_size"]), opt_int(values["stamp_mtime_ns"])
        return StoredRow(
            id=int(values["id"]), path=str(opt_str(values["path"])),
            status=str(opt_str(values["status"])), album=opt_int(values["album"]),
            sort=opt_int(values["sort"]), display_name=opt_str(values["display_name"]) or "",
            info=info, recording_id=opt_str(values["recording_id"]),
            reason=opt_str(values["reason"]),
            stamp=(size, mtime) if size is not None and mtime is not None else None,
            finished_at=opt_str(values["finished_at"]),
            awaiting_number=bool(values["awaiting_number"]), entry_id=opt_int(values["entry_id"]),
            sha256=opt_str(values["sha256"]), name_problem=opt_str(values["name_problem"]))
    except (TypeError, ValueError) as err:
        log.warning("left out a damaged upload queue row %r: %s", values.get("id"), err)
        return None


def stored_queue(settings: Iterable[tuple[str, str]], raw_rows: Iterable[Sequence[Any]], *,
                 kept_in: str | None = None) -> StoredQueue:
    """The queue from its stored settings (key, JSON text) and rows (`COLUMNS` order).
    Rows that cannot be read are left out (and counted in `max_id`, so their ids are
    never reused); the warning says how many, and that they stay in `kept_in`."""
    loaded = StoredQueue()
    for key, value in settings:
        with contextlib.suppress(ValueError):
            loaded.settings[key] = json.loads(value)
    skipped = 0
    for raw in raw_rows:
        if isinstance(raw[0], int):
            loaded.max_id = max(loaded.max_id, raw[0])
        row = row_from_db(tuple(raw))
        if row is None:
            skipped += 1
        else:
            loaded.rows.append(row)
    if skipped:
        untouched = f" (untouched in {kept_in})" if kept_in else ""
        loaded.warning = (f"Left out {plural(skipped, 'row')} of the saved upload queue that "
                          f"could not be read{untouched}; kept the other {len(loaded.rows):,}.")
    return loaded
