"""One queued file (`QueueItem`) and the overall figures (`QueueProgress`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from console.domain.audio import AudioInfo
from console.jobs.uploads.rules import RowFacts
from console.jobs.uploads.status import Status
from console.store.upload_store import StoredRow


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_stamp(path: Path) -> tuple[int, int] | None:
    """(size, mtime_ns) of a file, or None when it is gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass(eq=False)
class QueueItem:
    id: int
    path: Path
    status: Status
    album: int | None
    sort: int | None
    display_name: str
    info: AudioInfo | None = None
    recording_id: str | None = None
    reason: str | None = None  # why rejected, failed, cancelled or unsure
    problem: str | None = None  # what blocks the upload (numbering, repeat)
    name_problem: str | None = None  # why the name's number was not used
    sent: int = 0  # bytes of this file sent in the current attempt
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when inspected
    finished_at: str | None = None
    awaiting_number: bool = False  # gets a sort number once inspected (drop order)
    file_id: int | None = None  # the inspector's id while being read
    entry_id: int | None = None  # the History entry of the upload on the wire
    sha256: str | None = None
    cancel_refused: bool = False  # Cancel came after every byte had left
    _path_key: str = field(default="", repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.info.size if self.info is not None else 0

    @property
    def path_key(self) -> str:
        # The path never changes: worked out once (the rules ask for it on every check).
        key = self._path_key
        if not key:
            key = self._path_key = os.path.normcase(os.path.abspath(self.path))
        return key

    @property
    def percent(self) -> int:
        if self.status in (Status.DONE, Status.SENT):
            return 100
        if not self.size:
            return 0
        return min(100, int(self.sent * 100 / self.size))

    def facts(self) -> RowFacts:
        content = (self.info.size, self.sha256) if self.sha256 and self.info is not None else None
        return RowFacts(id=self.id, name=self.name, status=self.status, album=self.album,
                        sort=self.sort, path_key=self.path_key, content_key=content,
                        name_problem=self.name_problem)

    def stored(self) -> StoredRow:
        return StoredRow(
            id=self.id, path=str(self.path), status=str(self.status), album=self.album,
            sort=self.sort, display_name=self.display_name,
            info=self.info.to_dict() if self.info is not None else None,
            recording_id=self.recording_id, reason=self.reason, stamp=self.stamp,
            finished_at=self.finished_at, awaiting_number=self.awaiting_number,
            entry_id=self.entry_id, sha256=self.sha256, name_problem=self.name_problem)

    @classmethod
    def from_stored(cls, row: StoredRow) -> QueueItem:
        status = Status(row.status)  # ValueError for an unknown one
        info = AudioInfo.from_dict(row.info) if row.info else None
        if info is None and status not in (Status.REJECTED, Status.CANCELLED, Status.DONE,
                                           Status.UPLOADING, Status.SENT, Status.UNSURE):
            status = Status.INSPECTING
        return cls(id=row.id, path=Path(row.path), status=status, album=row.album, sort=row.sort,
                   display_name=row.display_name, info=info, recording_id=row.recording_id,
                   reason=row.reason, stamp=row.stamp, finished_at=row.finished_at,
                   awaiting_number=row.awaiting_number and status == Status.INSPECTING,
                   entry_id=row.entry_id, sha256=row.sha256, name_problem=row.name_problem)


@dataclass(frozen=True)
class QueueProgress:
    files_total: int
    files_done: int
    files_failed: int
    files_uploading: int
    bytes_total: int
    bytes_done: int
    eta_s: float | None  # None while unknown (nothing running, or too early to say)
    rate_bps: float | None
