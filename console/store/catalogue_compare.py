"""The Library catalogue's current entries against a server's own listing (the sandbox's)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain.wording import plural
from console.store.catalogue_entry import CURRENT, CatalogueEntry, int_or_none


@dataclass(frozen=True)
class Comparison:
    """The catalogue's current entries against a library listing (the sandbox's)."""

    matching: int
    missing: tuple[CatalogueEntry, ...]  # listed here, not there
    different: tuple[tuple[CatalogueEntry, str], ...]  # there under another recording id
    unknown: tuple[Mapping[str, Any], ...]  # there, not listed here

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.different or self.unknown)

    def text(self) -> str:
        if self.agrees:
            return (f"The sandbox holds the same {plural(self.matching, 'recording')} as this list, "
                    "at the same albums and sort numbers.")
        parts = [f"{self.matching} match"]
        if self.missing:
            parts.append(f"{len(self.missing)} listed here are not in the sandbox ("
                         + ", ".join(e.place for e in self.missing[:5])
                         + (", …" if len(self.missing) > 5 else "") + ")")
        if self.different:
            parts.append(f"{len(self.different)} hold another recording in the sandbox ("
                         + ", ".join(f"{e.place}: id {rid} there, {e.recording_id} here"
                                     for e, rid in self.different[:5])
                         + (", …" if len(self.different) > 5 else "") + ")")
        if self.unknown:
            parts.append(f"{len(self.unknown)} in the sandbox were not put there by this "
                         "console (or History lost them)")
        return "; ".join(parts) + "."


def compare_with_listing(entries: Iterable[CatalogueEntry],
                         listing: Iterable[Mapping[str, Any]]) -> Comparison:
    """Match by recording id first, then by album and sort number."""
    ours = [e for e in entries if e.state == CURRENT]
    theirs = [dict(item) for item in listing]
    by_id = {str(item.get("recording_id")): item for item in theirs}
    by_place = {(int_or_none(item.get("album")), int_or_none(item.get("sort"))): item
                for item in theirs if item.get("sort") is not None}
    used: set[str] = set()
    matching = 0
    missing: list[CatalogueEntry] = []
    different: list[tuple[CatalogueEntry, str]] = []
    for entry in ours:
        if entry.recording_id in by_id:
            matching += 1
            used.add(entry.recording_id)
            continue
        there = by_place.get((entry.album, entry.sort)) if entry.sort is not None else None
        if there is not None:
            rid = str(there.get("recording_id"))
            used.add(rid)
            different.append((entry, rid))
        else:
            missing.append(entry)
    unknown = tuple(item for item in theirs if str(item.get("recording_id")) not in used)
    return Comparison(matching, tuple(missing), tuple(different), unknown)
