"""The replace guard: what an upload or a TTS would replace in the library.

Before a file goes to an album/sort the catalogue knows, the Recordings row
and the Text to speech form say what is there ("Album 1 / sort 5 holds
'Welcome', uploaded 3 Nov from welcome.wav; this replaces it"), and the
confirmation on a live account repeats it. The same file again (same SHA-256)
is said to be there already.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from console.jobs.uploads.status import Status
from console.store.catalogue import replace_warning

if TYPE_CHECKING:
    from console.jobs.uploads.items import QueueItem
    from console.ui.library.source import LibrarySource

# Rows that will still go to their album/sort (now, or when retried).
_STILL_TO_GO = frozenset({Status.INSPECTING, Status.QUEUED, Status.FAILED, Status.CANCELLED,
                          Status.UNSURE})


def upload_notes(items: Iterable[QueueItem], library: LibrarySource | None) -> dict[int, str]:
    """{queue item id: what its upload replaces} for rows still to be uploaded."""
    if library is None:
        return {}
    known = library.known_places()
    notes: dict[int, str] = {}
    for item in items:
        if item.status not in _STILL_TO_GO or item.album is None or item.sort is None:
            continue
        if (item.album, item.sort) not in known:
            continue
        entry = library.at(item.album, item.sort)
        if entry is not None:
            notes[item.id] = replace_warning(entry, sha256=item.sha256)
    return notes


def place_note(library: LibrarySource | None, album: int | None, sort: int | None) -> str | None:
    """What a TTS to album/sort replaces, or None."""
    if library is None or album is None or sort is None:
        return None
    entry = library.at(album, sort)
    return replace_warning(entry) if entry is not None else None
