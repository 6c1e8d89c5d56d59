"""How recordings come into the Library catalogue: a finished History entry read as
the recording it stands for, with the file's own facts (SHA-256, duration, format)
added when the file is still there; and how a background write's failure is told.
Both engines' catalogues (console/store/catalogue.py, console/store/pg/catalogue.py)
use these.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from console.domain.vocabulary import EntryKind, Outcome
from console.store.catalogue_entry import KINDS, NewRecording, int_or_none, tts_display_name
from console.store.interface import HistoryStore
from console.store.journal import JournalEntry

log = logging.getLogger("console.store.catalogue")

# Where a catalogue's meta table keeps the History change it caught up to.
SYNC_KEY = "history_change"
# History entries (or their ids) asked for at a time.
HISTORY_CHUNK = 400


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recording_from_history(entry: JournalEntry) -> NewRecording | None:
    """The catalogue row a finished History entry stands for, or None.

    Only ``done`` uploads and TTS with a recording id count. The file's
    content facts (SHA-256, duration, format) are added by `with_file_facts`.
    """
    if entry.kind not in KINDS or entry.outcome != Outcome.DONE:
        return None
    request = entry.request if isinstance(entry.request, Mapping) else {}
    recording_id = (entry.result_id or "").strip()
    album = int_or_none(request.get("album_number"))
    if not recording_id or album is None:
        return None
    sort = int_or_none(request.get("sort_number"))
    place = NewRecording(profile_id=entry.profile_id, album=album, sort=sort, display_name="",
                         recording_id=recording_id, kind=entry.kind, created_at=entry.updated_at,
                         entry_id=entry.id)
    if entry.kind == EntryKind.TTS:
        text = str(request.get("text") or entry.content or "")
        return replace(place, kind=EntryKind.TTS, display_name=tts_display_name(text),
                        tts_text=text)
    path_text = str(request.get("upload_file") or "")
    file_name = Path(path_text).name if path_text else (entry.content or None)
    display = str(request.get("display_name") or "").strip() or Path(file_name or "").stem
    return replace(place, kind=EntryKind.UPLOAD, display_name=display or "Recording",
                    file_name=file_name, file_path=path_text or None,
                    file_size=int_or_none(request.get("size")))


def with_file_facts(recording: NewRecording) -> NewRecording:
    """Add the SHA-256, duration and format, read from the file when it is still
    there and the same size; unchanged otherwise (a moved file, a TTS)."""
    if recording.kind != EntryKind.UPLOAD or not recording.file_path or recording.sha256:
        return recording
    path = Path(recording.file_path)
    try:
        size = path.stat().st_size
        if recording.file_size is not None and size != recording.file_size:
            return recording
        digest = file_sha256(path)
    except OSError:
        return recording
    duration, form = recording.duration_s, recording.format
    try:
        from console.domain.audio import inspect_audio

        info = inspect_audio(path)
        if info.ok:
            duration, form = info.duration_s, info.format
    except Exception:  # an odd file must not stop the catalogue
        log.debug("audio facts of %s could not be read", path, exc_info=True)
    return replace(recording, sha256=digest, file_size=size, duration_s=duration, format=form)


def log_failure(future: Future[Any]) -> None:
    # Nobody may be waiting on a background write: its failure must still be seen.
    # The next sync from History records what this one could not.
    if not future.cancelled() and future.exception() is not None:
        log.error("a Library catalogue write failed", exc_info=future.exception())


def recordings_since(journal: HistoryStore, since: int,
                     known: Callable[[Iterable[int | None]], set[int]]) -> tuple[int, list[NewRecording]]:
    """The recordings History finished since its change `since` that `known` (the
    History entries a catalogue holds already, of those asked) does not hold, with
    their file facts, in the order they finished (so the latest at a place is the
    current one); and the change to catch up from next time."""
    latest, ids = journal.changed_since(since)
    found = []
    for start in range(0, len(ids), HISTORY_CHUNK):
        chunk = ids[start:start + HISTORY_CHUNK]
        for entry in journal.query(ids=chunk, limit=len(chunk)):
            recording = recording_from_history(entry)
            if recording is not None:
                found.append(recording)
    held = known([r.entry_id for r in found])
    new = [with_file_facts(r) for r in found if r.entry_id not in held]
    new.sort(key=lambda r: (r.created_at, r.entry_id or 0))
    return latest, new
