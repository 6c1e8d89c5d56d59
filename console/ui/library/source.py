"""The active profile's part of the catalogue, as the tabs see it.

One `LibrarySource` is shared by the Library tab, the Calls picker, the
branch designer and the replace guards. It knows the active profile, keeps a
copy of that profile's recordings in memory (read on a thread of its own, so
no picker or guard ever waits for the catalogue: on an office database that is
a round trip), and tells `changed` once a new copy is in, after the catalogue
changed (its notices, from its worker thread, or another desk's through the
office's news) or the profile did. A failed read keeps the last copy and
`last_error` says why.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from console.store.catalogue import CatalogueEntry, CatalogueError, CatalogueStore
from console.store.database import StoreError
from console.ui.store_reader import StoreReader

log = logging.getLogger(__name__)


def _matches(entry: CatalogueEntry, text: str) -> bool:
    """The catalogue's search, in memory: a substring of the name, id, file or text, any case."""
    folded = text.casefold()
    return any(folded in (value or "").casefold()
               for value in (entry.display_name, entry.recording_id, entry.file_name, entry.tts_text))


class LibrarySource(QObject):
    changed = Signal()  # a new copy of the catalogue (or of another profile's part) is in
    _changed_elsewhere = Signal()  # emitted from the catalogue's thread; queued to ours

    def __init__(self, catalogue: CatalogueStore, *, profile_id: Callable[[], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self._profile_id = profile_id
        self.last_error: str | None = None
        self._reader = StoreReader("library", self)
        self._all: list[CatalogueEntry] | None = None  # current and replaced, newest first
        self._for: str | None = None  # the profile the copy is of
        self._reading = False
        self._again = False
        self._places: frozenset[tuple[int, int]] | None = None
        self._changed_elsewhere.connect(self.reload)
        self.reload()

    @property
    def busy(self) -> bool:
        return self._reader.busy

    def notify_changed(self) -> None:
        """Safe from any thread (the catalogue's on_changed, the office's news)."""
        self._changed_elsewhere.emit()

    @property
    def profile_id(self) -> str:
        return self._profile_id()

    def reload(self) -> None:
        """Read the active profile's recordings again; `changed` fires when they are in."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        profile_id, catalogue = self.profile_id, self.catalogue

        def read() -> list[CatalogueEntry]:
            found = catalogue.entries(profile_id, include_replaced=True)
            return sorted(found, key=lambda e: -e.id)

        self._reader.read(read, lambda found: self._read(profile_id, found), self._failed)

    def _read(self, profile_id: str, found: list[CatalogueEntry]) -> None:
        self._reading = False
        self._all, self._for, self._places, self.last_error = found, profile_id, None, None
        if self._again or profile_id != self.profile_id:
            self._again = False
            self.reload()
        self.changed.emit()

    def _failed(self, err: BaseException) -> None:
        self._reading = False
        if not isinstance(err, CatalogueError | StoreError):
            raise err
        log.info("catalogue read failed: %s", err)
        self.last_error = str(err)
        if self._again:
            self._again = False
            self.reload()

    def _copy(self) -> list[CatalogueEntry]:
        if self._all is None or self._for != self.profile_id:
            if not self._reading:
                self.reload()
            return []
        return self._all

    def entries(self, text: str | None = None) -> list[CatalogueEntry]:
        """The active profile's current recordings (album, then sort order), as last read."""
        current = [e for e in self._copy() if e.state == "current"]
        if text and text.strip():
            current = [e for e in current if _matches(e, text.strip())]
        return sorted(current, key=lambda e: (e.album, e.sort is None, e.sort or 0, e.id))

    def at(self, album: int, sort: int) -> CatalogueEntry | None:
        return next((e for e in self._copy() if e.album == int(album) and e.sort == int(sort)
                     and e.state == "current"), None)

    def by_recording_id(self, recording_id: str) -> CatalogueEntry | None:
        wanted = str(recording_id).strip()
        found = [e for e in self._copy() if e.recording_id == wanted]
        current = [e for e in found if e.state == "current"]
        return next(iter(current or found), None)

    def knows_place(self, album: int, sort: int) -> bool:
        return (int(album), int(sort)) in self.known_places()

    def known_places(self) -> frozenset[tuple[int, int]]:
        """Every album/sort the catalogue holds a current recording at (the branch designer
        asks on every keystroke)."""
        if self._places is None:
            self._places = frozenset((e.album, e.sort) for e in self._copy()
                                     if e.sort is not None and e.state == "current")
        return self._places
