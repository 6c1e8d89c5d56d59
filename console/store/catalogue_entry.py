"""What the Library catalogue holds, in plain values: its entries, a new recording,
the `CatalogueStore` interface both engines implement, and how an entry is worded.

The catalogue itself is console/store/catalogue.py (SQLite) and
console/store/pg/catalogue.py (the office's PostgreSQL database); what they share
beyond these values (the filters, orders, reads and where a new recording goes) is
catalogue_sql.py.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from console.domain.vocabulary import EntryKind
from console.store.interface import HistoryStore

KINDS = (EntryKind.UPLOAD, EntryKind.TTS)


class RecordingState(enum.StrEnum):
    CURRENT = "current"  # what the library holds at its album and sort
    REPLACED = "replaced"  # a later recording took its place


CURRENT, REPLACED = RecordingState.CURRENT, RecordingState.REPLACED


class CatalogueError(Exception):
    """The catalogue cannot be read or written now; the message says what to do."""


@dataclass(frozen=True)
class CatalogueEntry:
    id: int
    profile_id: str
    album: int
    sort: int | None
    display_name: str
    recording_id: str
    kind: str  # "upload" | "tts"
    file_name: str | None
    file_path: str | None
    file_size: int | None
    sha256: str | None
    tts_text: str | None
    duration_s: float | None
    format: str | None
    created_at: str  # ISO 8601, UTC: when the recording was confirmed
    entry_id: int | None  # the History entry
    state: str  # "current" | "replaced"
    replaced_at: str | None

    @property
    def place(self) -> str:
        """ "album 1 / sort 5" (or "album 1, sort chosen by Voitex")."""
        return place_text(self.album, self.sort)

    @property
    def label(self) -> str:
        """ "Welcome — album 1 / sort 5 — id 918357": how a picker shows it."""
        return f"{self.display_name} — {self.place} — id {self.recording_id}"

    @property
    def source(self) -> str:
        """Where it came from, in a few words: the file name, or the spoken text."""
        if self.kind == EntryKind.TTS:
            return f"Text to speech: “{shorten(self.tts_text or '', 60)}”"
        return self.file_name or "a file"

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


@dataclass(frozen=True)
class NewRecording:
    """A confirmed upload or TTS, as it goes into the catalogue."""

    profile_id: str
    album: int
    sort: int | None
    display_name: str
    recording_id: str
    kind: str
    created_at: str
    entry_id: int | None = None
    file_name: str | None = None
    file_path: str | None = None
    file_size: int | None = None
    sha256: str | None = None
    tts_text: str | None = None
    duration_s: float | None = None
    format: str | None = None


@runtime_checkable
class CatalogueStore(Protocol):
    """What the jobs and the UI use; an SQLite file today, a shared database later.

    Writes return futures and never run on the caller's thread; reads return
    at once and never wait for a write.
    """

    def record(self, recording: NewRecording) -> Future[CatalogueEntry | None]: ...

    def sync_from_history(self, journal: HistoryStore, *, from_start: bool = False) -> Future[int]: ...

    def entries(self, profile_id: str, *, text: str | None = None, album: int | None = None,
                include_replaced: bool = False, order_by: str = "album",
                descending: bool = False, limit: int | None = None) -> list[CatalogueEntry]: ...

    def rows(self, profile_id: str, *, text: str | None = None, album: int | None = None,
             include_replaced: bool = False, order_by: str = "album",
             descending: bool = False, offset: int = 0,
             limit: int | None = None) -> list[tuple[Any, ...]]: ...

    def at(self, profile_id: str, album: int, sort: int) -> CatalogueEntry | None: ...

    def by_recording_id(self, profile_id: str, recording_id: str) -> CatalogueEntry | None: ...

    def albums(self, profile_id: str) -> list[int]: ...

    def count(self, profile_id: str, *, text: str | None = None, album: int | None = None,
              include_replaced: bool = False) -> int: ...

    def export_csv(self, path: Path | str, profile_id: str, *, text: str | None = None,
                   album: int | None = None, include_replaced: bool = False,
                   order_by: str = "album", descending: bool = False) -> int: ...

    def close(self) -> None: ...


# -- small pure helpers ------------------------------------------------------------

def place_text(album: int, sort: int | None) -> str:
    if sort is None:
        return f"album {album}, sort chosen by Voitex"
    return f"album {album} / sort {sort}"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tts_display_name(text: str) -> str:
    """A TTS has no display name of its own: its first words stand for it."""
    return shorten(text, 40) or "Text to speech"


def utc_text(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("a catalogue time must carry its time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def day_text(iso: str) -> str:
    """ "3 Nov" (this year) or "3 Nov 2025", in local time, for sentences."""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    text = f"{moment.day} {moment:%b}"
    return text if moment.year == datetime.now().year else f"{text} {moment.year}"


def replace_warning(existing: CatalogueEntry, *, sha256: str | None = None) -> str:
    """What the Recordings row and the TTS form say before going over `existing`.

    "Album 1 / sort 5 holds 'Welcome', uploaded 3 Nov from welcome.wav; this
    replaces it." The same content (same SHA-256) is said to be there already.
    """
    place = existing.place[0].upper() + existing.place[1:]
    if existing.kind == EntryKind.TTS:
        origin = f"created {day_text(existing.created_at)} by text to speech"
    else:
        origin = f"uploaded {day_text(existing.created_at)} from {existing.file_name or 'a file'}"
    if sha256 and existing.sha256 and sha256.lower() == existing.sha256.lower():
        return (f"{place} already holds this same file ('{existing.display_name}', "
                f"{origin}); uploading it again only gives it a new recording id.")
    return f"{place} holds '{existing.display_name}', {origin}; this replaces it."



def entry_of(row: Sequence[Any]) -> CatalogueEntry:
    return CatalogueEntry(*row)


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
