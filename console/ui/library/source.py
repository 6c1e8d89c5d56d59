"""The active profile's part of the catalogue, as the tabs see it.

One `LibrarySource` is shared by the Library tab, the Calls picker, the
branch designer and the replace guards. It knows the active profile, turns
the catalogue's change notices (from its worker thread) into a Qt signal on
the window's thread, and never lets a read error escape into a widget: a
failed read gives an empty answer and `last_error` says why.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from console.store.catalogue import CatalogueEntry, CatalogueError, CatalogueStore

log = logging.getLogger(__name__)


class LibrarySource(QObject):
    changed = Signal()  # the catalogue or the active profile changed
    _changed_elsewhere = Signal()  # emitted from the catalogue's thread; queued to ours

    def __init__(self, catalogue: CatalogueStore, *, profile_id: Callable[[], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self._profile_id = profile_id
        self.last_error: str | None = None
        self._places: frozenset[tuple[int, int]] | None = None  # until the next change
        self._changed_elsewhere.connect(self.changed)
        # First, so every other listener already reads the new state.
        self.changed.connect(self._forget)

    def notify_changed(self) -> None:
        """Safe from any thread (the catalogue's on_changed)."""
        self._changed_elsewhere.emit()

    @property
    def profile_id(self) -> str:
        return self._profile_id()

    def _guard(self, read: Callable[[], object], empty: object) -> object:
        try:
            result = read()
        except CatalogueError as err:
            log.warning("catalogue read failed: %s", err)
            self.last_error = str(err)
            return empty
        self.last_error = None
        return result

    def entries(self, text: str | None = None) -> list[CatalogueEntry]:
        return self._guard(lambda: self.catalogue.entries(self.profile_id, text=text), [])

    def at(self, album: int, sort: int) -> CatalogueEntry | None:
        return self._guard(lambda: self.catalogue.at(self.profile_id, album, sort), None)

    def by_recording_id(self, recording_id: str) -> CatalogueEntry | None:
        return self._guard(lambda: self.catalogue.by_recording_id(self.profile_id,
                                                                  recording_id), None)

    def knows_place(self, album: int, sort: int) -> bool:
        return (int(album), int(sort)) in self.known_places()

    def known_places(self) -> frozenset[tuple[int, int]]:
        """Every album/sort the catalogue holds a current recording at (read once
        per change: the branch designer asks on every keystroke)."""
        if self._places is None:
            entries = self._guard(lambda: self.catalogue.entries(self.profile_id), [])
            self._places = frozenset((e.album, e.sort) for e in entries if e.sort is not None)
        return self._places

    def _forget(self) -> None:
        self._places = None
