"""The designer's note on a recording the Library's catalogue does not know."""
from __future__ import annotations

from typing import TYPE_CHECKING

from console.branch.findings import Finding
from console.branch.schema import Design, FilePlay

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource


def library_notes(design: Design, library: LibrarySource | None) -> tuple[Finding, ...]:
    """A note (not an error) for each library file the catalogue does not know at
    that album/sort for the active account: it may be a typo, or a recording
    added in the Voitex portal, which the console cannot see."""
    if library is None:
        return ()
    notes = []
    known = None
    for row, item in enumerate(design.play):
        if not isinstance(item, FilePlay):
            continue
        album, sort = item.album.strip(), item.sort.strip()
        if not (album.isdigit() and sort.isdigit()):
            continue  # the validation already says what is wrong with it
        if known is None:
            known = library.known_places()
        if (int(album), int(sort)) not in known:
            notes.append(Finding(
                ("play", row), "info", "play.not_in_library",
                f"Play item {row + 1}: the Library has no recording at album {int(album)} / "
                f"sort {int(sort)} for this account. Check it exists (it may have been added "
                "in the Voitex portal), or choose one with \u201cAdd from the library\u201d."))
    return tuple(notes)
